"""The symbolic universe the consistency analyses search, and its models written as case and scenario files.

A case of the universe states no fact, so every input is a free choice; the
rules added here make the search concrete and complete:

- each entity of the universe may or may not exist (`{ _entity(C,T,Id) }`), so
  a counterexample can drop the entities it does not need;
- an int or date input takes exactly one CANDIDATE value drawn from the
  boundaries the policy itself mentions (its durations and constants, around
  a fixed assessment date), instead of a symbolic unknown:

      _given(C,p,("person1",)) :- _case(C).                        a fact: no symbolic unknown is grounded
      1 { _pick(C,p,(X1,),V) : _cand(date,V,Rank) } 1 :- _entity(C,person,X1).
      p(C,X1,V) :- _pick(C,p,(X1,),V).

- a `default false` input, absent from a case, may still be stated true.

A model of the universe is then a complete case: every yes/no input true or
false, every value given. `case_document` writes it as a case file.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from itertools import product
from typing import Any

import yaml
from clingo import Symbol, SymbolType

from grammar.checks.checked import CheckedPolicy
from grammar.checks.versions import is_gate
from grammar.typed import nodes as n
from grammar.typed import pretty
from grammar.typed.normal import dnf, walk_terms
from solver.cases import calendar
from solver.cases.case import Case, CaseError, Fact, Value
from solver.cases.casefile import parse_case
from solver.compile.body import layout_vars
from solver.compile.emit import tuple_text
from solver.compile.names import CASE, show_value
from solver.solve.answer import Decision, Side
from solver.solve.context import INT_MAX

DEFAULT_DATE = dt.date(2026, 6, 15)  # mid-month: no month-end clamping around it
FAR_PAST_YEARS = 100
# A constant compared with `years_since(D)` is a number of years (days are covered by the date candidates).
UNIT_OF = {"years_since": "years", "years_between": "years", "months_since": "months"}


@dataclass(frozen=True)
class Universe:
    """How many entities of each type (`default` for a type not named), and the assessment date."""

    counts: Mapping[str, int] = field(default_factory=dict)
    default: int = 2
    assessment_date: dt.date = DEFAULT_DATE
    witness_seconds: float = 2.0  # per counterexample: time to make it small

    def count(self, entity: str) -> int:
        return self.counts.get(entity, self.default)

    def ids(self, policy: CheckedPolicy) -> dict[str, list[str]]:
        unknown = sorted(set(self.counts) - set(policy.entities))
        if unknown:
            names = ", ".join(sorted(policy.entities))
            raise CaseError("--universe", "", f"`{unknown[0]}` is not an entity of the policy (entities: {names})")
        return {e: [f"{e}{i}" for i in range(1, self.count(e) + 1)] for e in policy.entities}

    def describe(self, policy: CheckedPolicy) -> str:
        return ", ".join(f"{e}={self.count(e)}" for e in policy.entities) + f", on {self.assessment_date}"

    def out_of_force(self, policy: CheckedPolicy) -> list[str]:
        """The versions of rules chosen by the assessment date that are not in force on the universe's: the
        search cannot make them conclude, so it says nothing of them."""
        return [
            cr.id
            for cr in policy.rules
            if (w := cr.rule.in_force) is not None and w.as_of is None and not w.covers(self.assessment_date)
        ]


def parse_universe(text: str | None, on: dt.date | None = None) -> Universe:
    """`person=3,application=1` (other types keep the default of 2); `on`: the assessment date."""
    if not text:
        return Universe() if on is None else Universe(assessment_date=on)
    counts: dict[str, int] = {}
    for part in text.split(","):
        name, _, number = part.strip().partition("=")
        if not name.strip() or number.strip() not in tuple("0123456789"):
            raise CaseError("--universe", "", f"`{part.strip()}`: write TYPE=N with N from 0 to 9, e.g. person=3")
        counts[name.strip()] = int(number)
    return Universe(counts) if on is None else Universe(counts, assessment_date=on)


# ---------------------------------------------------------------- boundaries


@dataclass(frozen=True)
class Boundaries:
    durations: frozenset[tuple[int, str]]
    ints: frozenset[int]
    dates: frozenset[dt.date]
    days: frozenset[dt.date] = frozenset()  # first days of versions chosen by a case's date: those days alone


def _conditions(policy: CheckedPolicy) -> Iterator[n.Cond]:
    """Every condition, without the conditions of versions' windows (see `version_days`)."""
    for cr in policy.rules:
        window = cr.rule.in_force
        for c in (cr.rule.body, *cr.rule.exceptions):
            if c is None:
                continue
            items = c.items if isinstance(c, n.And) else (c,)
            yield from (i for i in items if window is None or not is_gate(i, window))
        constant = isinstance(cr.rule.head.value, n.IntLit | n.DateLit) and window is not None  # a figure's row
        if cr.rule.head.value is not None and not constant:
            yield n.Compare("=", cr.rule.head.value, cr.rule.head.value, cr.rule.head.span)
    yield from (ci.invariant.cond for ci in policy.invariants)
    yield from (p.applies for p in policy.predicates.values() if p.applies is not None)


