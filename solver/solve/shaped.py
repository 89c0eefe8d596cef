"""One grounding per case shape; each case of that shape decided by assumptions.

A case's shape is how many entities of each type it has. The compiled program
is grounded once per shape, with pooled ids (`"_0_000"`, `"_0_001"`, ... per
type; the program compares ids only to tell them apart) and no fact of the
case: every input is a choice, `_given` and `_closed` are
externals, numbers and dates are the symbolic terms `u(pred, Args)` (the
assessment date too), and a comparison the program makes is the term
`cmp(Op, L, R)` with an external `_true(T)`.

Deciding a case then grounds nothing: its yes/no, enumeration and entity
facts, what it states and which relations it closes become assumptions; each
comparison is evaluated with the case's numbers and dates and settled by an
assumption (true, false, or left free when a value is unknown). Values read
back are evaluated the same way, and the pooled ids are renamed, so the atom
texts are the ones the reference path (solver.solve.run.control) prints.

Two computed values of one fact clash when they differ (`@distinct` at
grounding): here that is the external `_differ(C, V, W)`, set from the case's
values. A case with a clash, or whose arithmetic faults (the case's own error,
named by the reference path), goes the reference way.
"""

from __future__ import annotations

import itertools
import math
import re
import threading
from collections import Counter, OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TypeVar

import clingo
from clingo import Function, Number, String, Symbol, Tuple_

from grammar.checks.checked import CheckedPolicy
from grammar.typed import nodes as n
from solver.cases import calendar
from solver.cases.case import Case
from solver.compile.emit import AspProgram, input_choice, tuple_text
from solver.compile.names import CASE, encode
from solver.solve import assumed
from solver.solve.compared import Comparison, Expr, Fault, Key, read_term, term_text, value_of
from solver.solve.cones import Cones, Recorder
from solver.solve.context import Context
from solver.solve.run import add_program, enumerating, new_control, show_directives

SHAPES = 8  # groundings kept per process, the most recently used
# The groundings of parts of a policy, for the missing-facts search (solver.solve.missing), are kept apart: a case
# of the shipped examples has 0 to 16 parts of up to about 4,400 atoms (the whole's two copies: up to about 10,000),
# about 1.3 kB an atom. Kept by their atoms, the most recently used. A part of more than a quarter of them is not kept,
# nor grounded again: each would push out the others (amina-selected.yaml grown to 40 entities has parts of
# 272,000 atoms, 2.8 s to ground), and the whole's grounding answers for it.
PART_ATOMS = 100_000
# A part is grounded on this thread, one at a time, not on the caller's: in turn, amina-selected.yaml's five cost
# its third decision 0.34 s, rania-psr-montreal-group.yaml's sixteen 1.3 s. Until a part is kept, the whole's
# grounding answers for it. None: in turn.
LATER: ThreadPoolExecutor | None = ThreadPoolExecutor(max_workers=1, thread_name_prefix="part-groundings")
ENABLED = True  # the tests turn it off to compare with the reference path
SIGHTINGS = 2  # a shape is grounded the second time a case of it is decided: one-off runs never pay for it
# A shape leaves every value open, so a large one costs more to ground than a case of it: of 40 entities, one
# copy 2.1 s against 0.3 s for deciding the case the reference way, two copies 4.1 s against 1.5 s; of 12,
# about 1.5 decisions. A shape of more than LARGE entities is grounded at its (SIGHTINGS + 2)-th sighting.
LARGE = 20
_POOLED = re.compile(r'("_\d+_\d{3}")')  # a pooled id; `split` keeps the ids
_SHOW = re.compile(r"#show (\w+)/(\d+)\.")
_TODAY = Function("u", [Function("_today"), Tuple_([])])
ZERO = Number(0)
# The externals of the shape program and of the missing-facts search's (solver.solve.missing): left free.
EXTERNALS = (("_given", 3), ("_closed", 3), ("_true", 1), ("_differ", 3), ("_inS", 1), ("_target", 2))


