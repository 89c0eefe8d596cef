"""The agenda of a case: every date it sets, past and coming, in order, as a plain view.

Its entries are the dates the case states (letters sent, answers received,
events of the file) and the dates the policy computes from them (due dates,
expiry dates), sorted by date and placed against the assessment date: past,
today or coming. A date the policy marks as a deadline says who must act and
what happens once it has passed; a computed date names the rule that set it,
with the provisions it cites and their authority. Dates marked `background`
(a birth date) are no events of the file and are left out. A deadline whose
date depends on facts not known yet is listed apart, with the questions that
would settle it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from explain.collector import fewer_collections
from explain.derivation.graph import Graph
from explain.view.views import View, Views
from explain.wording.i18n import N_
from explain.wording.phrases import date_text
from grammar.checks.checked import CheckedPolicy
from grammar.typed import nodes as n
from solver.cases import calendar
from solver.cases.case import Case
from solver.solve.answer import Decision

WHEN = {"past": N_("past"), "today": N_("today"), "coming": N_("coming")}
KIND_ORDER = {"input": 0, "judged": 0, "derived": 1, "verdict": 2}


@fewer_collections()
def agenda_view(policy: CheckedPolicy, case: Case, decision: Decision, graph: Graph, lang: str) -> View:
    """Every date of the case in order, and the deadlines whose date is not known yet."""
    views = Views(policy, case, graph, lang)
    found = [*_stated(views, case), *_computed(views, decision)]
    entries = [
        _entry(views, case, pred, subject, day, rules)
        for day, _, pred, subject, rules in sorted(
            found, key=lambda f: (f[0], KIND_ORDER[policy.predicates[f[2]].kind], f[2], f[3])
        )
    ]
    return {
        "lang": lang,
        "case": {
            "id": case.id,
            "assessment_date": case.assessment_date.isoformat(),
            "assessment_date_text": date_text(case.assessment_date, lang),
        },
        "policy": {"hash": decision.policy_hash},
        "entries": entries,
        "not_known": list(_not_known(views, decision)),
        "next_deadline": next_deadline(entries),
    }


def next_deadline(entries: list[View]) -> View | None:
    """The first deadline on or after the assessment date that the case does not say was done, if any."""
    return next(
        (e for e in entries if e["deadline"] is not None and e["when"] != "past" and not e["deadline"]["met"]), None
    )


Found = tuple[dt.date, int, str, tuple[str, ...], list[str]]


def _stated(views: Views, case: Case) -> Iterator[Found]:
    for fact in case.facts:
        decl = views.policy.predicates[fact.pred]
        if isinstance(decl.value, n.DateType) and isinstance(fact.value, dt.date) and not decl.background:
            yield fact.value, 0, fact.pred, fact.args, []


def _computed(views: Views, decision: Decision) -> Iterator[Found]:
    """The dates the policy sets in every completion of the case's unknown facts, with the rules that set them."""
    trace = views.graph.trace
    for decl in views.policy.predicates.values():
        if decl.is_input or decl.background or not isinstance(decl.value, n.DateType):
            continue
        if decl.kind == "verdict":
            values = [
                (v.subject, v.value)
                for v in decision.verdicts
                if v.verdict == decl.name and v.status == "holds" and v.applicable is True
            ]
        else:
            values = [(tuple(map(str, a[:-1])), a[-1]) for a in trace.atoms(decl.name) if trace.holds(decl.name, a)]
        for subject, raw in values:
            day = calendar.from_day(raw) if isinstance(raw, int) else raw
            if isinstance(day, dt.date):
                rules = [d.rule for d in views.graph.derive(decl.name, subject, day)]
                yield day, 1, decl.name, subject, rules


def _when(day: dt.date, today: dt.date) -> str:
    return "past" if day < today else "today" if day == today else "coming"


def _entry(views: Views, case: Case, pred: str, subject: tuple[str, ...], day: dt.date, rules: list[str]) -> View:
    decl = views.policy.predicates[pred]
    when = _when(day, case.assessment_date)
    text = views.ph.cap(views.ph.fact(pred, subject, day))
    return {
        "date": day.isoformat(),
        "date_text": date_text(day, views.lang),
        "when": when,
        "when_text": views._(WHEN[when]),
        "days": (day - case.assessment_date).days,
        "predicate": pred,
        "subject": list(subject),
        "kind": decl.kind,
        "uid": uid(case.id, pred, subject),
        "text": text,
        "title": _title(views, text, decl),
        "deadline": _deadline(views, decl, subject, day),
        "rules": [_rule(views, r) for r in rules],
    }


def _title(views: Views, text: str, decl: n.Predicate) -> str:
    """The line a calendar shows: the sentence, marked as a deadline when it is one."""
    return views._("Deadline: %(text)s") % {"text": views.ph.uncap(text)} if decl.deadline is not None else text


def _deadline(views: Views, decl: n.Predicate, subject: tuple[str, ...], day: dt.date | None) -> View | None:
    if decl.deadline is None:
        return None
    passed = views.ph.passed(decl.name, subject, day)
    said = views._("Once it has passed: %(passed)s") % {"passed": views.ph.uncap(passed)} if passed else None
    return {
        "party": decl.deadline.party,
        "party_text": views.party(decl.deadline.party),
        "passed": views.ph.cap(passed) if passed else None,
        "passed_text": said,
        "met": views.met(decl, subject, day) if day is not None else None,
    }


def _rule(views: Views, rule_id: str) -> View:
    rule = views.rule(rule_id)
    keep = ("id", "title", "source", "source_title", "authority", "authority_text", "document")
    return {
        "rule": rule["rule"],
        "title": rule["title"],
        "citations": [{k: c[k] for k in keep} for c in rule["citations"]],
    }


def _not_known(views: Views, decision: Decision) -> Iterator[View]:
    """Deadlines that apply to their subject but whose date depends on facts not known yet."""
    for v in decision.verdicts:
        decl = views.policy.predicates[v.verdict]
        if decl.deadline is None or v.status != "undetermined" or v.applicable is not True:
            continue
        text = views.label(v.verdict, v.subject)
        yield {
            "predicate": v.verdict,
            "subject": list(v.subject),
            "text": text,
            "title": _title(views, text, decl),
            "deadline": _deadline(views, decl, v.subject, None),
            "questions": [[views.question(f) for f in s] for s in v.missing],
        }


def uid(case_id: str, pred: str, subject: tuple[str, ...]) -> str:
    """A calendar entry's identity, the same on every export of the case: case, predicate and subjects."""
    return "-".join([case_id, pred, *subject]) + "@havre"
