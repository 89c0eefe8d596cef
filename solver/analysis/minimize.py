"""Counterexamples a tester can read: only the facts that matter, with ordinary values.

A witness of the analysis universe states every input of every entity. Its
facts are left out, each alone first and then in halves (as delta debugging
does), while the problem still shows through the normal decide path in EVERY
completion of the facts left unknown; entities no fact refers to are dropped
the same way. The values left then move towards ordinary ones (adults' birth
dates, past events in the past), each change kept only if the problem still
shows. Leaving a fact out only adds completions, so a fact found needed stays
needed: each fact is tried alone once.

Each step is a generator that yields the cases it wants decided and receives,
for each, whether the problem shows; `drive` decides the cases of every
counterexample's current step in one batch (`decide_many`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass, replace
from itertools import count

import clingo
from clingo import Function, Number, String

from grammar.checks.checked import CheckedPolicy
from grammar.typed import nodes as n
from solver.analysis.universe import Witness, open_relations, pair_sides
from solver.cases import calendar
from solver.cases.case import Case, Fact, Value
from solver.compile.emit import AspProgram
from solver.compile.names import show_value
from solver.solve.answer import Decision
from solver.solve.decide import decide_many
from solver.solve.run import consequences, control

Probe = Generator[list[Case], list[bool], Case]
# Ages tried for a birth date, most ordinary first; an adult's unless the problem needs a minor or an elder.
AGES = (35, 28, 45, 19, 55, 10, 5, 15, 2, 70, 85, 95)


@dataclass(frozen=True)
class Reproduction:
    """Whether cases show their witness's problem, decided the normal way."""

    program: AspProgram
    policy: CheckedPolicy
    extra: str = ""  # hand-written `_applies` rules the analysis was given

    def judge(self, batch: Sequence[tuple[Witness, Case]]) -> list[Decision | None]:
        """Each case's decision when it shows the problem, else None."""
        if not batch:
            return []
        decisions = decide_many(self.program, self.policy, [c for _, c in batch], missing=False)
        scope = self._in_scope(batch)
        pairs = zip(batch, decisions, strict=True)
        return [d if shows(w, d, i in scope) else None for i, ((w, _), d) in enumerate(pairs)]

    def __call__(self, batch: Sequence[tuple[Witness, Case]]) -> list[bool]:
        return [d is not None for d in self.judge(batch)]

    def _in_scope(self, batch: Sequence[tuple[Witness, Case]]) -> set[int]:
        """The gap cases whose subject is in scope in every completion (`extra` may hold the `_applies` rules)."""
        gaps = [(i, w, c) for i, (w, c) in enumerate(batch) if w.code == "gap"]
        if not gaps:
            return set()
        numbered = [(Number(i), c) for i, _, c in gaps]
        ctl = control(self.program, self.policy, numbered, extra=self.extra, show=["#show _applies/3."])
        cautious = consequences(ctl).cautious
        key = lambda w: clingo.Tuple_([String(x) for x in w.key])  # noqa: E731
        return {i for i, w, _ in gaps if Function("_applies", [Function(w.subject), Number(i), key(w)]) in cautious}


def shows(w: Witness, d: Decision, in_scope: bool) -> bool:
    """The problem in every completion: the pair's conflict, the invariant broken alike, or the gap."""
    if w.code == "conflict":
        return pair_sides(w, d) is not None
    if w.code == "gap":
        return in_scope and d.get(w.subject, *w.key).status == "fails"
    return any(v.invariant == w.subject and v.certain and v.bindings == w.bindings for v in d.violations)


# ---------------------------------------------------------------- driving every reduction at once


def readable(
    reproduce: Reproduction,
    witnesses: Sequence[Witness],
    progress: Callable[[str], None] = lambda _: None,
) -> list[Case]:
    """Each witness's case with only the facts that matter, and ordinary values where the problem allows."""
    probes = [_readable(reproduce.policy, w) for w in witnesses]
    rounds = count(1)

    def check(batch: list[tuple[int, Case]]) -> list[bool]:
        progress(f"reducing the counterexamples: round {next(rounds)}, {len(batch)} case(s)")
        return reproduce([(witnesses[i], c) for i, c in batch])

    return drive(probes, check)


def drive(probes: Sequence[Probe], check: Callable[[list[tuple[int, Case]]], list[bool]]) -> list[Case]:
    """Runs the probes side by side: the cases all of them ask for are decided in one batch."""
    done: dict[int, Case] = {}
    asked: dict[int, list[Case]] = {}
    for i, probe in enumerate(probes):
        _advance(i, probe, None, asked, done)
    while asked:
        batch = [(i, c) for i, cases in asked.items() for c in cases]
        answers = iter(check(batch))
        current, asked = asked, {}
        for i, cases in current.items():
            _advance(i, probes[i], [next(answers) for _ in cases], asked, done)
    return [done[i] for i in range(len(probes))]


def _advance(
    i: int, probe: Probe, answer: list[bool] | None, asked: dict[int, list[Case]], done: dict[int, Case]
) -> None:
    try:
        asked[i] = next(probe) if answer is None else probe.send(answer)
    except StopIteration as stop:
        done[i] = stop.value


def _readable(policy: CheckedPolicy, w: Witness) -> Probe:
    case = yield from smaller(policy, w)
    return (yield from ordinary(policy, case))


# ---------------------------------------------------------------- leaving facts and entities out