class Fallback(Exception):
    """The case is decided the reference way (see the module's docstring)."""


Shows = tuple[str, ...]


@dataclass(frozen=True)
class Grounding:
    """What a shape's grounding holds besides the compiled program: `extra` rules, the predicates it shows (None:
    the extra rules' own #show), how many copies of the case, whether it records what each verdict can read
    (solver.solve.cones), and whether it is kept with the parts (PART_ATOMS)."""

    extra: str = ""
    shows: Shows | None = ()
    copies: int = 1
    cones: bool = False
    part: bool = False  # the grounding of a verdict's part of the policy (solver.solve.missing): kept apart
    negations: bool = False  # brave and cautious consequences from one enumeration (Shape.negated)


# Deciding enumerates once for both consequences: the shown atoms' negations cost a shape of the shipped examples
# 13 to 18 ms once. An explanation's shape shows four to six times as many atoms (90 to 144 ms), for no gain
# measured: it enumerates both ways.
DECIDING = Grounding(negations=True)


def shape_program(policy: CheckedPolicy) -> str:
    """What the compiled program needs to hold no case: inputs always chosen, stated facts as externals."""
    out = ["#external _true(T) : _ask(_C,T).", "_tv(_C,T) :- _ask(_C,T), _true(T)."]
    for pred in policy.inputs():
        xs = [f"X{i}" for i in range(1, len(pred.params) + 1)]
        tup = tuple_text(xs)
        dom = [f"_entity({CASE},{p.type.name},{x})" for p, x in zip(pred.params, xs, strict=True)]
        if pred.is_bool and len(xs) > 1:
            dom += [f"{xs[0]} != {x}" for x in xs[1:]]
            if not pred.default_false:
                out.append(f"#external _closed({CASE},{pred.name},X) : _entity({CASE},{pred.params[0].type.name},X).")
        body = ", ".join(dom)
        if not pred.default_false:
            out.append(f"#external _given({CASE},{pred.name},{tup}) : {body}.")
        out.append(input_choice(pred, body))
    # Two computed values of one fact: whether they differ is known only from the case (solver.compile.conflicts).
    for pred in policy.predicates.values():
        if pred.is_input or not isinstance(pred.value, n.IntType | n.DateType):
            continue
        xs = [f"X{i}" for i in range(1, len(pred.params) + 1)]
        both = f"{pred.name}({','.join([CASE, *xs])},V), {pred.name}({','.join([CASE, *xs])},W), V < W"
        out.append(f"#external _differ({CASE},V,W) : {both}, @distinct(V,W) = 0.")
        out.append(f"_clash({pred.name},{CASE},{tuple_text(xs)}) :- {both}, _differ({CASE},V,W).")
    return "\n".join(out) + "\n"


@dataclass
class _Inputs:
    """The grounded atoms a case's facts set, by predicate and pooled arguments."""

    atoms: dict[tuple[str, tuple[str, ...]], int]  # yes/no inputs
    valued: dict[tuple[str, tuple[str, ...]], dict[str, int]]  # enumeration and entity inputs, by value
    given: dict[tuple[str, tuple[str, ...]], int]
    closed: dict[tuple[str, str], int]
    comparisons: list[tuple[Comparison, int, int]]  # each comparison's term read once, `_true(T)`, `_tv(0,T)`
    differ: list[tuple[Expr, Expr, int]]  # two computed values of one fact, `_differ(0,V,W)`, read once
    yes_no: list[tuple[tuple[str, tuple[str, ...]], int, bool]]  # `atoms` with whether each is false by default


@dataclass(frozen=True)
class Setting:
    """A case in its shape: pooled ids, values by `u(...)` term, assumptions, and its unknown facts (pooled)."""

    pooled: dict[str, str]
    known: dict[Key, int]  # the case's numbers and dates, by (input, pooled arguments)
    assumptions: list[int]
    free: bool  # whether anything is left to enumerate
    unknown: list[tuple[str, tuple[str, ...]]]


