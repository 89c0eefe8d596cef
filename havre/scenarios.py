"""Scenario files: a case and what the policy must decide for it.

```yaml
scenarios:
  - name: "Amina is selected"
    case: {...}                      # a case inline, or
    case_file: ../../examples/x.yaml # a case file, relative to this file
    expect:
      - verdict: decision
        subject: [app1]
        status: holds                # holds | fails | undetermined
        value: selected
        rules: [PROC-4.selected]     # among the rules that concluded it
        missing: [[documents_supplied(app1)]]   # exactly these smallest sets
```
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from grammar.checked import CheckedPolicy
from grammar.diagnostics import did_you_mean
from solver.answer import Decision, Verdict
from solver.case import Case, CaseError
from solver.casefile import load_case, parse_case, read_document
from solver.names import show_value

if TYPE_CHECKING:
    from havre.api import Policy

STATUSES = ("holds", "fails", "undetermined")
EXPECT_KEYS = ("verdict", "subject", "status", "value", "rules", "missing")


@dataclass(frozen=True, slots=True)
class Expectation:
    verdict: str
    subject: tuple[str, ...]
    status: str | None
    value: Any
    has_value: bool
    rules: tuple[str, ...]
    missing: frozenset[frozenset[str]] | None


@dataclass(frozen=True, slots=True)
class Scenario:
    file: str
    index: int
    name: str
    case: Case
    expect: tuple[Expectation, ...]


@dataclass(frozen=True, slots=True)
class Outcome:
    scenario: Scenario
    decision: Decision
    failures: tuple[str, ...]


def scenario_files(paths: Iterable[Path]) -> list[Path]:
    """Scenario files named directly, or every *.yaml in a `scenarios` folder below a folder."""
    files: list[Path] = []
    for p in paths:
        if p.is_dir():
            files += sorted(f for f in p.rglob("*.y*ml") if "scenarios" in f.parent.parts)
        elif p.is_file():
            files.append(p)
        else:
            raise CaseError(str(p), "", "no such file or folder")
    return files


def collect(paths: Iterable[Path], policy: CheckedPolicy) -> tuple[list[Scenario], list[tuple[str, str]]]:
    """Scenarios of every file that loads, and (file, message) for each file that does not."""
    scenarios, broken = [], []
    for f in scenario_files(paths):
        try:
            scenarios += load_file(f, policy)
        except CaseError as err:
            broken.append((str(f), str(err)))
    return scenarios, broken


def load_file(path: Path, policy: CheckedPolicy) -> list[Scenario]:
    origin = str(path)
    doc = read_document(path)
    if not isinstance(doc, dict) or not isinstance(doc.get("scenarios"), list):
        raise CaseError(origin, "scenarios", "a scenario file is a mapping with a `scenarios:` list")
    return [_scenario(path, i, item, policy) for i, item in enumerate(doc["scenarios"])]


def _scenario(path: Path, i: int, item: object, policy: CheckedPolicy) -> Scenario:
    origin, where = str(path), f"scenarios[{i}]"
    if not isinstance(item, dict):
        raise CaseError(origin, where, "each scenario is a mapping with `name`, `case` or `case_file`, and `expect`")
    unknown = sorted(set(item) - {"name", "case", "case_file", "expect"})
    if unknown:
        hint = did_you_mean(unknown[0], ["name", "case", "case_file", "expect"])
        raise CaseError(origin, f"{where}.{unknown[0]}", "unknown key" + (f"; {hint}" if hint else ""))
    name = str(item.get("name") or f"scenario {i + 1}")
    if "case_file" in item:
        case = load_case(path.parent / str(item["case_file"]), policy)
    elif "case" in item:
        case = parse_case(item["case"], policy, f"{origin}: {where}.case")
    else:
        raise CaseError(origin, where, "give the case inline with `case:` or by path with `case_file:`")
    expect = item.get("expect")
    if not isinstance(expect, list) or not expect:
        raise CaseError(origin, f"{where}.expect", "a non-empty list of expectations is required")
    return Scenario(
        origin,
        i,
        name,
        case,
        tuple(_expectation(origin, f"{where}.expect[{j}]", e, policy) for j, e in enumerate(expect)),
    )


def _strings(origin: str, where: str, value: object) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(x, str | int) for x in value):
        raise CaseError(origin, where, "expected a list of names")
    return tuple(str(x) for x in value)


def _expectation(origin: str, where: str, e: object, policy: CheckedPolicy) -> Expectation:
    if not isinstance(e, dict):
        raise CaseError(origin, where, "an expectation is a mapping with `verdict` and `subject`")
    for key in e:
        if key not in EXPECT_KEYS:
            hint = did_you_mean(str(key), EXPECT_KEYS)
            raise CaseError(origin, f"{where}.{key}", "unknown key" + (f"; {hint}" if hint else ""))
    verdict = str(e.get("verdict", ""))
    pred = policy.predicates.get(verdict)
    if pred is None or pred.kind != "verdict":
        hint = did_you_mean(verdict, [p.name for p in policy.verdicts()])
        raise CaseError(
            origin, f"{where}.verdict", f"`{verdict}` is not a verdict of the policy" + (f"; {hint}" if hint else "")
        )
    subject = _strings(origin, f"{where}.subject", e.get("subject"))
    if len(subject) != len(pred.params):
        raise CaseError(
            origin, f"{where}.subject", f"`{verdict}` takes {len(pred.params)} subject(s), not {len(subject)}"
        )
    status = e.get("status")
    if status is not None and status not in STATUSES:
        raise CaseError(origin, f"{where}.status", f"`{status}` is not one of {', '.join(STATUSES)}")
    missing = None
    if "missing" in e:
        sets = e["missing"]
        if not isinstance(sets, list):
            raise CaseError(origin, f"{where}.missing", "expected a list of lists of facts")
        missing = frozenset(frozenset(_strings(origin, f"{where}.missing[{k}]", s)) for k, s in enumerate(sets))
    rules = _strings(origin, f"{where}.rules", e["rules"]) if "rules" in e else ()
    return Expectation(verdict, subject, status, e.get("value"), "value" in e, rules, missing)


def failures(scenario: Scenario, decision: Decision) -> tuple[str, ...]:
    found = {v.key: v for v in decision.verdicts}
    out: list[str] = []
    for x in scenario.expect:
        label = f"{x.verdict}({', '.join(x.subject)})"
        actual = found.get((x.verdict, x.subject))
        if actual is None:
            actual = Verdict(x.verdict, x.subject, "fails", None, ())
        out += [f"{label}: {m}" for m in _compare(x, actual)]
    return tuple(out)


def _compare(x: Expectation, v: Verdict) -> list[str]:
    problems = []
    got = f"got {v.status}" + (f" = {show_value(v.value)}" if v.status == "holds" and v.value is not True else "")
    if x.status is not None and x.status != v.status:
        problems.append(f"expected {x.status}, {got}" + (f" (missing: {_sets(v.missing)})" if v.missing else ""))
    if x.has_value and str(x.value) != str(show_value(v.value)):
        problems.append(f"expected value {x.value}, {got}")
    absent = [r for r in x.rules if r not in v.rules]
    if absent:
        problems.append(
            f"expected rule(s) {', '.join(absent)} to conclude it; concluded by {', '.join(v.rules) or 'no rule'}"
        )
    if x.missing is not None and x.missing != frozenset(frozenset(s) for s in v.missing):
        problems.append(f"expected missing {_sets(tuple(tuple(sorted(s)) for s in x.missing))}, got {_sets(v.missing)}")
    return problems


def _sets(sets: Sequence[Sequence[str]]) -> str:
    return "[" + ", ".join("[" + ", ".join(sorted(s)) + "]" for s in sorted(sets)) + "]" if sets else "[]"


def run(policy: Policy, scenarios: Sequence[Scenario]) -> list[Outcome]:
    decisions = policy.decide_many([s.case for s in scenarios])
    return [Outcome(s, d, failures(s, d)) for s, d in zip(scenarios, decisions, strict=True)]