def boundaries(policy: CheckedPolicy) -> Boundaries:
    """The durations, whole numbers and dates the policy's rules, invariants and `applies if` conditions mention."""
    durations: set[tuple[int, str]] = set()
    ints: set[int] = set()
    dates: set[dt.date] = set()
    units: set[str] = set()
    for cond in _conditions(policy):
        for t in walk_terms(cond):
            if isinstance(t, n.Duration) and isinstance(t.amount, int):
                durations.add((t.amount, t.unit))
            elif isinstance(t, n.IntLit):
                ints.add(t.value)
            elif isinstance(t, n.DateLit):
                dates.add(t.value)
            elif isinstance(t, n.Call) and t.name in UNIT_OF:
                units.add(UNIT_OF[t.name])
    durations |= {(c, unit) for c in ints for unit in units if c > 0}  # `age(P) < 22`: born 22 years back
    ints |= {amount for amount, unit in durations if unit == "days"}  # `days_between(S, R) <= N`
    return Boundaries(frozenset(durations), frozenset(ints), frozenset(dates), version_days(policy))


def version_days(policy: CheckedPolicy) -> frozenset[dt.date]:
    """The first day of each version chosen by a date of the case (`as of`), and the day after the last: one
    candidate a version, so that each can be in force. A version chosen by the assessment date needs none (the
    universe's date is fixed: `havre check --on DATE` searches another)."""
    days: set[dt.date] = set()
    for cr in policy.rules:
        window = cr.rule.in_force
        if window is not None and window.as_of is not None:
            days |= {window.start} if window.start else set()
            days |= {window.end + dt.timedelta(days=1)} if window.end else set()
    return frozenset(days)


def _shift(day: dt.date, amount: int, unit: str) -> dt.date | None:
    try:
        if unit == "days":
            return day + dt.timedelta(days=amount)
        return calendar.add_months(day, amount * (12 if unit == "years" else 1))
    except (ValueError, OverflowError):
        return None


def date_candidates(b: Boundaries, today: dt.date) -> list[dt.date]:
    """The assessment date and the days around it; the same around each boundary, before and after it; a far past."""
    out = {today, today - dt.timedelta(days=1), today + dt.timedelta(days=1)}
    far = _shift(today, -FAR_PAST_YEARS, "years")
    out |= {far} if far else set()
    anchors = [d for amount, unit in b.durations for sign in (-1, 1) if (d := _shift(today, sign * amount, unit))]
    for d in [*anchors, *b.dates]:
        out |= {x for x in (_shift(d, -1, "days"), d, _shift(d, 1, "days")) if x is not None}
    out |= b.days
    return sorted(out, key=lambda d: (abs((d - today).days), d))


def int_candidates(b: Boundaries) -> list[int]:
    """0, and each constant (days of durations included) with its neighbours; never negative."""
    return sorted({0} | {v for c in b.ints for v in (c - 1, c, c + 1) if 0 <= v <= INT_MAX})


# ---------------------------------------------------------------- the program


def _domain(pred: n.Predicate) -> tuple[list[str], str, str]:
    xs = [f"X{i}" for i in range(1, len(pred.params) + 1)]
    dom = [f"_entity({CASE},{p.type.name},{x})" for p, x in zip(pred.params, xs, strict=True)]
    if pred.is_bool and len(xs) > 1:
        dom += [f"{xs[0]} != {x}" for x in xs[1:]]
    return xs, ", ".join(dom) or f"_case({CASE})", tuple_text(xs)