class Shape:
    """One grounding of `copies` copies of a case (numbered 0, 1, ...), and the literals a case sets in each."""

    def __init__(
        self, program: AspProgram, policy: CheckedPolicy, counts: tuple[tuple[str, int], ...], of: Grounding
    ) -> None:
        extra, shows, copies = of.extra, of.shows, of.copies
        self.policy = policy
        self.copies = copies
        self.lock = threading.Lock()
        ctl, messages = new_control([])  # not CHUNK_ARGUMENTS: see there
        recorder = Recorder() if of.cones else None
        if recorder is not None:
            ctl.register_observer(recorder)
        shown = "" if shows is None else show_directives(policy, shows)  # None: the extra program's own
        # The shown predicates, whose atoms get a negation each (`negated`) the first time a case enumerates.
        self._signatures = [(m[1], int(m[2])) for m in _SHOW.finditer(shown)] if of.negations else []
        shown += "\n#show _neg/1." if of.negations else ""
        self._negated: dict[int, int] | None = None
        try:
            add_program(ctl, (program.text, shown + "\n" + extra + "\n" + shape_program(policy)))
            with ctl.backend() as backend:
                for cid in range(copies):
                    for name, *args in [("_case",), ("_today", _TODAY)] + [
                        ("_entity", Function(t), String(_pooled(ti, i)))
                        for ti, (t, k) in enumerate(counts)
                        for i in range(k)
                    ]:
                        backend.add_rule([backend.add_atom(Function(name, [Number(cid), *args]))])
            context = Context()
            ctl.ground([("base", [])], context=context)
        except RuntimeError as err:
            raise messages.fail("compiled program", err) from None
        if context.faults:
            raise Fallback
        self.ctl = ctl
        self.atoms = len(ctl.symbolic_atoms)
        arities = {p.name: len(p.params) for p in policy.predicates.values()}
        inputs = {p.name for p in policy.inputs()}
        self.cones = None if recorder is None else Cones(recorder, ctl, arities, inputs)  # what each verdict reads
        self._guards: dict[tuple[int, int], int] = {}  # (literal, literal) that cannot both hold -> its guard
        self._asked: dict[int, int] = {}  # a comparison's `_tv` -> its `_ask`: "not true" of an asked one only
        self.inputs = [self._inputs(Number(cid)) for cid in range(copies)]
        self._kinds = {p.name: _kind(p) for p in policy.inputs()}
        self.shown: dict[int, _Shown] = {}  # by the symbol's id: its text, and its term if it holds values
        for name, arity in EXTERNALS:
            for a in ctl.symbolic_atoms.by_signature(name, arity):
                if a.is_external:
                    ctl.assign_external(a.literal, None)  # free: each solve sets every one it reads by an assumption

    def _inputs(self, cid: Symbol) -> _Inputs:
        atoms = self.ctl.symbolic_atoms
        inputs = _Inputs({}, {}, {}, {}, [], [], [])
        for pred in self.policy.inputs():
            arity = len(pred.params)
            if pred.is_bool:
                for a in atoms.by_signature(pred.name, arity + 1):
                    if a.symbol.arguments[0] == cid:
                        inputs.atoms[(pred.name, _strings(a.symbol.arguments[1:]))] = a.literal
            elif isinstance(pred.value, n.EnumType | n.EntityType):
                for a in atoms.by_signature(pred.name, arity + 2):
                    if a.symbol.arguments[0] == cid:
                        key = (pred.name, _strings(a.symbol.arguments[1:-1]))
                        value = a.symbol.arguments[-1]  # an id (pooled) or an enumeration value, by its text
                        text = value.string if value.type == clingo.SymbolType.String else value.name
                        inputs.valued.setdefault(key, {})[text] = a.literal
        defaults = {p.name: p.default_false for p in self.policy.inputs()}
        inputs.yes_no = [(key, literal, defaults[key[0]]) for key, literal in inputs.atoms.items()]
        for a in atoms.by_signature("_given", 3):
            if a.symbol.arguments[0] == cid:
                inputs.given[(a.symbol.arguments[1].name, _strings(a.symbol.arguments[2].arguments))] = a.literal
        for a in atoms.by_signature("_closed", 3):
            if a.symbol.arguments[0] == cid:
                inputs.closed[(a.symbol.arguments[1].name, a.symbol.arguments[2].string)] = a.literal
        for a in atoms.by_signature("_differ", 3):
            if a.symbol.arguments[0] == cid:
                v, w = a.symbol.arguments[1:]
                inputs.differ.append((read_term(v), read_term(w), a.literal))
        for a in atoms.by_signature("_true", 1):
            tv = atoms[Function("_tv", [cid, a.symbol.arguments[0]])]
            ask = atoms[Function("_ask", [cid, a.symbol.arguments[0]])]
            if tv is not None:
                inputs.comparisons.append((Comparison(a.symbol.arguments[0]), a.literal, tv.literal))
                if ask is not None:
                    self._asked[tv.literal] = ask.literal
        return inputs

    def setting(self, case: Case) -> Setting:
        """What a case of this shape sets: its values, the assumptions of every copy, its unknown facts."""
        pooled = pooled_ids(self.policy, case)
        try:
            outcomes: dict[int, bool | None] = {}  # by the comparison's `_true`: the copies share it
            parts = [self._assumptions(case, pooled, inputs, outcomes) for inputs in self.inputs]
        except KeyError:  # a fact outside the grounded domain (a relation of an entity with itself)
            raise Fallback from None
        known = parts[0][0]
        # A guard the case does not assume stays free: it only appears in its constraint, so every model with it
        # true is also a model with it false, and the consequences are those without the constraint. Assuming
        # the others false would grow each case's assumptions with every guard the process has made.
        assumptions = [literal for part in parts for literal in part[1]]
        return Setting(pooled, known, assumptions, any(part[2] for part in parts), parts[0][3])

    def _consistent(self, open_: list[tuple[Comparison, int]], known: dict[Key, int]) -> list[int]:
        """The assumptions that make the comparisons a case leaves open answer alike, as the reference path's
        constraints do (solver.compile.emit.CONSISTENT): there the bounds are numbers when grounding, here only
        once the case gives them. Each excluded pair of answers is a constraint guarded by an external atom,
        added to the grounding the first time a case needs it and assumed true for the cases that do."""
        bounds: dict[Expr, list[tuple[Bound, int]]] = {}
        for check, tv in open_:
            found = _bound(check, known)
            if found is not None and tv in self._asked:
                bounds.setdefault(found[0], []).append((found[1], tv))
        needed: set[int] = set()
        for compared in bounds.values():
            for (one, tv1), (other, tv2) in itertools.combinations(compared, 2):
                for holds1, holds2 in itertools.product((True, False), repeat=2):
                    if not one.meets(other, holds1, holds2):
                        needed.add(self._guard(tv1 if holds1 else -tv1, tv2 if holds2 else -tv2))
        return sorted(needed)

    def _guard(self, first: int, second: int) -> int:
        key = (first, second)
        if key not in self._guards:
            body = [lit for tv in (first, second) for lit in ([tv] if tv > 0 else [tv, self._asked[-tv]])]
            with self.lock, self.ctl.backend() as backend:
                atom = backend.add_atom(Function("_excluded", [Number(len(self._guards))]))
                backend.add_external(atom, clingo.TruthValue.Free)
                backend.add_rule([], [*body, atom])
            self._guards[key] = atom
        return self._guards[key]

    def solve(self, case: Case) -> tuple[list[str], list[str]]:
        """The case's brave and cautious atom texts, as the reference path gives them (solver.solve.run)."""
        setting = self.setting(case)
        names = {f'"{v}"': f'"{k}"' for k, v in setting.pooled.items()}
        reader = _Reader(names, setting.known, self.shown)
        with self.lock:
            negated = self.negated() if setting.free and self._signatures else self._negated
            brave, cautious = _consequences(self.ctl, setting.assumptions, setting.free, reader, negated)
        _check_clash(brave)
        return brave, cautious

    def negated(self) -> dict[int, int]:
        """Each shown atom's negation `_neg(A)`, true when A is false, by the symbol's id, with A's id: one brave
        enumeration then gives the cautious consequences too (the brave atoms whose negation is never brave):
        rania-psr-montreal-group.yaml's verdicts took 12.8 to 15.6 ms a decision with two, 10.8 to 12.7 with one.
        Added to the grounding the first time a case of the shape has anything to enumerate; the caller holds the
        lock."""
        if self._negated is None:
            negated: dict[int, int] = {}
            atoms = self.ctl.symbolic_atoms
            with self.ctl.backend() as backend:
                for name, arity in self._signatures:
                    for a in atoms.by_signature(name, arity):
                        negation = Function("_neg", [a.symbol])
                        backend.add_rule([backend.add_atom(negation)], [-a.literal])
                        negated[negation._rep] = a.symbol._rep
            self._negated = negated
        return self._negated

    def _assumptions(
        self, case: Case, pooled: dict[str, str], inputs: _Inputs, outcomes: dict[int, bool | None]
    ) -> tuple[dict[Key, int], list[int], bool, list[tuple[str, tuple[str, ...]]]]:
        """One copy's assumptions; `outcomes` keeps each comparison's answer for the case, which every copy
        of it asks alike."""
        known: dict[Key, int] = {("_today", ()): calendar.to_day(case.assessment_date)}
        out: list[int] = []
        stated: set[tuple[str, tuple[str, ...]]] = set()
        kinds = self._kinds
        for f in case.facts:
            key = (f.pred, tuple([pooled[a] for a in f.args]))
            stated.add(key)
            kind = kinds[f.pred]
            if kind is _YES_NO:
                out.append(inputs.atoms[key] if f.value is True else -inputs.atoms[key])
            elif kind is _ENTITY:
                out.append(inputs.valued[key][pooled[str(f.value)]])
            elif kind is _ENUM:
                out.append(inputs.valued[key][str(f.value)])
            else:
                known[key] = encode(f.value, self.policy.predicates[f.pred].value).number
        closed = {(c.pred, pooled[c.first]) for c in case.closed}
        free = False
        for key, literal, false_by_default in inputs.yes_no:
            if key in stated:
                continue
            if false_by_default or (len(key[1]) > 1 and (key[0], key[1][0]) in closed):
                out.append(-literal)
            else:
                free = True
        free = free or any(key not in stated for key in inputs.valued)
        out += [literal if key in stated else -literal for key, literal in inputs.given.items()]
        out += [literal if key in closed else -literal for key, literal in inputs.closed.items()]
        open_: list[tuple[Comparison, int]] = []
        for check, true, tv in inputs.comparisons:
            if true in outcomes:
                holds = outcomes[true]
            else:
                try:
                    holds = outcomes[true] = check.holds(known)
                except Fault:
                    raise Fallback from None
            if holds is None:
                out.append(-true)
                free = True
                open_.append((check, tv))
            else:
                out += [true] if holds else [-true, -tv]
        try:
            out += self._consistent(open_, known)
            differing = [(value_of(v, known), value_of(w, known), literal) for v, w, literal in inputs.differ]
        except Fault:
            raise Fallback from None
        out += [
            literal if isinstance(v, int) and isinstance(w, int) and v != w else -literal for v, w, literal in differing
        ]
        unknown = [
            key
            for key in inputs.given
            if key not in stated
            and not (len(key[1]) > 1 and kinds[key[0]] is _YES_NO and (key[0], key[1][0]) in closed)
        ]
        return known, out, free, unknown


