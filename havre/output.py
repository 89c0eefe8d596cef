"""Decisions as JSON and as text for a terminal."""

from __future__ import annotations

import json
from typing import Any

from grammar.checked import CheckedPolicy
from solver.answer import Decision
from solver.case import Case
from solver.names import show_value

STATUS_WORDS = {
    "en": {"holds": "holds", "fails": "fails", "undetermined": "undetermined"},
    "fr": {"holds": "établi", "fails": "non établi", "undetermined": "indéterminé"},
}
WORDS = {
    "en": {
        "case": "Case",
        "assessed": "assessed on",
        "policy": "policy",
        "missing": "missing, one of these sets",
        "rules": "by",
        "violated": "invariant broken",
    },
    "fr": {
        "case": "Dossier",
        "assessed": "évalué le",
        "policy": "politique",
        "missing": "manquant, l'un de ces ensembles",
        "rules": "par",
        "violated": "invariant enfreint",
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
    }


def dumps(data: object) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False)


def verdict_label(policy: CheckedPolicy, case: Case, verdict: str, subject: tuple[str, ...], lang: str) -> str:
    """The verdict in its declared template, with the case's names; else `name(args)`."""
    pred = policy.predicates[verdict]
    template = pred.text(lang)
    if template is None:
        return f"{verdict}({', '.join(subject)})"
    names = {p.var: case.display(s) for p, s in zip(pred.params, subject, strict=True)}
    names["value"] = "…"
    return template.format_map(names)


def decision_text(policy: CheckedPolicy, case: Case, d: Decision, lang: str) -> str:
    w = WORDS[lang]
    lines = [
        f"{w['case']} {d.case_id} — {w['assessed']} {case.assessment_date.isoformat()} — {w['policy']} {d.policy_hash}"
    ]
    for v in d.verdicts:
        label = verdict_label(policy, case, v.verdict, v.subject, lang)
        value = show_value(v.value)
        shown = f" = {value}" if value is not None and value is not True else ""
        line = f"  [{STATUS_WORDS[lang][v.status]}] {label}{shown}"
        if v.rules and v.status == "holds":
            line += f"  ({w['rules']} {', '.join(v.rules)})"
        lines.append(line)
        for s in v.missing:
            lines.append(f"      {w['missing']}: {', '.join(s)}")
    for x in d.violations:
        lines.append(f"  ! {w['violated']}: {x.invariant} ({', '.join(x.bindings)})")
    return "\n".join(lines)
