"""A guided interview: ask only what can still change a main verdict, as the solver computes it.

The questions come from the smallest sets of missing facts of the undetermined main verdicts. One set per
verdict, chosen to share as many facts as possible, bounds what remains to ask: answering every fact of those
sets decides them all ("question 2 of at most 5"). Answering a fact of a chosen set leaves the rest of that set
deciding, so the bound never grows. A fact answered "unknown / not yet" is put aside: sets holding it are not
used, and a verdict whose every set holds one stays undetermined.
"""

from __future__ import annotations

import copy
import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

from explain.wording.french import titled
from explain.wording.phrases import Phrases
from explain.wording.questions import fact_parts
from grammar.checks.checked import CheckedPolicy
from grammar.checks.stratify import rule_deps
from grammar.typed import nodes as n
from havre.web import catalog
from solver.cases.case import Case, CaseError
from solver.compile.cone import dependency_cone
from solver.solve.answer import Decision, Key, Verdict

_INT = re.compile(r"[-+]?[0-9]{1,10}")


@dataclass(frozen=True)
class Plan:
    fact: str | None  # the next question's fact, `pred(a, b)`; None when nothing more can be asked
    remaining: int  # at most this many questions remain, this one included
    open: tuple[Key, ...]  # the undetermined main verdicts
    stuck: tuple[Key, ...]  # undetermined main verdicts that only facts put aside would decide
    reasons: tuple[Key, ...]  # the open verdicts this question can decide


def open_main(policy: CheckedPolicy, decision: Decision) -> list[Verdict]:
    order = {name: i for i, name in enumerate(policy.summary)}
    found = [v for v in decision.verdicts if v.verdict in order and v.status == "undetermined"]
    return sorted(found, key=lambda v: (order[v.verdict], v.subject))


def plan(policy: CheckedPolicy, decision: Decision, skipped: set[str]) -> Plan:
    chosen: set[str] = set()
    usable: dict[Key, list[tuple[str, ...]]] = {}
    stuck: list[Key] = []
    verdicts = open_main(policy, decision)
    for v in verdicts:
        sets = [s for s in v.missing if not skipped.intersection(s)]
        if not sets:
            stuck.append(v.key)
            continue
        usable[v.key] = sets
        chosen.update(min(sets, key=lambda s: len(set(s) - chosen)))  # the first of the cheapest on ties
    if not chosen:
        return Plan(None, 0, tuple(v.key for v in verdicts), tuple(stuck), ())
    weight = Counter(f for sets in usable.values() for s in sets for f in s if f in chosen)
    order = [f for sets in usable.values() for s in sets for f in s if f in chosen]
    fact = max(dict.fromkeys(order), key=lambda f: weight[f])  # most sets decided by it; the first on ties
    reasons = tuple(k for k, sets in usable.items() if any(fact in s for s in sets))
    return Plan(fact, len(chosen), tuple(v.key for v in verdicts), tuple(stuck), reasons)


def rules_reading(policy: CheckedPolicy, verdict: str, pred: str, limit: int = 3) -> list[str]:
    """The rules through which an input matters to a verdict: those that read it, on the verdict's side first."""
    cone = dependency_cone(policy, verdict)
    found = [
        cr.id
        for cr in policy.rules
        if cr.rule.head.name in cone and any(name == pred for name, _ in rule_deps(cr.rule))
    ]
    found.sort(key=lambda r: (policy.rule(r).rule.head.name != verdict, r))
    return found[:limit]


def question_view(
    policy: CheckedPolicy, case: Case, decision: Decision, found: Plan, lang: str, step: int = 0
) -> dict[str, Any]:
    """The question in the reader's language, its form, and why it is asked (each verdict, its rules, provisions)."""
    assert found.fact is not None
    pred, args = fact_parts(found.fact)
    decl = policy.predicates[pred]
    ph = Phrases(policy, case, lang)
    form = catalog.type_of(decl)
    if form["kind"] == "enum":
        form["options"] = [{"value": o["value"], "label": o["label"][lang]} for o in form.pop("values")]
    elif form["kind"] == "entity":
        form["options"] = [{"value": e.id, "label": ph.entity(e.id)} for e in case.entities if e.type == form["entity"]]
    why = []
    for verdict, subject in found.reasons:
        rules = [
            catalog.rule_entry(policy, r) | {"cites": cites(policy, r, lang)}
            for r in rules_reading(policy, verdict, pred)
        ]
        why.append(
            {
                "verdict": verdict,
                "subject": list(subject),
                "label": ph.cap(ph.fact(verdict, subject, blank="…")),
                "rules": rules,
            }
        )
    return {
        "fact": found.fact,
        "input": pred,
        "text": ph.question(pred, args),
        "form": form,
        "finding": decl.kind == "judged",
        "why": why,
        "number": step + 1,
        "at_most": step + found.remaining,
    }


def cites(policy: CheckedPolicy, rule_id: str, lang: str) -> list[dict[str, str]]:
    out = []
    for c in policy.rule(rule_id).rule.cites:
        cited = policy.citations[c.id]
        title = titled(lang, cited.title, cited.title_fr)
        out.append({"id": c.id, "title": title, "anchor": "src-" + c.id.replace(".", "-")})
    return out


def question_json(policy: CheckedPolicy, case: Case, decision: Decision, found: Plan, lang: str) -> dict[str, Any]:
    out: dict[str, Any] = {
        "open": [{"verdict": k[0], "subject": list(k[1])} for k in found.open],
        "stuck": [{"verdict": k[0], "subject": list(k[1])} for k in found.stuck],
        "at_most": found.remaining,
        "question": None,
    }
    if found.fact is not None:
        out["question"] = question_view(policy, case, decision, found, lang)
    return out


def field_path(policy: CheckedPolicy, fact: str) -> list[str]:
    """Where a fact goes in a case document: section, entity id, field (and the second entity of a relation)."""
    pred, args = fact_parts(fact)
    decl = policy.predicates[pred]
    section = policy.entities[decl.params[0].type.name].plural
    return [section, args[0], pred, *args[1:]]


def answered(policy: CheckedPolicy, document: Any, fact: str, raw: str) -> Any:
    """A copy of the document with the fact answered; a value of the wrong form is a CaseError at its field."""
    pred, _ = fact_parts(fact)
    path = field_path(policy, fact)
    value = _value(policy.predicates[pred], raw.strip(), ".".join(path))
    doc = copy.deepcopy(document)
    entity = doc.setdefault(path[0], {}).setdefault(path[1], {})
    if len(path) == 3:
        entity[pred] = value
    else:
        relation = entity.get(pred)
        entity[pred] = (relation if isinstance(relation, dict) else {}) | {path[3]: value}
    return doc


def _value(decl: n.Predicate, raw: str, where: str) -> object:
    t = decl.value
    if isinstance(t, n.BoolType):
        if raw not in ("yes", "no"):
            raise CaseError("<answer>", where, "answer yes or no")
        return raw == "yes"
    if isinstance(t, n.IntType):
        if not _INT.fullmatch(raw):
            raise CaseError("<answer>", where, f"{raw!r} is not a whole number")
        return int(raw)
    if isinstance(t, n.EnumType) and raw not in t.values:
        raise CaseError("<answer>", where, f"{raw!r} is not one of {', '.join(t.values)}")
    if not raw:
        raise CaseError("<answer>", where, "give an answer, or choose “unknown / not yet”")
    return raw  # a date or an entity id: the case's own checks name a wrong one at its field
