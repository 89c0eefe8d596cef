"""The explanation of a case as one view: conflicts and the main answers first, then the rest by subject.

What a reviewer needs first is the answer: every conflict between rules, then
the verdicts the policy declares in its `summary`, each with its one-line
reason or the questions that would decide it. The other verdicts follow,
grouped under the entity they are about. Verdicts that do not apply to their
subject are left out unless asked for.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass

from explain.collector import fewer_collections
from explain.derivation.graph import Graph
from explain.view.sources import grouped
from explain.view.views import View, Views
from explain.wording.phrases import Phrases, date_text
from grammar.checks.checked import CheckedPolicy
from solver.analysis.whatif import WhatIf
from solver.cases.case import Case, Fact
from solver.solve.answer import Decision, Key, Verdict


@dataclass(frozen=True, slots=True)
class Changes:
    """What would change a verdict: the smallest changes a person could make; when there are none, those through
    an officer's finding; and the facts held as they are (past events, findings unless asked)."""

    found: Sequence[WhatIf]
    through_findings: Sequence[WhatIf] = ()
    held: Sequence[Fact] = ()


WhatIfs = Mapping[Key, Changes]


def shown(policy: CheckedPolicy, v: Verdict, show_all: bool) -> bool:
    """Whether a verdict is listed by default: not one outside its subjects, not a failed relation."""
    if show_all:
        return True
    if v.status == "not_applicable":
        return False
    return len(policy.predicates[v.verdict].params) == 1 or v.status != "fails"


def chosen_verdicts(
    policy: CheckedPolicy,
    decision: Decision,
    names: Collection[str] = (),
    subjects: Collection[tuple[str, ...]] = (),
    show_all: bool = False,
) -> list[Verdict]:
    """The verdicts to show: those named (all by default), and any subject asked for by name, whatever its status.
    A verdict of one subject asked for by name that applies to no subject is shown where it does not apply,
    saying why, rather than not at all (a relation's pairs stay hidden: `--subject` names one)."""
    picked = [
        v
        for v in decision.verdicts
        if (not names or v.verdict in names)
        and (not subjects or v.subject in subjects)
        and (subjects or shown(policy, v, show_all))
    ]
    if names and not subjects:
        found = {v.verdict for v in picked}
        picked += [
            v
            for v in decision.verdicts
            if v.verdict in names and v.verdict not in found and len(v.subject) == 1 and v.status == "not_applicable"
        ]
    listed = {v.key for v in picked}
    for name in names:
        for subject in subjects:
            if (name, subject) not in listed and len(subject) == len(policy.predicates[name].params):
                picked.append(decision.get(name, *subject))
    return picked


def in_summary(view: View) -> bool:
    """A main verdict that surely applies, unless it is a yes/no verdict that does not hold: that one is listed
    with its subject (the summary gives the answers that hold, the open questions and the conflicts)."""
    if not view["main"] or view["applicable"] is not True:
        return False
    return view["status"] != "fails" or (view["value"] is None and not view["boolean"])


def summary_entry(view: View) -> View:
    """A main verdict in one line: its answer, its reason, and what would decide it."""
    keep = ("verdict", "subject", "key", "status", "status_text", "value", "value_text", "label", "reason", "due")
    entry = {k: view[k] for k in keep}
    entry["grounds"] = view["grounds"]
    entry["questions"] = view["questions"]
    entry["rests_on"] = view["rests_on"]
    return entry


@fewer_collections()
def explanation_view(
    policy: CheckedPolicy,
    case: Case,
    decision: Decision,
    graph: Graph,
    lang: str,
    names: Collection[str] = (),
    *,
    subjects: Collection[tuple[str, ...]] = (),
    why_not: bool = False,
    what_ifs: WhatIfs | None = None,
    show_all: bool = False,
    later: Callable[[], Decision] | None = None,
    brief: bool = False,
) -> View:
    """The view of a case's explanation. `later`: the decision with its missing facts, still being searched when
    `decision` (the same verdicts, without them) is given: the verdicts it leaves undetermined are worded last.
    `brief`: each verdict with its reason, not the steps and failures behind it (see Views.verdict)."""
    views = Views(policy, case, graph, lang)
    main = set(policy.summary)
    picked = chosen_verdicts(policy, decision, names, subjects, show_all)

    def word(v: Verdict) -> View:
        return views.verdict(v, why_not=why_not or bool(subjects), main=v.verdict in main, brief=brief)

    # With `later`, the undetermined verdicts wait for their missing facts: they are worded last.
    worded = {v.key: word(v) for v in picked if later is None or v.status != "undetermined"}
    if later is not None:
        decision = later()
        final = {v.key: v for v in decision.verdicts}
        worded |= {v.key: word(final.get(v.key, v)) for v in picked if v.key not in worded}
    verdicts = [worded[v.key] for v in picked]
    for view, v in zip(verdicts, picked, strict=True):
        views.changes(view, (what_ifs or {}).get(v.key))
    order = {name: i for i, name in enumerate(policy.summary)}
    summary = sorted((v for v in verdicts if in_summary(v)), key=lambda v: order[v["verdict"]])
    return {
        "lang": lang,
        "case": {
            "id": case.id,
            "assessment_date": case.assessment_date.isoformat(),
            "assessment_date_text": date_text(case.assessment_date, lang),
            "people": [{"id": e.id, "name": e.named(lang) or e.id, "type": e.type} for e in case.entities],
        },
        "policy": {"hash": decision.policy_hash},
        "conflicts": [views.conflict(c) for c in decision.conflicts],
        "summary": [summary_entry(v) for v in summary],
        "verdicts": verdicts,
        "groups": _groups(case, verdicts, views.ph),
        "hidden": 0 if show_all or subjects else _not_applicable(decision, names, listed={v.key for v in picked}),
        "sources": grouped(views.cited.values()),
    }


def _not_applicable(decision: Decision, names: Collection[str], listed: Collection[Key]) -> int:
    """The verdicts (of those named) that do not apply and are not listed."""
    return sum(
        1
        for v in decision.verdicts
        if v.status == "not_applicable" and (not names or v.verdict in names) and v.key not in listed
    )


def _groups(case: Case, verdicts: list[View], ph: Phrases) -> list[View]:
    """Verdicts under the entity they are first about, in the case's order of entities."""
    by_entity: dict[str, list[str]] = {}
    for v in verdicts:
        by_entity.setdefault(v["subject"][0], []).append(v["key"])
    groups = []
    for e in case.entities:
        if e.id in by_entity:
            groups.append({"id": e.id, "name": ph.heading(e.id), "type": e.type, "members": by_entity[e.id]})
    return groups
