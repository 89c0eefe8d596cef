"""Scenario files: a case and what the policy must decide for it.

```yaml
scenarios:
  - name: "Amina is selected"
    case: {...}                      # a case inline, or
    case_file: ../../examples/x.yaml # a case file, relative to this file
    expect:
      - verdict: decision
        subject: [app1]
        status: holds                # holds | fails | undetermined | conflict | not_applicable
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

from grammar.checks.checked import CheckedPolicy
from grammar.diagnostics import did_you_mean
from solver.cases.case import Case, CaseError
from solver.cases.casefile import load_case, parse_case, read_document
from solver.compile.names import show_value
from solver.solve.answer import STATUSES, Decision, Verdict
from solver.solve.cores import on_every_core
from solver.solve.decide import CHUNK

if TYPE_CHECKING:
    from havre.api import Policy

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
    case: Case | None  # None when the case does not load: the scenario fails with `problems`
    expect: tuple[Expectation, ...]
    problems: tuple[str, ...] = ()  # what is wrong in the scenario itself: it fails alone


@dataclass(frozen=True, slots=True)
class Outcome:
    scenario: Scenario
    decision: Decision | None
    failures: tuple[str, ...]


def scenario_files(paths: Iterable[Path]) -> list[Path]:
    """Scenario files named directly, or every *.yaml in a `scenarios` folder below a folder.

    A path that holds none is an error: a test run that tests nothing must not pass."""
    files: list[Path] = []
    for p in paths:
        if p.is_dir():
            found = sorted(f for f in p.rglob("*.y*ml") if "scenarios" in f.parent.parts)
            if not found:
                hint = "scenario files are *.yaml files in a folder named `scenarios`"
                raise CaseError(str(p), "", f"holds no scenario file ({hint})")
            files += found
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
    """The scenarios of a file; a mistake inside one scenario makes that scenario fail, not the file."""
    origin = str(path)
    doc = read_document(path)
    if not isinstance(doc, dict) or not isinstance(doc.get("scenarios"), list):
        raise CaseError(origin, "scenarios", "a scenario file is a mapping with a `scenarios:` list")
    if not doc["scenarios"]:
        raise CaseError(origin, "scenarios", "the list holds no scenario")
    return [_scenario(path, i, item, policy) for i, item in enumerate(doc["scenarios"])]


def _scenario(path: Path, i: int, item: object, policy: CheckedPolicy) -> Scenario:
    origin, where = str(path), f"scenarios[{i}]"
    if not isinstance(item, dict):
        message = "each scenario is a mapping with `name`, `case` or `case_file`, and `expect`"
        return Scenario(origin, i, f"scenario {i + 1}", None, (), (str(CaseError(origin, where, message)),))
    name = str(item.get("name") or f"scenario {i + 1}")
    problems: list[str] = []
    unknown = sorted(set(item) - {"name", "case", "case_file", "expect"})
    if unknown:
        hint = did_you_mean(unknown[0], ["name", "case", "case_file", "expect"])
        problems.append(str(CaseError(origin, f"{where}.{unknown[0]}", "unknown key" + (f"; {hint}" if hint else ""))))
    case: Case | None = None
    try:
        case = _case(path, where, item, policy)
    except CaseError as err:
        problems.append(str(err))
    expect = item.get("expect")
    expectations: list[Expectation] = []
    if not isinstance(expect, list) or not expect:
        problems.append(str(CaseError(origin, f"{where}.expect", "a non-empty list of expectations is required")))
    else:
        for j, e in enumerate(expect):
            try:
                expectations.append(_expectation(origin, f"{where}.expect[{j}]", e, policy))
            except CaseError as err:
                problems.append(str(err))
    return Scenario(origin, i, name, case, tuple(expectations), tuple(problems))


def _case(path: Path, where: str, item: dict[str, Any], policy: CheckedPolicy) -> Case:
    if "case_file" in item:
        return load_case(path.parent / str(item["case_file"]), policy)
    if "case" in item:
        return parse_case(item["case"], policy, f"{path}: {where}.case")
    raise CaseError(str(path), where, "give the case inline with `case:` or by path with `case_file:`")


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
        for fact in sorted(f for s in missing for f in s):
            _check_fact(origin, f"{where}.missing", fact, policy)
    rules = _strings(origin, f"{where}.rules", e["rules"]) if "rules" in e else ()
    known = [cr.id for cr in policy.rules]
    for k, rule in enumerate(rules):
        if rule not in known:
            hint = did_you_mean(rule, known)
            raise CaseError(origin, f"{where}.rules[{k}]", f"`{rule}` is not a rule" + (f"; {hint}" if hint else ""))
    return Expectation(verdict, subject, status, e.get("value"), "value" in e, rules, missing)


def _check_fact(origin: str, where: str, fact: str, policy: CheckedPolicy) -> None:
    """A missing fact is written `input(ids)`, as `havre decide --format json` lists them."""
    name = fact.partition("(")[0].strip()
    inputs = [p.name for p in policy.inputs()]
    if name not in inputs or not fact.endswith(")"):
        hint = did_you_mean(name, inputs) or "write a fact as `input(id, ...)`"
        raise CaseError(origin, where, f"`{fact}` is not a fact of an input; {hint}")


def failures(scenario: Scenario, decision: Decision | None) -> tuple[str, ...]:
    out: list[str] = list(scenario.problems)
    if decision is None:
        return tuple(out)
    for x in scenario.expect:
        label = f"{x.verdict}({', '.join(x.subject)})"
        out += [f"{label}: {m}" for m in _compare(x, decision.get(x.verdict, *x.subject))]
    return tuple(out)


def _got(v: Verdict) -> str:
    if v.conflict is not None:
        sides = " and ".join(f"{show_value(s.value)} ({', '.join(s.rules)})" for s in v.conflict.sides)
        return f"got a conflict between rules: {sides}"
    return f"got {v.status}" + (f" = {show_value(v.value)}" if v.status == "holds" and v.value is not True else "")


def _compare(x: Expectation, v: Verdict) -> list[str]:
    problems = []
    got = _got(v)
    if x.status is not None and x.status != v.status:
        problems.append(f"expected {x.status}, {got}" + (f" (missing: {_sets(v.missing)})" if v.missing else ""))
    if x.has_value and (v.status == "conflict" or str(x.value) != str(show_value(v.value))):
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
    """Every scenario decided; each outcome with its failures. Scenarios expecting the same verdicts are decided
    together, by the part of the policy that decides those verdicts (`Policy.narrowed`)."""
    groups: dict[frozenset[str], list[tuple[int, Case]]] = {}
    for i, s in enumerate(scenarios):
        if s.case is not None:
            groups.setdefault(_expected(policy, s), []).append((i, s.case))
    # Each group in chunks, on every core: a chunk is one grounding either way.
    pieces = [
        (policy.narrowed(verdicts), members[start : start + CHUNK])
        for verdicts, members in groups.items()
        for start in range(0, len(members), CHUNK)
    ]

    def piece(part: Policy, members: list[tuple[int, Case]]) -> dict[int, Decision | None]:
        found = part.decide_many([case for _, case in members], missing=False)
        return {i: asked(part, scenarios[i], d) for (i, _), d in zip(members, found, strict=True)}

    decided: dict[int, Decision | None] = {}
    for got in on_every_core(lambda p: piece(*p), pieces):
        decided |= got
    return [Outcome(s, decided.get(i), failures(s, decided.get(i))) for i, s in enumerate(scenarios)]


def decide(policy: Policy, scenario: Scenario) -> Decision | None:
    """The scenario's case decided, with the missing facts its expectations read (see `asked`)."""
    if scenario.case is None:
        return None
    part = policy.narrowed(_expected(policy, scenario))
    return asked(part, scenario, part.decide(scenario.case, missing=False))


def _expected(policy: Policy, scenario: Scenario) -> frozenset[str]:
    """The verdicts the scenario's expectations read; none (the whole policy) if one is not a verdict."""
    names = frozenset(x.verdict for x in scenario.expect)
    verdicts = {p.name for p in policy.checked.verdicts()}
    return names if names <= verdicts else frozenset()


def asked(policy: Policy, scenario: Scenario, decision: Decision | None) -> Decision | None:
    """The decision with missing facts searched only where the scenario reads them: an expectation of missing
    sets, or an undetermined verdict expected otherwise (its failure lists them). The search costs more than
    the rest of the decision; the verdicts no expectation names do not need it."""
    if decision is None or scenario.case is None:
        return decision
    wanted = set()
    for x in scenario.expect:
        v = decision.get(x.verdict, *x.subject)
        if v.status == "undetermined" and (x.missing is not None or (x.status is not None and x.status != v.status)):
            wanted.add(v.key)
    return policy.with_missing(scenario.case, decision, wanted) if wanted else decision