_YES_NO, _ENTITY, _ENUM, _NUMBER = "yes/no", "entity", "enumeration", "number"  # how a case's fact is set


def _kind(pred: n.Predicate) -> str:
    if pred.is_bool:
        return _YES_NO
    if isinstance(pred.value, n.EntityType):
        return _ENTITY
    return _ENUM if isinstance(pred.value, n.EnumType) else _NUMBER


def _pooled(type_index: int, i: int) -> str:
    return f"_{type_index}_{i:03d}"


def counts_of(policy: CheckedPolicy, case: Case) -> tuple[tuple[str, int], ...]:
    """The case's shape: how many entities of each type of the policy."""
    return tuple((t, sum(1 for e in case.entities if e.type == t)) for t in sorted(policy.entities))


def pooled_ids(policy: CheckedPolicy, case: Case) -> dict[str, str]:
    """Each entity id of the case and the pooled id that stands for it in its shape's grounding."""
    out: dict[str, str] = {}
    for ti, (t, _) in enumerate(counts_of(policy, case)):
        for i, e in enumerate(sorted((e for e in case.entities if e.type == t), key=lambda e: e.id)):
            out[e.id] = _pooled(ti, i)
    return out


def _strings(symbols: list[Symbol]) -> tuple[str, ...]:
    return tuple(s.string for s in symbols)