def universe_program(
    policy: CheckedPolicy, universe: Universe, candidates: tuple[list[dt.date], list[int]] | None = None
) -> str:
    """Entities that may exist, candidate values for numbers and dates, `default false` inputs made free.
    `candidates`: the dates and numbers to draw from instead of those around the policy's boundaries."""
    b = boundaries(policy)
    ids = universe.ids(policy)
    lines = ["% ---- the analysis universe"]
    for etype, names in ids.items():
        if names:
            lines.append(f"{{ {' ; '.join(f'_entity({CASE},{etype},{_q(i)})' for i in names)} }} :- _case({CASE}).")
    # Candidates with their rank: a counterexample prefers values near the assessment date, and small numbers.
    dates, ints = candidates or (date_candidates(b, universe.assessment_date), int_candidates(b))
    lines += [f"_cand(date,{calendar.to_day(d)},{r})." for r, d in enumerate(dates)]
    lines += [f"_cand(int,{v},{r})." for r, v in enumerate(ints)]
    for pred in policy.inputs():
        xs, dom, tup = _domain(pred)
        args = ",".join([CASE, *xs])
        if isinstance(pred.value, n.IntType | n.DateType):
            kind = "date" if isinstance(pred.value, n.DateType) else "int"
            tuples = product(*(ids[p.type.name] for p in pred.params))
            lines += [f"_given({CASE},{pred.name},{tuple_text([_q(i) for i in t])}) :- _case({CASE})." for t in tuples]
            lines += [
                f"1 {{ _pick({CASE},{pred.name},{tup},V) : _cand({kind},V,_) }} 1 :- {dom}.",
                f"{pred.name}({args},V) :- _pick({CASE},{pred.name},{tup},V).",
                f"_rank({CASE},{pred.name},{tup},R) :- _pick({CASE},{pred.name},{tup},V), _cand({kind},V,R).",
            ]
        elif pred.is_bool and pred.default_false:
            lines.append(f"{{ {pred.name}({args}) }} :- {dom}.")
    return "\n".join(lines) + "\n"


def smallness(policy: CheckedPolicy) -> str:
    """When optimising: fewest entities, then fewest true yes/no facts, then values nearest the assessment date."""
    lines = [f"#minimize {{ 1@3,T,X : _entity({CASE},T,X) }}.", f"#minimize {{ R@1,P,A : _rank({CASE},P,A,R) }}."]
    # With --heuristic=Domain: the first guesses are values near the assessment date.
    lines.append(f"#heuristic _pick({CASE},P,A,V) : _cand(K,V,R), R < 3. [1,true]")
    for pred in policy.inputs():
        if pred.is_bool:
            xs, _, _ = _domain(pred)
            lines.append(f"#minimize {{ 1@2,{','.join([pred.name, *xs])} : {pred.name}({','.join([CASE, *xs])}) }}.")
    return "\n".join(lines) + "\n"


def _q(text: str) -> str:
    return '"' + text + '"'  # entity ids are [A-Za-z0-9_]


# ---------------------------------------------------------------- models as case and scenario files


def _plain(s: Symbol, type_: n.Type) -> Any:
    if s.type == SymbolType.Number:
        return calendar.from_day(s.number).isoformat() if isinstance(type_, n.DateType) else s.number
    if s.type == SymbolType.String:
        return s.string
    return s.name


def case_document(policy: CheckedPolicy, atoms: Iterable[Symbol], case_id: str, today: dt.date) -> dict[str, Any]:
    """A model of the universe as a case file: every input of every entity in it stated (relations as lists)."""
    by_name: dict[str, list[tuple[Symbol, ...]]] = {}
    for s in atoms:
        by_name.setdefault(s.name, []).append(tuple(s.arguments[1:]))
    present: dict[str, list[str]] = {}
    for etype, eid in sorted((a[0].name, a[1].string) for a in by_name.get("_entity", [])):
        present.setdefault(etype, []).append(eid)
    doc: dict[str, Any] = {"case": case_id, "assessment_date": today.isoformat()}
    for etype, names in present.items():
        section: dict[str, dict[str, Any]] = {eid: {} for eid in names}
        for pred in policy.inputs():
            if not 1 <= len(pred.params) <= 2 or pred.params[0].type.name != etype:
                continue
            facts = by_name.get(pred.name, [])
            for eid in names:
                value = _field(pred, eid, [f[1:] for f in facts if f[0].string == eid], present)
                if value is not None:
                    section[eid][pred.name] = value
        doc[policy.entities[etype].plural] = section
    return doc


