"""Code lenses: each rule and verdict decided on an example case, lazily, once per version of the policy.

The lens lists cheaply; deciding waits until the editor resolves a lens that
is shown. Decisions use the public API on the saved files, and are kept per
policy hash, so resolving the other lenses costs nothing.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lsprotocol import types as t

from grammar.diagnostics import PolicyError
from grammar.typed import nodes as n
from havre.api import Policy, load_policy
from havre.lsp.convert import range_of
from havre.lsp.workspace import Analysis
from havre.rules import reads
from havre.testing.scenarios import collect
from solver.cases.case import Case, CaseError
from solver.compile.names import show_value
from solver.solve.answer import Decision, Verdict

COMMAND = "havre.run"  # the editor runs `havre` with the lens's arguments


@dataclass(frozen=True)
class Example:
    label: str
    run: list[str]  # the havre command that shows it
    decision: Decision


def lenses(analysis: Analysis, file: str) -> list[t.CodeLens]:
    text = analysis.texts.get(file, "")
    module = next((m for m in analysis.modules if m.path == file), None)
    found = []
    for decl in module.declarations if module else ():
        if isinstance(decl, n.Rule) or (isinstance(decl, n.Predicate) and decl.kind == "verdict"):
            what = "rule" if isinstance(decl, n.Rule) else "verdict"
            name = decl.id if isinstance(decl, n.Rule) else decl.name
            line = range_of(decl.span, text).start
            data = {"entry": str(analysis.entry), "kind": what, "name": name}
            found.append(t.CodeLens(t.Range(line, line), data=data))
    return found


class Examples:
    """The example cases of each policy, decided once per policy hash."""

    def __init__(self) -> None:
        self._decided: dict[str, list[Example]] = {}

    def resolve(self, lens: t.CodeLens) -> t.CodeLens:
        data: dict[str, Any] = lens.data or {}
        try:
            policy = load_policy(Path(data["entry"]))
            decided = self._decisions(policy, Path(data["entry"]).parent)
        except (PolicyError, CaseError, OSError, KeyError):
            lens.command = t.Command("decide on example: fix the policy's errors first", "")
            return lens
        lens.command = _choose(policy, decided, data["kind"], data["name"])
        return lens

    def _decisions(self, policy: Policy, folder: Path) -> list[Example]:
        if policy.hash not in self._decided:
            examples = _examples(policy, folder)
            decisions = policy.decide_many([e[1] for e in examples], missing=False) if examples else []
            self._decided[policy.hash] = [
                Example(label, run, d) for (label, _, run), d in zip(examples, decisions, strict=True)
            ]
        return self._decided[policy.hash]


def _examples(policy: Policy, folder: Path) -> list[tuple[str, Case, list[str]]]:
    """The case files of `examples/`; without any, the cases of the scenario files. Each with the command that
    shows it: `havre decide` on the case file, or `havre test` on the scenario file."""
    where = ["--policy", str(folder)]
    files = sorted(p for p in (folder / "examples").glob("*") if p.suffix in (".yaml", ".yml", ".json"))
    if files:
        return [(p.stem, policy.case(p), ["decide", str(p), *where]) for p in files]
    scenarios, _ = collect([folder], policy.checked)
    return [(s.name, s.case, ["test", s.file, *where]) for s in scenarios]


def _choose(policy: Policy, decided: list[Example], kind: str, name: str) -> t.Command:
    """The first example where the rule concludes (or its verdict holds), else where the verdict is decided."""
    checked = policy.checked
    if kind == "rule" and name not in {r.id for r in checked.rules}:
        return t.Command("decide on example: save the file to decide this rule", "")
    verdict = name if kind == "verdict" else _verdict_of(policy, name)
    if verdict is None:
        return t.Command("decide on example: no verdict depends on this rule", "")
    tests = [
        lambda v: kind == "rule" and name in v.rules,
        lambda v: v.status == "holds",
        lambda v: True,
    ]
    for test in tests:
        for example in decided:
            for v in example.decision.verdicts:
                if v.verdict == verdict and test(v):
                    return t.Command(f"decide on example {example.label}: {_shown(v)}", COMMAND, arguments=example.run)
    return t.Command(f"decide on example: no example decides {verdict}", "")


def _verdict_of(policy: Policy, rule_id: str) -> str | None:
    """The verdict a rule concludes, or the nearest verdict that reads what it concludes."""
    checked = policy.checked
    readers: dict[str, set[str]] = {}
    for cr in checked.rules:
        for p in reads(cr.rule):
            readers.setdefault(p, set()).add(cr.rule.head.name)
    start = checked.rule(rule_id).rule.head.name
    queue, seen = deque([start]), {start}
    while queue:
        pred = queue.popleft()
        if checked.predicates[pred].kind == "verdict":
            return pred
        for head in sorted(readers.get(pred, ())):
            if head not in seen:
                seen.add(head)
                queue.append(head)
    return None


def _shown(v: Verdict) -> str:
    value = show_value(v.value) if v.status == "holds" else None
    text = f"{v.verdict}({', '.join(v.subject)})"
    text += f" = {value}" if value not in (None, True) else ""
    return f"{text}, {v.status}"