def _consequences(
    ctl: clingo.Control,
    assumptions: list[int],
    free: bool,
    read: Callable[[int], str],
    negated: dict[int, int] | None = None,
) -> tuple[list[str], list[str]]:
    """Brave and cautious atom texts; `read` gives an atom's text from its symbol's id."""

    def last(mode: str | None) -> list[int]:
        enumerating(ctl, mode)
        found: list[list[int]] = []
        assumed.solve(ctl, assumptions, lambda m: found.append(assumed.shown_ids(m)))
        return found[0] if found else []

    if not free:
        only = [read(rep) for rep in last(None) if negated is None or rep not in negated]
        return only, only
    if negated is None:
        return [read(rep) for rep in last("brave")], [read(rep) for rep in last("cautious")]
    # An atom is cautious when its negation is true in no model: brave over both gives the two at once.
    shown: list[int] = []
    sometimes_false: set[int] = set()
    for rep in last("brave"):
        of = negated.get(rep)
        if of is None:
            shown.append(rep)
        else:
            sometimes_false.add(of)
    brave = [read(rep) for rep in shown]
    return brave, [text for rep, text in zip(shown, brave, strict=True) if rep not in sometimes_false]


_Shown = tuple[tuple[str, ...], "Expr | None"]  # an atom's text split around pooled ids, its term with values