def _field(pred: n.Predicate, eid: str, facts: list[tuple[Symbol, ...]], present: dict[str, list[str]]) -> Any:
    if len(pred.params) == 1:
        if pred.is_bool:
            return bool(facts)
        return _plain(facts[0][0], pred.value) if facts else None
    others = [o for o in present.get(pred.params[1].type.name, []) if not (pred.is_bool and o == eid)]
    if pred.is_bool:
        return sorted(f[0].string for f in facts if f[0].string in others)
    values = {f[0].string: _plain(f[1], pred.value) for f in facts}
    return {o: values[o] for o in others if o in values} or None


def case_of(policy: CheckedPolicy, doc: dict[str, Any], origin: str) -> Case:
    return parse_case(doc, policy, origin)


def open_relations(policy: CheckedPolicy, case: Case) -> Case:
    """The same case with each relation given as a list stated pair by pair (those not listed false), so that
    each pair can be left out alone."""
    ids: dict[str, list[str]] = {}
    for e in case.entities:
        ids.setdefault(e.type, []).append(e.id)
    stated = {(f.pred, f.args) for f in case.facts}
    facts = list(case.facts)
    for c in case.closed:
        others = ids.get(policy.predicates[c.pred].params[1].type.name, [])
        facts += [Fact(c.pred, (c.first, o), False) for o in others if (c.pred, (c.first, o)) not in stated]
    return replace(case, facts=tuple(facts), closed=())


def document_of(policy: CheckedPolicy, case: Case) -> dict[str, Any]:
    """A case as a case file: the facts it states, nothing else (a relation stated for every pair as a list)."""
    ids: dict[str, list[str]] = {}
    for e in case.entities:
        ids.setdefault(e.type, []).append(e.id)
    facts: dict[tuple[str, str], list[Fact]] = {}
    for f in case.facts:
        facts.setdefault((f.pred, f.args[0]), []).append(f)
    closed = {(c.pred, c.first) for c in case.closed}
    doc: dict[str, Any] = {"case": case.id, "assessment_date": case.assessment_date.isoformat()}
    for etype, entity in policy.entities.items():
        section: dict[str, dict[str, Any]] = {}
        for e in (e for e in case.entities if e.type == etype):
            fields: dict[str, Any] = {"name": e.document_name()} if e.name else {}
            for pred in policy.inputs():
                if 1 <= len(pred.params) <= 2 and pred.params[0].type.name == etype:
                    stated = facts.get((pred.name, e.id), [])
                    others = ids.get(pred.params[-1].type.name, [])
                    value = _stated(pred, stated, (pred.name, e.id) in closed, others)
                    fields.update({pred.name: value} if value is not None else {})
            section[e.id] = fields
        if section:
            doc[entity.plural] = section
    return doc


def _stated(pred: n.Predicate, facts: list[Fact], closed: bool, others: list[str]) -> Any:
    if not facts and not closed:
        return None
    if len(pred.params) == 1:
        return _case_value(facts[0].value)
    given = {f.args[1]: _case_value(f.value) for f in facts}
    if pred.is_bool and (closed or all(o in given for o in others)):
        return [o for o in others if given.get(o) is True]
    return {o: given[o] for o in others if o in given}


def _case_value(value: Value) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


def scenario_text(name: str, header: list[str], document: dict[str, Any], expect: Iterable[dict[str, Any]]) -> str:
    """A scenario file with one scenario: the case inline; the header as comments."""
    body = {"scenarios": [{"name": name, "case": document, "expect": list(expect)}]}
    comments = "".join(f"# {line}\n" for text in header for line in text.splitlines())
    return comments + yaml.safe_dump(body, sort_keys=False, allow_unicode=True, width=100)


# ---------------------------------------------------------------- counterexamples


@dataclass(frozen=True)
class Witness:
    """A case that shows a problem: a model of the universe, then only the facts that matter."""

    code: str
    subject: str  # the predicate or invariant
    key: tuple[str, ...]  # the predicate's subject (entities)
    rules: tuple[str, ...]  # a conflict: its two rules, the same one twice when it gives two values itself
    document: dict[str, Any]
    case: Case
    bindings: tuple[str, ...] = ()  # an invariant's variables, as `_violated` lists them


def pair_sides(w: Witness, d: Decision) -> tuple[tuple[Side, str], tuple[Side, str]] | None:
    """The two values of the witness's conflict, each with the rule of the pair that concluded it, in the order
    `havre decide` lists them; None unless the case shows the conflict in every completion."""
    r1, r2 = w.rules
    for c in d.conflicts:
        if (c.predicate, c.subject) != (w.subject, w.key) or not c.certain:
            continue
        for i, a in enumerate(c.sides):
            for b in c.sides[i + 1 :]:
                if r1 in a.rules and r2 in b.rules:
                    return (a, r1), (b, r2)
                if r2 in a.rules and r1 in b.rules:
                    return (a, r2), (b, r1)
    return None


