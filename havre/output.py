"""Decisions as JSON and as text for a terminal."""

from __future__ import annotations

import json
from typing import Any

from explain.partial import PARTIAL
from explain.views import STATUS
from grammar.checked import CheckedPolicy
from solver.answer import Decision, Verdict
from solver.case import Case
from solver.names import show_value

WORDS = {
    "en": {
        "case": "Case",
        "assessed": "assessed on",
        "policy": "policy",
        "decide": "to decide, know",
        "or": "or",
        "and": "and",
        "rules": "by",
        "violated": "invariant broken",
        "because": "because",
        "possibly": "in some completions of the unknown facts",
    },
    "fr": {
        "case": "Dossier",
        "assessed": "évalué le",
        "policy": "politique",
        "decide": "pour décider, il faut",
        "or": "ou",
        "and": "et",
        "rules": "par",
        "violated": "invariant enfreint",
        "because": "motif",
        "possibly": "selon certains faits inconnus",
    },
}


def decision_json(d: Decision) -> dict[str, Any]:
    return {
        "case": d.case_id,
        "policy": {"hash": d.policy_hash},
        "verdicts": [
            {
                "verdict": v.verdict,
                "subject": list(v.subject),
                "value": show_value(v.value),
                "status": v.status,
                "missing": [list(s) for s in v.missing],
                "rules": list(v.rules),
            }
            for v in d.verdicts
        ],
        "violations": [
            {"invariant": x.invariant, "bindings": list(x.bindings), "certain": x.certain} for x in d.violations
        ],
    } | ({"partial": list(d.partial)} if d.partial else {})  # searches cut short by their time budget


def dumps(data: object) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False)


def verdict_label(policy: CheckedPolicy, case: Case, verdict: Verdict, lang: str) -> str:
    """The verdict in its declared template with the case's names and value; else `name(args) = value`."""
    pred = policy.predicates[verdict.verdict]
    value = show_value(verdict.value) if verdict.status == "holds" else None
    if isinstance(value, str):
        value = pred.label(value, lang) or value
    shown = value is not None and value is not True
    template = pred.text(lang)
    if template is None:
        label = f"{verdict.verdict}({', '.join(verdict.subject)})"
        return f"{label} = {value}" if shown else label
    names = {p.var: case.display(s) for p, s in zip(pred.params, verdict.subject, strict=True)}
    names["value"] = str(value) if shown else "…"
    label = template.format_map(names)
    return f"{label} = {value}" if shown and "{value}" not in template else label


def decision_text(
    policy: CheckedPolicy,
    case: Case,
    d: Decision,
    lang: str,
    reasons: dict[tuple[str, tuple[str, ...]], str] | None = None,
) -> str:
    w = WORDS[lang]
    lines = [
        f"{w['case']} {d.case_id} — {w['assessed']} {case.assessment_date.isoformat()} — {w['policy']} {d.policy_hash}"
    ]
    joiner = f" {w['and']} "
    for v in d.verdicts:
        line = f"  [{STATUS[lang][v.status]}] {verdict_label(policy, case, v, lang)}"
        if v.rules and v.status == "holds":
            line += f"  ({w['rules']} {', '.join(v.rules)})"
        lines.append(line)
        reason = (reasons or {}).get(v.key)
        if reason and v.status != "undetermined":
            lines.append(f"      {w['because']}: {reason}")
        for i, facts in enumerate(v.missing):
            lines.append(f"      {w['decide'] if i == 0 else w['or']}: {joiner.join(facts)}")
    for x in d.violations:
        maybe = "" if x.certain else f" ({w['possibly']})"
        lines.append(f"  ! {w['violated']}{maybe}: {x.invariant} ({', '.join(x.bindings)})")
    lines.extend(f"  ({PARTIAL[lang][p]})" for p in d.partial)
    return "\n".join(lines)