class _Reader:
    """Atoms as the reference path prints them: values worked out, pooled ids renamed. `shown` keeps, for the
    shape, each atom's text split around its pooled ids and, when it holds values (`u(...)`), its term read into
    Python data (solver.solve.compared). It is keyed by the symbol's id: clingo keeps one symbol for equal
    terms, and hashing a Symbol calls into clingo. A case reads each atom's text once (`texts`): its brave and
    cautious models share most atoms."""

    def __init__(self, names: dict[str, str], known: dict[Key, int], shown: dict[int, _Shown]):
        self.names = names
        self.known = known
        self.shown = shown
        self.texts: dict[int, str] = {}

    def __call__(self, rep: int) -> str:
        text = self.texts.get(rep)
        if text is not None:
            return text
        found = self.shown.get(rep)
        if found is None:  # the first time the shape shows this atom
            symbol = Symbol(rep)  # clingo keeps no public id: the object is made from it, as clingo's own code does
            raw = str(symbol)
            found = self.shown[rep] = (tuple(_POOLED.split(raw)), read_term(symbol) if "u(" in raw else None)
        parts, term = found
        if term is not None:
            try:
                text = term_text(value_of(term, self.known))
            except Fault:
                raise Fallback from None
            text = _POOLED.sub(lambda m: self.names[m[0]], text) if '"_' in text else text
        elif len(parts) == 1:
            text = parts[0]
        else:
            names = self.names
            text = "".join([p if i % 2 == 0 else names[p] for i, p in enumerate(parts)])
        self.texts[rep] = text
        return text


