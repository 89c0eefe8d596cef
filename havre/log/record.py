"""What the log keeps of a decision: the policy's files, the masked case, the main verdicts and their grounds."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from grammar.checks.checked import CheckedPolicy
from solver.compile.names import show_value
from solver.solve.answer import Decision, Verdict

MASK = "[masked]"
DEFAULT_MASKED = ("name",)  # display names identify people; ids, dates and findings are what replay needs


@dataclass(frozen=True, slots=True)
class PolicyFiles:
    """A policy's files, relative to the folder that holds them all, and the entry file among them."""

    hash: str
    entry: str
    files: tuple[tuple[str, str], ...]  # (relative path, text), sorted

    @property
    def digest(self) -> str:
        h = hashlib.sha256()
        for path, text in self.files:
            h.update(path.encode() + b"\0" + text.encode() + b"\0")
        return h.hexdigest()


def policy_files(policy: CheckedPolicy) -> PolicyFiles:
    """The files a checked policy was read from (its texts are kept in the AST, even from the cache)."""
    texts = policy.policy.texts
    paths = [os.path.normpath(p) for p, _ in texts]
    base = os.path.commonpath([os.path.dirname(p) or "." for p in paths]) if paths else "."
    files = tuple(sorted((os.path.relpath(p, base), t) for p, (_, t) in zip(paths, texts, strict=True)))
    return PolicyFiles(policy.hash, os.path.relpath(os.path.normpath(policy.policy.root), base), files)


def masked(document: object, fields: Collection[str]) -> object:
    """The case document with the given fields of every entity replaced by a mark; other values as they are."""
    if not isinstance(document, Mapping):
        return document
    out: dict[str, Any] = {}
    for key, section in document.items():
        if isinstance(section, Mapping):
            out[key] = {
                eid: {f: (MASK if f in fields and v is not None else v) for f, v in entity.items()}
                if isinstance(entity, Mapping)
                else entity
                for eid, entity in section.items()
            }
        else:
            out[key] = section
    return out


def main_verdicts(policy: CheckedPolicy, decision: Decision) -> list[dict[str, Any]]:
    """The main verdicts (the policy's `summary`) that apply or may apply, with their rules and provisions."""
    order = {name: i for i, name in enumerate(policy.summary)}
    chosen = [v for v in decision.verdicts if v.verdict in order and v.status != "not_applicable"]
    chosen.sort(key=lambda v: (order[v.verdict], v.subject))
    return [verdict_entry(policy, v) for v in chosen]


def verdict_entry(policy: CheckedPolicy, v: Verdict) -> dict[str, Any]:
    cited = sorted({c.id for r in v.rules for c in policy.rule(r).rule.cites})
    entry: dict[str, Any] = {
        "verdict": v.verdict,
        "subject": list(v.subject),
        "status": v.status,
        "value": show_value(v.value),
        "rules": list(v.rules),
        "provisions": cited,
    }
    if v.missing:
        entry["missing"] = [list(s) for s in v.missing]
    return entry


def differences(recorded: Sequence[Mapping[str, Any]], now: Sequence[Mapping[str, Any]]) -> list[str]:
    """What changed between two lists of main verdicts, one line per verdict and field."""

    def key(e: Mapping[str, Any]) -> str:
        return f"{e['verdict']}({', '.join(e['subject'])})"

    before, after = {key(e): e for e in recorded}, {key(e): e for e in now}
    found: list[str] = []
    for k in before.keys() - after.keys():
        found.append(f"{k}: recorded {before[k]['status']}, now not listed")
    for k in after.keys() - before.keys():
        found.append(f"{k}: not recorded, now {after[k]['status']}")
    for k in before.keys() & after.keys():
        for field in ("status", "value", "rules", "provisions", "missing"):
            was, is_ = before[k].get(field), after[k].get(field)
            if was != is_:
                found.append(f"{k}: {field} recorded {json.dumps(was)}, now {json.dumps(is_)}")
    return sorted(found)
