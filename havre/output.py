"""Decisions as JSON: verdicts for tools, with the questions and the summary a reviewer reads."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from solver.compile.names import show_value
from solver.solve.answer import Conflict, Decision, Key, Verdict


def conflict_json(c: Conflict) -> dict[str, Any]:
    return {
        "predicate": c.predicate,
        "subject": list(c.subject),
        "certain": c.certain,
        "values": [{"value": show_value(s.value), "rules": list(s.rules)} for s in c.sides],
    }


def verdict_json(v: Verdict, questions: list[list[str]] | None = None) -> dict[str, Any]:
    """A verdict for tools: `missing` keeps the facts' predicate form beside the `questions` in words."""
    out: dict[str, Any] = {
        "verdict": v.verdict,
        "subject": list(v.subject),
        "value": show_value(v.value),
        "status": v.status,
        "missing": [list(s) for s in v.missing],
        "rules": list(v.rules),
    }
    if questions is not None:
        out["questions"] = questions
    if v.applicable is not True:
        out["applicable"] = v.applicable
    if v.conflict is not None:
        out["conflict"] = conflict_json(v.conflict)
    if v.rests_on:
        out["rests_on"] = [{"predicate": p, "subject": list(s)} for p, s in v.rests_on]
    return out


def decision_json(
    d: Decision,
    verdicts: Sequence[Verdict] | None = None,
    questions: Mapping[Key, list[list[str]]] | None = None,
    summary: Sequence[Mapping[str, Any]] | None = None,
    next_deadline: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """A decision; `questions` in words beside the missing facts, and the summary of the explanation view with
    the next deadline on or after the assessment date (an entry of `havre agenda`, or null)."""
    chosen = d.verdicts if verdicts is None else verdicts
    out: dict[str, Any] = {"case": d.case_id, "policy": {"hash": d.policy_hash}}
    out["conflicts"] = [conflict_json(c) for c in d.conflicts]
    if summary is not None:
        out["summary"] = [_summary_json(entry) for entry in summary]
        out["next_deadline"] = dict(next_deadline) if next_deadline is not None else None
    out["verdicts"] = [verdict_json(v, questions.get(v.key, []) if questions is not None else None) for v in chosen]
    out["violations"] = [
        {"invariant": x.invariant, "bindings": list(x.bindings), "certain": x.certain} for x in d.violations
    ]
    if d.partial:
        out["partial"] = list(d.partial)  # searches cut short by their time budget
    return out


def view_questions(view: Mapping[str, Any]) -> dict[Key, list[list[str]]]:
    """The questions of an explanation view's verdicts, by verdict and subject."""
    return {(v["verdict"], tuple(v["subject"])): v["questions"] for v in view["verdicts"]}


def _summary_json(entry: Mapping[str, Any]) -> dict[str, Any]:
    keep = ("verdict", "subject", "status", "value", "label", "reason", "questions", "due")
    return {k: entry[k] for k in keep} | {"grounds": [g["text"] for g in entry["grounds"]]}


def dumps(data: object) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False)