@dataclass(frozen=True)
class Bound:
    """What a comparison of an unknown value with a number says of it: `U < n`, `U > n` or `U = n`. Which
    answers exclude each other is worked out from intervals here and listed in solver.compile.emit.CONSISTENT
    for the grounder; a test evaluates both on every pair of forms and small numbers."""

    kind: str  # "below", "above", "equal"
    number: int

    def span(self, holds: bool) -> tuple[float, float] | None:
        """The values of U for that answer, as an interval; None for `U != n` (all but one value)."""
        n_ = self.number
        if self.kind == "below":
            return (-math.inf, n_ - 1) if holds else (n_, math.inf)
        if self.kind == "above":
            return (n_ + 1, math.inf) if holds else (-math.inf, n_)
        return (n_, n_) if holds else None

    def meets(self, other: Bound, holds: bool, other_holds: bool) -> bool:
        """Whether some value of U gives both answers (the nine exclusions of the reference path)."""
        if self == other:
            return holds == other_holds
        a, b = self.span(holds), other.span(other_holds)
        if a is None or b is None:
            return True
        return max(a[0], b[0]) <= min(a[1], b[1])


def _bound(check: Comparison, known: dict[Key, int]) -> tuple[Expr, Bound] | None:
    """An open comparison as (the unknown value, its bound), for the forms the reference path relates:
    `U < n`, `n < U` and `U = n`."""
    if check.op is None:
        return None
    lt = check.op[1] == "lt"
    left, right = value_of(check.left, known), value_of(check.right, known)  # type: ignore[arg-type]
    if not isinstance(left, int) and isinstance(right, int):
        return left, Bound("below" if lt else "equal", right)
    if lt and isinstance(left, int) and not isinstance(right, int):
        return right, Bound("above", left)
    return None


def _check_clash(brave: list[str]) -> None:
    """A clash: the reference path decides the case, with what rests on it (solver.solve.decide)."""
    if any(text.startswith("_clash(") for text in brave):
        raise Fallback


_Key = tuple[str, Grounding, tuple[tuple[str, int], ...]]
_V = TypeVar("_V")
_SHAPES: OrderedDict[_Key, Shape] = OrderedDict()
_PARTS: OrderedDict[_Key, Shape] = OrderedDict()
_GROUNDING: set[_Key] = set()  # parts on their way (LATER)
# Never grounded again, their cases going the reference way: parts not kept for their size, and shapes whose
# grounding failed (a Fallback: its arithmetic faults; anything else reaches the caller who asked first, or for a
# part grounded on LATER, no one). The most recent last; a shape forgotten may be tried once more.
_NOT_KEPT: dict[_Key, None] = {}
_SEEN: dict[_Key, int] = {}  # how often each shape not yet grounded was asked for, the most recent last
SEEN_KEPT = 4096  # sightings kept, and shapes not kept: a server deciding cases of ever new shapes does not grow
_SHAPES_LOCK = threading.Lock()


def shape_for(program: AspProgram, policy: CheckedPolicy, case: Case, of: Grounding = DECIDING) -> Shape | None:
    """The grounding for the case's shape (with the rules, shows and copies `of` asks for), made when it is asked
    for the SIGHTINGS-th time (later for a LARGE one) and kept (SHAPES at most, or parts of PART_ATOMS atoms);
    None before."""
    counts = counts_of(policy, case)
    key = (program.text, of, counts)
    kept = _PARTS if of.part else _SHAPES
    with _SHAPES_LOCK:
        found = kept.get(key)
        if found is not None:
            kept.move_to_end(key)
            return found
        if key in _NOT_KEPT:
            return None
        _remembered(_SEEN, key, _SEEN.pop(key, 0) + 1)
        if _SEEN[key] < (SIGHTINGS if sum(k for _, k in counts) <= LARGE else SIGHTINGS + 2):
            return None
        if of.part and LATER is not None:
            if not _GROUNDING:  # one at a time: at exit, the process waits for one grounding at most
                del _SEEN[key]
                _GROUNDING.add(key)
                LATER.submit(_ground_part, program, policy, counts, of)
            return None
        del _SEEN[key]
    return _keep(key, _made(key, program, policy, counts, of))


