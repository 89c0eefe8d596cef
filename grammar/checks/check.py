"""The checks, in order: resolve, typecheck, safety, stratify -> CheckedPolicy."""

from __future__ import annotations

from pathlib import Path

from grammar.checks import safety, stratify, typecheck
from grammar.checks.checked import CheckedInvariant, CheckedPolicy, CheckedRule
from grammar.checks.completeness import missing_texts
from grammar.checks.resolve import resolve
from grammar.checks.sentences import label_sentences, plain_sentences
from grammar.diagnostics import Diagnostic, PolicyError, error
from grammar.text.parse import parse, policy_hash
from grammar.typed import nodes as n
from grammar.typed.normal import dnf

MAX_RULES = 1000  # eight times the shipped policy; deciding grows faster than the number of rules
MAX_DECLARATIONS = 5000
MAX_BRANCHES = 64  # alternatives of one rule's conditions; the shipped policy's most is 5


def check(policy: n.Policy) -> CheckedPolicy:
    """Every check; raises PolicyError with all errors found, in file order."""
    if (large := _too_large(policy)) is not None:
        raise PolicyError([large])
    tables, diags = resolve(policy)
    overriders: dict[str, list[str]] = {}
    for p in tables.priorities:
        overriders.setdefault(p.low.id, []).append(p.high.id)
    rules: list[CheckedRule] = []
    for rule in tables.rules.values():
        types, found = typecheck.check_rule(rule, tables)
        diags += found
        rules.append(CheckedRule(rule, types, tuple(overriders.get(rule.id, ()))))
    applies: dict[str, dict[str, n.Type]] = {}
    grounds: dict[tuple[str, str], dict[str, n.Type]] = {}
    for pred in tables.predicates.values():
        if pred.kind != "verdict":
            continue
        if pred.applies is not None:
            types, found = typecheck.check_about(pred, pred.applies, tables)
            diags += found
            applies[pred.name] = types
        for g in pred.grounds:
            types, found = typecheck.check_about(pred, g.cond, tables)
            diags += found
            grounds[(pred.name, g.value)] = types
    invariants: list[CheckedInvariant] = []
    for inv in tables.invariants:
        types, found = typecheck.check_invariant(inv, tables)
        diags += found
        invariants.append(CheckedInvariant(inv, types))
    if not diags:  # safety and cycles are only meaningful on well-typed rules
        for cr in rules:
            diags += safety.check_rule(cr)
        for ci in invariants:
            for branch in dnf(ci.invariant.cond):
                diags += safety.check_branch(branch, ci.var_types, set(), ci.invariant.cond)
        for pred in tables.predicates.values():
            params = {p.var for p in pred.params}
            for cond, types in [(pred.applies, applies.get(pred.name))] + [
                (g.cond, grounds.get((pred.name, g.value))) for g in pred.grounds
            ]:
                for branch in dnf(cond) if cond is not None and types is not None else ():
                    diags += safety.check_branch(branch, types, params, cond)
        diags += stratify.priority_cycles(tuple(tables.priorities))
        if not diags:
            diags += stratify.check(tuple(rules), tables.rules)
            diags += stratify.unbounded(tuple(rules), tables.rules)
    errors = _unique([d for d in diags if d.severity == "error"])
    if errors:
        raise PolicyError(errors)
    return CheckedPolicy(
        policy=policy,
        hash=policy_hash(policy),
        entities=tables.entities,
        predicates=tables.predicates,
        citations=tables.citations,
        rules=tuple(rules),
        priorities=tuple(tables.priorities),
        invariants=tuple(invariants),
        applies=applies,
        grounds=grounds,
        summary=tuple(tables.summary),
        parties=tables.parties,
        warnings=tuple(
            [d for d in diags if d.severity == "warning"]
            + missing_texts(
                tables.predicates.values(),
                tables.rules.values(),
                tables.entities.values(),
                sources(policy),
                tables.parties.values(),
            )
            + plain_sentences(tables.predicates, tables.rules.values())
            + label_sentences(tables.predicates, tables.rules.values())
        ),
    )


def sources(policy: n.Policy) -> list[n.Source]:
    return [d for d in policy.declarations() if isinstance(d, n.Source)]


def _too_large(policy: n.Policy) -> Diagnostic | None:
    """More rules or declarations than Havre decides within its time bounds (see policy/README.md, Limits)."""
    declarations = policy.declarations()
    rules = [d for d in declarations if isinstance(d, n.Rule)]
    hint = "split the policy: each programme can be a policy of its own"
    if len(rules) > MAX_RULES:
        return error("too-large", rules[MAX_RULES].span, f"a policy holds at most {MAX_RULES} rules", hint)
    if len(declarations) > MAX_DECLARATIONS:
        span = declarations[MAX_DECLARATIONS].span
        return error("too-large", span, f"a policy holds at most {MAX_DECLARATIONS} declarations", hint)
    for rule in rules:
        if len(dnf(rule.body)) > MAX_BRANCHES:
            message = f"rule `{rule.id}` has more than {MAX_BRANCHES} alternatives (`or`)"
            return error("too-large", rule.span, message, "split it into rules that conclude the same thing")
    return None


def _unique(diags: list[Diagnostic]) -> list[Diagnostic]:
    return list({(d.code, d.span, d.message): d for d in diags}.values())


def load(path: str | Path) -> CheckedPolicy:
    return check(parse(path))