def smaller(policy: CheckedPolicy, w: Witness) -> Probe:
    """The witness's case without the facts, then the entities, the problem does not need."""
    whole = open_relations(policy, w.case)
    gone = yield from _removable(lambda out: _without_facts(whole, out), len(whole.facts))
    case = _without_facts(whole, gone)
    loose = _unreferenced(case, w)
    gone = yield from _removable(lambda out: _without_entities(case, {loose[i] for i in out}), len(loose))
    return _linked(policy, _without_entities(case, {loose[i] for i in gone}), whole)


def _linked(policy: CheckedPolicy, case: Case, whole: Case) -> Case:
    """With the entity values linking the entities kept (`principal(app1) = person1`): left out, they would still
    be known when only one entity could be named, and a reader would not see why that entity is there. The facts
    in the order of the whole case."""
    ids = {e.id for e in case.entities}
    entity_valued = {p.name for p in policy.inputs() if isinstance(p.value, n.EntityType)}
    kept = set(case.facts)
    facts = (f for f in whole.facts if f in kept or (f.pred in entity_valued and f.value in ids and set(f.args) <= ids))
    return replace(case, facts=tuple(facts))


def _removable(build: Callable[[set[int]], Case], count: int) -> Generator[list[Case], list[bool], set[int]]:
    """Items that can go together: each tried alone, then those that can go alone, all at once, then in halves."""
    if count == 0:
        return set()
    ok = yield [build({i}) for i in range(count)]
    alone = [i for i, good in enumerate(ok) if good]
    return set(alone) if len(alone) < 2 else (yield from _halves(build, alone))


def _halves(build: Callable[[set[int]], Case], items: list[int]) -> Generator[list[Case], list[bool], set[int]]:
    removed: set[int] = set()
    left, size = list(items), len(items)
    while left:
        chunks = [left[j : j + size] for j in range(0, len(left), size)]
        ok = yield [build(removed | set(c)) for c in chunks]
        good = [set(c) for c, g in zip(chunks, ok, strict=True) if g]
        if len(good) > 1:
            [together] = yield [build(removed.union(*good))]
            good = good if together else good[:1]
        removed = removed.union(*good)
        stuck = {c[0] for c, g in zip(chunks, ok, strict=True) if not g} if size == 1 else set()
        left = [i for i in left if i not in removed and i not in stuck]
        size = max(1, min((size + 1) // 2, len(left)))  # a chunk that failed fails again with more left out
    return removed


def _without_facts(case: Case, out: set[int]) -> Case:
    return replace(case, facts=tuple(f for i, f in enumerate(case.facts) if i not in out))


def _without_entities(case: Case, ids: set[str]) -> Case:
    return replace(case, entities=tuple(e for e in case.entities if e.id not in ids)) if ids else case


def _unreferenced(case: Case, w: Witness) -> list[str]:
    """Entities no fact, subject or binding names: the problem may not need them at all."""
    named = set(w.key) | set(w.bindings) | {a for f in case.facts for a in f.args}
    named |= {f.value for f in case.facts if isinstance(f.value, str)}
    return [e.id for e in case.entities if e.id not in named]


# ---------------------------------------------------------------- ordinary values


def ordinary(policy: CheckedPolicy, case: Case) -> Probe:
    """Birth dates of people of ordinary ages, other dates in the recent past: the first alternative of each fact
    that keeps the problem, all together if they still show it, else one by one."""
    options = [(i, alts) for i, f in enumerate(case.facts) if (alts := _alternatives(policy, f, case.assessment_date))]
    if not options:
        return case
    ok = iter((yield [_with(case, {i: v}) for i, alts in options for v in alts]))
    chosen: dict[int, Value] = {}
    for i, alts in options:
        good = [v for v, g in zip(alts, [next(ok) for _ in alts], strict=True) if g]
        chosen.update({i: good[0]} if good else {})
    if not chosen:
        return case
    [together] = yield [_with(case, chosen)]
    if together:
        return _with(case, chosen)
    for i, v in chosen.items():
        [good] = yield [_with(case, {i: v})]
        case = _with(case, {i: v}) if good else case
    return case


def _alternatives(policy: CheckedPolicy, f: Fact, today: dt.date) -> list[Value]:
    pred = policy.predicates[f.pred]
    if not isinstance(pred.value, n.DateType) or not isinstance(f.value, dt.date):
        return []
    if "birth" in pred.name:  # three months off the birthday: no age limit is met on the day by chance
        alts = [calendar.add_months(today, -(12 * age + 3)) for age in AGES]
        return [] if f.value in alts else list(alts)
    if calendar.add_years(today, -1) <= f.value <= today:  # a recent past: ordinary for an event of the case
        return []
    recent = [today, *(today - dt.timedelta(days=days) for days in (30, 90)), calendar.add_years(today, -1)]
    return [d for d in recent if d != f.value]


def _with(case: Case, values: dict[int, Value]) -> Case:
    facts = tuple(replace(f, value=values[i]) if i in values else f for i, f in enumerate(case.facts))
    return replace(case, facts=facts)


def kept_facts(policy: CheckedPolicy, case: Case) -> list[str]:
    """The facts a case states, as `p(a)`, `not p(a)` or `p(a) = v`."""
    out = []
    for f in case.facts:
        call = f"{f.pred}({', '.join(f.args)})"
        if policy.predicates[f.pred].is_bool:
            out.append(call if f.value is True else f"not {call}")
        else:
            out.append(f"{call} = {show_value(f.value)}")
    return out + [f"{c.pred}({c.first}, X) only for the X listed" for c in case.closed]