def _made(
    key: _Key, program: AspProgram, policy: CheckedPolicy, counts: tuple[tuple[str, int], ...], of: Grounding
) -> Shape:
    try:
        return Shape(program, policy, counts, of)
    except Exception:
        with _SHAPES_LOCK:
            _not_kept(key)
        raise


def _not_kept(key: _Key) -> None:
    """(Holding the lock.) The shape is not grounded again while it is among the SEEN_KEPT last not kept."""
    _remembered(_NOT_KEPT, key, None)


def _remembered(table: dict[_Key, _V], key: _Key, value: _V) -> None:
    """(Holding the lock.) The key set last in the table, which keeps the SEEN_KEPT most recent."""
    table[key] = value
    if len(table) > SEEN_KEPT:
        del table[next(iter(table))]


def _keep(key: _Key, made: Shape) -> Shape:
    with _SHAPES_LOCK:
        if key[1].part and made.atoms > PART_ATOMS // 4:
            _not_kept(key)
        elif key[1].part:
            _PARTS[key] = made
            while len(_PARTS) > 1 and sum(s.atoms for s in _PARTS.values()) > PART_ATOMS:
                _PARTS.popitem(last=False)
        else:
            _SHAPES[key] = made
            while len(_SHAPES) > SHAPES:
                _SHAPES.popitem(last=False)
    return made


def _ground_part(
    program: AspProgram, policy: CheckedPolicy, counts: tuple[tuple[str, int], ...], of: Grounding
) -> None:
    key = (program.text, of, counts)
    try:
        _keep(key, _made(key, program, policy, counts, of))
    except Fallback:
        pass  # the whole's grounding goes on answering for this part
    finally:
        with _SHAPES_LOCK:
            _GROUNDING.discard(key)


def unseen(program: AspProgram, policy: CheckedPolicy, case: Case, of: Grounding = DECIDING) -> bool:
    """Whether no case of this shape was asked for yet (with these rules): `shape_for` will answer None."""
    key = (program.text, of, counts_of(policy, case))
    with _SHAPES_LOCK:
        return key not in (_PARTS if of.part else _SHAPES) and key not in _SEEN


# Cases of one shape asked together go one at a time from this many on (`best_alone`). Alone, the first three
# (the reference way, then grounding the shape, then the parts searched for missing facts) cost as much as 4
# (amina-selected.yaml) to 15 (mateo-federal-hc.yaml) decided with others; each later one, a third to two thirds
# of one decided with others, in that batch and in every one after it.
REPEATED = 8


def best_alone(program: AspProgram, policy: CheckedPolicy, cases: list[Case]) -> list[bool]:
    """Which of cases asked together are better decided one at a time: those of a shape whose grounding is kept
    (amina-selected.yaml worded for an answer: 60 ms, against 158 grounded with others), and those of a shape
    the cases repeat REPEATED times or more, which is then grounded for them and for those that follow."""
    if not ENABLED:
        return [False] * len(cases)
    counts = [counts_of(policy, case) for case in cases]
    with _SHAPES_LOCK:
        kept = {key[2] for key in _SHAPES if key[0] == program.text}
    tally = Counter(counts)
    return [c in kept or tally[c] >= REPEATED for c in counts]


def solve_shaped(
    program: AspProgram, policy: CheckedPolicy, case: Case, extra: str = "", shows: Shows = ()
) -> tuple[list[str], list[str]] | None:
    """The case's brave and cautious atom texts through its shape's grounding, as `control` and
    `consequence_texts` would give them; None when the case goes the reference way."""
    try:
        shape = shape_for(program, policy, case, Grounding(extra, shows) if extra or shows else DECIDING)
        return None if shape is None else shape.solve(case)
    except Fallback:
        return None