def expectations(policy: CheckedPolicy, w: Witness, d: Decision) -> tuple[tuple[dict[str, Any], ...], str]:
    """Scenario expectations that FAIL while the problem is there, and a note on how to finish them once fixed."""
    label = f"{w.subject}({', '.join(w.key)})"
    base: dict[str, Any] = {"verdict": w.subject, "subject": list(w.key)}
    if w.code == "gap":
        note = f"FAILS until a rule gives {label} a value; then add `value:` with the value it should have."
        return ({**base, "status": "holds"},), note
    if w.code == "conflict":
        return _conflict_expectations(policy, w, d)
    return _invariant_expectations(policy, w, d)


def _conflict_expectations(policy: CheckedPolicy, w: Witness, d: Decision) -> tuple[tuple[dict[str, Any], ...], str]:
    """`status: holds` with the second value: it fails while `havre decide` shows the conflict."""
    sides = pair_sides(w, d)
    assert sides is not None
    (a, ra), (b, rb) = sides
    first, other = show_value(a.value), show_value(b.value)
    label = f"{w.subject}({', '.join(w.key)})"
    if policy.predicates[w.subject].kind != "verdict":
        return _resting_expectations(w, d, label)
    note = (
        f"FAILS until the conflict is resolved: the policy concludes {label} = {first} ({ra}) and = {other} ({rb}). "
        f"This expects {other}: if {first} should prevail, write value {first} and rules [{ra}] instead."
    )
    base: dict[str, Any] = {"verdict": w.subject, "subject": list(w.key)}
    return ({**base, "status": "holds", "value": other, "rules": [rb]},), note


def _resting_expectations(w: Witness, d: Decision, label: str) -> tuple[tuple[dict[str, Any], ...], str]:
    """A derived fact is not a verdict a scenario can expect: record the case with a verdict resting on it."""
    resting = [v for v in d.verdicts if (w.subject, w.key) in v.rests_on]
    v = next(iter(resting), None) or next((v for v in d.verdicts if v.status == "holds"), d.verdicts[0])
    expect = {"verdict": v.verdict, "subject": list(v.subject), "status": v.status}
    how = "which rests on it" if resting else "one of its verdicts"
    note = f"PASSES: {label} is a derived fact, which scenarios do not check; this records the case with {how}."
    return (expect,), note


def _invariant_expectations(policy: CheckedPolicy, w: Witness, d: Decision) -> tuple[tuple[dict[str, Any], ...], str]:
    """`status: fails` for a verdict the invariant names and the case concludes."""
    inv = next(ci.invariant for ci in policy.invariants if ci.invariant.id == w.subject)
    verdicts = {p.name for p in policy.verdicts()}
    for branch in dnf(inv.cond):
        names = layout_vars([], branch)
        if len(names) != len(w.bindings):
            continue
        env = dict(zip(names, w.bindings, strict=True))
        for lit in branch:
            sides: list[tuple[n.Atom | n.Call, n.Term | None]] = [(lit, None)] if isinstance(lit, n.Atom) else []
            if isinstance(lit, n.Compare) and lit.op == "=":
                sides = [(a, b) for a, b in ((lit.left, lit.right), (lit.right, lit.left)) if isinstance(a, n.Call)]
            for call, other in sides:
                if call.name not in verdicts or not all(isinstance(a, n.Var) and a.name in env for a in call.args):
                    continue
                subject = tuple(env[a.name] for a in call.args if isinstance(a, n.Var))
                if d.get(call.name, *subject).status not in ("holds", "conflict"):  # a conflict concludes it too
                    continue
                said = f"{call.name}({', '.join(subject)})" + (f" = {pretty.term(other)}" if other else "")
                note = f"FAILS while the policy concludes {said}, which breaks {inv.id} in this case."
                if other is not None:
                    note += " Once fixed, replace `status: fails` by the verdict it should give."
                return ({"verdict": call.name, "subject": list(subject), "status": "fails"},), note
    first = next((v for v in d.verdicts if v.status == "holds"), d.verdicts[0])
    expect = {"verdict": first.verdict, "subject": list(first.subject), "status": first.status}
    note = f"PASSES: {inv.id} names no verdict; this only records the case that breaks it, with one of its verdicts."
    return (expect,), note
