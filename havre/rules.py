"""The rules of a policy, where they are, and what they cite, read and conclude (`havre rules`)."""

from __future__ import annotations

from typing import Any

from grammar.checks.checked import CheckedPolicy
from grammar.checks.stratify import rule_deps
from grammar.diagnostics import did_you_mean
from grammar.typed import nodes as n
from solver.cases.case import CaseError


def reads(rule: n.Rule) -> list[str]:
    """The predicates a rule's conditions, exceptions and value read, in the order of the text."""
    return list(dict.fromkeys(name for name, _ in rule_deps(rule)))


def cites_of(checked: CheckedPolicy, rule: n.Rule, ident: str) -> bool:
    """Whether a rule cites a provision, or a source itself or through one of its provisions."""
    return any(c.id == ident or checked.citations[c.id].source.id == ident for c in rule.cites)


def rule_listing(checked: CheckedPolicy, *, cites: str | None = None, uses: str | None = None) -> list[dict[str, Any]]:
    """Each rule as plain data, in the order of the policy's files, filtered by what it cites or uses."""
    if cites is not None and cites not in checked.citations:
        hint = did_you_mean(cites, checked.citations)
        raise CaseError("--cites", "", f"`{cites}` is not a source or provision of the policy" + _then(hint))
    if uses is not None and uses not in checked.predicates:
        hint = did_you_mean(uses, checked.predicates)
        raise CaseError("--uses", "", f"`{uses}` is not a predicate of the policy" + _then(hint))
    listed: list[dict[str, Any]] = []
    for cr in checked.rules:
        rule = cr.rule
        read = reads(rule)
        if cites is not None and not cites_of(checked, rule, cites):
            continue
        if uses is not None and uses != rule.head.name and uses not in read:
            continue
        listed.append(
            {
                "id": rule.id,
                "title": rule.title,
                "title_fr": rule.title_fr,
                "place": f"{rule.span.file}:{rule.span.line}",
                "cites": [c.id for c in rule.cites],
                "concludes": rule.head.name,
                "reads": read,
                "overridden_by": list(cr.overridden_by),
            }
        )
    return listed


def _then(hint: str | None) -> str:
    return f"; {hint}" if hint else ""
