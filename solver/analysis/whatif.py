"""What if: the smallest changes to a case's facts that would flip a verdict.

A *flip*: a yes/no verdict that holds comes to fail, one that fails to hold; a
valued verdict that holds with value v comes to hold another value or fail, one
that fails to hold; an undetermined verdict comes to be decided (holds or
fails), so `what_if` also answers "which changes would decide it".

Changeable facts: the inputs the verdict can depend on, of kind `input` and not
`fixed` (plus `judged` ones, or `fixed` ones, when asked). Yes/no inputs (relation pairs too,
never an entity with itself) can be set true or false, enumeration and entity
inputs to another value of their domain; numbers and dates are never changed.
A fact the case leaves unknown may be set too. Each changed fact costs 1; facts
left unknown stay unknown, and a flip must hold in every completion of them.

The search is clingo's, guided by counterexamples, on pairs of copies of the
case that share the change choices. The proposer minimises the number of
changes (`#minimize`, `--opt-mode=optN` projected on them) such that no pair is
a counterexample (a copy where the verdict did not flip, or two copies that
disagree on it); its first pair is free, each other pair pinned to the two
completions of a counterexample found so far. The checker takes the changes as
assumptions and looks for a counterexample to each proposal in the free pair;
one it finds is pinned into the proposer, so that proposal never returns. Both
are one grounding, told apart by the external `_checking`: the copies are
grounded once per verdict, not once for each role. Sets found are blocked with
their supersets, and the search goes up the costs (up to MAX_COST changes)
until `limit` sets are known to be the smallest. They are then applied to the
case and decided again with `decide_many`.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
import threading
import time
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

from clingo import Control, Function, Number, String, Symbol, SymbolType, Tuple_

from grammar.checks.checked import CheckedPolicy
from grammar.typed import nodes as n
from solver.analysis.parts import may_read, part, subject_reads
from solver.cases.case import Case, Fact, Value
from solver.compile.emit import AspProgram, tuple_text
from solver.compile.names import CASE, args_tuple, encode
from solver.solve.answer import Decision, Verdict, fact_text
from solver.solve.context import Context
from solver.solve.decide import decide_many
from solver.solve.run import add_case, add_text, new_control

MAX_COST = 4  # the largest number of changes searched
MAX_ROUNDS = 40  # proposals, at most
MAX_CANDIDATES = 32  # change sets taken from one proposal
MAX_NEW_PINS = 4  # counterexamples pinned before the proposer is asked again

Pin = tuple[str, tuple[Symbol, ...]]  # a fact about one copy, without the copy
Witness = tuple[tuple[Pin, ...], tuple[Pin, ...]]  # the two completions of a counterexample


@dataclass(frozen=True, slots=True)
class Change:
    """One fact set to a new value; `before` is None when the case leaves it unknown."""

    pred: str
    args: tuple[str, ...]
    before: bool | int | dt.date | str | None
    after: bool | int | dt.date | str

    def __str__(self) -> str:
        return f"{fact_text(self.pred, self.args)} = {_show(self.after)}"


@dataclass(frozen=True, slots=True)
class WhatIf:
    verdict: str
    subject: tuple[str, ...]
    changes: tuple[Change, ...]  # one minimal set of changes, applied together
    status: str  # the verdict's status and value after the changes
    value: object
    brings_in: tuple[str, ...]  # rules concluding the verdict after, not before
    takes_out: tuple[str, ...]  # rules concluding it before, not after


@dataclass(frozen=True, slots=True)
class _Position:
    """A changeable fact: its value in the case and the values it can take."""

    pred: n.Predicate
    args: tuple[str, ...]
    before: Value | None
    domain: tuple[Value, ...]

    @property
    def symbol(self) -> Symbol:
        return Tuple_([Function(self.pred.name), args_tuple(self.args)])

    def value_symbol(self, value: Value) -> Symbol:
        if isinstance(value, bool):
            return Function("true" if value else "false")
        return Function(str(value)) if isinstance(self.pred.value, n.EnumType) else String(str(value))


def _show(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def apply_changes(case: Case, changes: Iterable[Change]) -> Case:
    """A new Case with the changes applied: each changed fact is stated with its new value."""
    new = {(c.pred, c.args): c.after for c in changes}
    facts = [Fact(f.pred, f.args, new.pop((f.pred, f.args))) if (f.pred, f.args) in new else f for f in case.facts]
    facts += [Fact(pred, args, value) for (pred, args), value in new.items()]
    return replace(case, facts=tuple(facts))


def what_if(
    program: AspProgram,
    policy: CheckedPolicy,
    case: Case,
    verdict: str,
    subject: tuple[str, ...],
    *,
    include_judged: bool = False,
    include_fixed: bool = False,
    limit: int = 5,
) -> list[WhatIf]:
    """Up to `limit` smallest change sets that flip the verdict (see the module doc), by
    number of changes, then by the changes' text. Cases are decided on the part of the
    policy the verdict depends on (the rest cannot change it), compiled again from `policy`.
    Raises ValueError for an unknown verdict or subject, or a program compiled from another
    policy; solver.solve.run.InternalError when clingo rejects a program."""
    options = {"include_judged": include_judged, "include_fixed": include_fixed, "limit": limit}
    return what_if_within(program, policy, case, verdict, subject, **options)[0]  # type: ignore[arg-type]


def what_if_within(
    program: AspProgram,
    policy: CheckedPolicy,
    case: Case,
    verdict: str,
    subject: tuple[str, ...],
    *,
    include_judged: bool = False,
    include_fixed: bool = False,
    limit: int = 5,
    deadline: float | None = None,
) -> tuple[list[WhatIf], bool]:
    """As `what_if`, searching until `deadline` (time.monotonic) at most: the flips found by then, and
    whether the search was complete (False: stopped by the deadline, there may be smaller or other flips)."""
    pred = policy.predicates.get(verdict)
    if pred is None or pred.kind != "verdict":
        raise ValueError(f"no verdict {verdict!r} in the policy")
    if program.policy_hash != policy.hash:
        raise ValueError("the program was compiled from another policy")
    ids = {(e.type, e.id) for e in case.entities}
    typed = zip((p.type.name for p in pred.params), subject, strict=False)
    if len(subject) != len(pred.params) or any(t not in ids for t in typed):
        raise ValueError(f"{fact_text(verdict, subject)} is not a subject of {verdict} in case {case.id}")
    sub, sub_program = part(policy, verdict)
    case = _keep(case, sub.predicates, set())
    before = _decided(sub_program, sub, case).get(verdict, *subject)
    kinds = ("input", "judged") if include_judged else ("input",)
    changeable = [
        p for p in sub.inputs()
        if p.kind in kinds and (include_fixed or not p.fixed)
        and isinstance(p.value, n.BoolType | n.EnumType | n.EntityType)
    ]  # fmt: skip
    reads = subject_reads(sub, verdict, subject)
    positions = [p for p in _positions(case, changeable) if may_read(reads, p.pred.name, p.args)]
    if limit <= 0 or not positions:
        return [], True
    problem = _Problem(sub, sub_program, case, positions, pred, subject, before)
    search = _Search(problem)
    found: list[tuple[Change, ...]] = []

    def late() -> bool:
        return deadline is not None and time.monotonic() > deadline

    whole = True
    timer = _interrupt_at(deadline, search.ctl)
    try:
        for _ in range(MAX_ROUNDS):
            if late():
                whole = False
                break
            proposals, complete = search.propose()
            if late():  # a solve cut short proves nothing
                whole = False
                break
            # Every flip cheaper than the proposals has been found: the proposer never excludes one.
            if not proposals or sum(len(s) < len(proposals[0]) for s in found) >= limit:
                break
            pinned = 0
            for changes in proposals:
                witness = search.counterexample(changes)
                if late():
                    whole = False
                    break
                if witness is None:
                    found.append(changes)
                    search.block(changes)
                else:
                    search.add_pair(witness)
                    pinned += 1
                    if pinned == MAX_NEW_PINS:
                        break  # propose again: the pins rule out more than the rest of these checks would
            if not whole or (not pinned and complete and len(found) >= limit):
                break
    finally:
        if timer is not None:
            timer.cancel()
    found.sort(key=lambda s: (len(s), tuple(map(str, s))))
    found = found[:limit]
    decisions = decide_many(sub_program, sub, [apply_changes(case, s) for s in found], missing=False, by_shape=False)
    afters = [(s, d.get(verdict, *subject)) for s, d in zip(found, decisions, strict=True)]
    old = set(before.rules)
    return [
        WhatIf(verdict, subject, s, a.status, a.value, _sorted(set(a.rules) - old), _sorted(old - set(a.rules)))
        for s, a in afters if _flipped(pred, before, a)
    ], whole  # fmt: skip


def held(
    policy: CheckedPolicy,
    case: Case,
    verdict: str,
    subject: tuple[str, ...],
    *,
    include_judged: bool,
    include_fixed: bool,
) -> list[Fact]:
    """The facts of the case the subject's verdict can read that what-if holds as they are: past events (`fixed`)
    and officers' findings, unless asked."""
    reads = subject_reads(policy, verdict, subject)
    preds = policy.predicates
    return [
        f for f in case.facts
        if ((preds[f.pred].fixed and not include_fixed) or (preds[f.pred].kind == "judged" and not include_judged))
        and may_read(reads, f.pred, f.args)
    ]  # fmt: skip


def _sorted(rules: set[str]) -> tuple[str, ...]:
    return tuple(sorted(rules))


def _flipped(pred: n.Predicate, before: Verdict, after: Verdict) -> bool:
    if before.status == "undetermined":
        return after.status != "undetermined"
    if before.status == "fails":
        return after.status == "holds"
    if pred.is_bool:
        return after.status == "fails"
    return after.status == "fails" or (after.status == "holds" and after.value != before.value)


# A case decided on a verdict's part, kept for the part's other subjects: an explanation searches the verdict
# of each person of a family in turn, on the same part and the same case.
_DECIDED: dict[tuple[str, Case], Decision] = {}
MAX_DECIDED = 64


def _decided(program: AspProgram, policy: CheckedPolicy, case: Case) -> Decision:
    key = (policy.hash, case)
    found = _DECIDED.get(key)
    if found is None:
        if len(_DECIDED) >= MAX_DECIDED:
            _DECIDED.clear()
        found = _DECIDED[key] = decide_many(program, policy, [case], missing=False, by_shape=False)[0]
    return found


def _keep(case: Case, preds: Mapping[str, object], positions: Iterable[_Position]) -> Case:
    """The case with only the facts (and complete lists) of these predicates, less the positions."""
    out = {(p.pred.name, p.args) for p in positions}
    return replace(
        case,
        facts=tuple(f for f in case.facts if f.pred in preds and (f.pred, f.args) not in out),
        closed=tuple(c for c in case.closed if c.pred in preds),
    )


def _positions(case: Case, preds: list[n.Predicate]) -> list[_Position]:
    by_type: dict[str, list[str]] = defaultdict(list)
    for e in case.entities:
        by_type[e.type].append(e.id)
    stated = {(f.pred, f.args): f.value for f in case.facts}
    closed = {(c.pred, c.first) for c in case.closed}
    out: list[_Position] = []
    for pred in preds:
        domain: tuple[Value, ...]
        if isinstance(pred.value, n.EnumType):
            domain = pred.value.values
        elif isinstance(pred.value, n.EntityType):
            domain = tuple(by_type[pred.value.name])
        else:
            domain = (True, False)
        if not domain:
            continue
        for args in itertools.product(*(by_type[p.type.name] for p in pred.params)):
            if pred.is_bool and args[0] in args[1:]:
                continue
            before = stated.get((pred.name, args))
            if before is None and pred.is_bool and (pred.default_false or (pred.name, args[0]) in closed):
                before = False
            out.append(_Position(pred, args, before, domain))
    return out


# The proposer's choices: a value for at most one change per fact, as few changes as possible. When
# `_checking`, the choices are assumed (PAIR below); it shows what pins each copy of a counterexample.
SEARCH = f"""
#external _checking.
{{ _to(F,V) : _dom(F,V), not _before(F,V) }} 1 :- _pos(F).
_set(F) :- _to(F,_).
_known(F) :- _before(F,_).
_any :- _set(_).
:- not _any.
:- #count{{ F : _set(F) }} > {MAX_COST}.
#minimize {{ 1,F : _set(F) }}.
#show _to/2.
#show _xv(C,F,V) : _xv(C,F,V), C < 2.
#show _xu(C,P,A,V) : _xu(C,P,A,V), C < 2.
#show _xt(C,T,V) : _xt(C,T,V), C < 2.
#project _to/2.
"""
# A pair: no counterexample when proposing; when checking, the free pair (the first) must be one.
PAIR = """
:- _cex(_wi), not _checking.
:- not _cex(_wi), _checking, _wi = 0.
"""
# One copy `_wc` of the case: the compiled policy, the changeable facts, the pins, the verdict.
COPY = """
_val(_wc,F,V) :- _to(F,V).
_val(_wc,F,V) :- _before(F,V), not _set(F).
_val(_wc,F,V) :- _wv(_wc,F,V), not _set(F), not _known(F).
1 { _val(_wc,F,V) : _dom(F,V) } 1 :- _pos(F), not _set(F), not _known(F), not _wv(_wc,F,_).
:- _wt(_wc,T,1), _ask(_wc,T), not _tv(_wc,T).
:- _wt(_wc,T,0), _tv(_wc,T).
_xv(_wc,F,V) :- _val(_wc,F,V), not _known(F).
_xt(_wc,T,1) :- _ask(_wc,T), _tv(_wc,T).
_xt(_wc,T,0) :- _ask(_wc,T), not _tv(_wc,T).
"""


def _copy_rules(policy: CheckedPolicy, changeable: Iterable[n.Predicate], verdict: n.Predicate) -> str:
    lines = [COPY]
    for pred in changeable:
        xs = [f"X{i}" for i in range(1, len(pred.params) + 1)]
        val = f"_val(_wc,({pred.name},{tuple_text(xs)}),{'true' if pred.is_bool else 'V'})"
        lines.append(f"{pred.name}({','.join(['_wc', *xs, *([] if pred.is_bool else ['V'])])}) :- {val}.")
    for pred in policy.inputs():
        xs = [f"X{i}" for i in range(1, len(pred.params) + 1)]
        atom, key = f"{pred.name}({','.join(['_wc', *xs])}", f"_wc,{pred.name},{tuple_text(xs)}"
        if pred.is_bool:  # pin an unknown input to the value it had in a counterexample; show that value
            lines += [f":- _wu({key},true), not {atom}).", f":- _wu({key},false), {atom}).",
                      f"_xu({key},true) :- _unknown({key}), {atom}).",
                      f"_xu({key},false) :- _unknown({key}), not {atom})."]  # fmt: skip
        elif isinstance(pred.value, n.EnumType | n.EntityType):
            lines += [f":- _wu({key},V), not {atom},V).", f"_xu({key},V) :- _unknown({key}), {atom},V)."]
    xs = [f"X{i}" for i in range(1, len(verdict.params) + 1)]
    value = [] if verdict.is_bool else ["V"]
    lines.append(
        f"_v({','.join(['_wc', *value])}) :- _goal({tuple_text(xs)}), {verdict.name}({','.join(['_wc', *xs, *value])})."
    )
    return "\n".join(lines) + "\n"


def _pair_rules(verdict: n.Predicate, status: str) -> str:
    """`_cex(_wi)`: copies `_wa` and `_wb` show that the verdict did not flip."""
    lines = []
    for a, b in (("_wa", "_wb"), ("_wb", "_wa")):
        if verdict.is_bool:
            lines.append(f"_cex(_wi) :- _v({a}), not _v({b}).")
            lines += [f"_cex(_wi) :- _v({a})."] if status == "holds" else []
            lines += [f"_cex(_wi) :- not _v({a})."] if status == "fails" else []
        else:
            lines += [f"_cex(_wi) :- _v({a},V), not _v({b},V).", f"_cex(_wi) :- _v({a},V), @symbolic(V) = 1."]
            lines += [f"_cex(_wi) :- _v({a},V), _old(V)."] if status == "holds" else []
            lines += [f"_cex(_wi) :- not _v({a},_)."] if status == "fails" else []
    return "\n".join(lines) + "\n"


class _Context(Context):
    def symbolic(self, value: Symbol) -> Symbol:
        """1 for a value that depends on unknown facts (a term with arguments)."""
        return Number(int(value.type == SymbolType.Function and bool(value.arguments)))


def _interrupt_at(deadline: float | None, *controls: Control) -> threading.Timer | None:
    """A timer that interrupts whatever solve of these controls runs at `deadline` (time.monotonic)."""
    if deadline is None:
        return None

    def interrupt() -> None:
        for ctl in controls:
            ctl.interrupt()

    timer = threading.Timer(max(0.0, deadline - time.monotonic()), interrupt)
    timer.daemon = True
    timer.start()
    return timer


class _Problem:
    """The case with its changeable facts taken out, and the programs that ground it in copies."""

    def __init__(
        self, policy: CheckedPolicy, program: AspProgram, case: Case, positions: list[_Position],
        verdict: n.Predicate, subject: tuple[str, ...], before: Verdict,
    ) -> None:  # fmt: skip
        self.policy, self.positions, self.subject = policy, positions, subject
        preds = {p.pred.name: p.pred for p in positions}
        self.reduced = _keep(case, {k: v for k, v in policy.predicates.items() if k not in preds}, positions)
        compiled = re.sub(rf"\b{CASE}\b", "_wc", program.text)  # the case variable becomes the part's parameter
        self.copy = compiled + _copy_rules(policy, preds.values(), verdict)
        self.pair = _pair_rules(verdict, before.status)
        valued = before.status == "holds" and not verdict.is_bool and before.value is not None
        self.old = encode(before.value, verdict.value) if valued else None  # type: ignore[arg-type]
        self.changes = {
            Function("_to", [p.symbol, p.value_symbol(v)]): Change(p.pred.name, p.args, p.before, v)
            for p in positions for v in p.domain if v != p.before
        }  # fmt: skip


class _Search:
    """The proposer and the checker: pairs of copies of the case in one control, grounded as they come."""

    def __init__(self, problem: _Problem) -> None:
        self.problem, self.pairs = problem, 0
        self.ctl, self.messages = new_control(["--opt-mode=optN", "--project=project", "0"])
        try:
            add_text(self.ctl, SEARCH)
            add_text(self.ctl, problem.copy, "copy", ["_wc"])
            add_text(self.ctl, problem.pair + PAIR, "pair", ["_wi", "_wa", "_wb"])
        except RuntimeError as err:
            raise self.messages.fail("what-if program", err) from None
        self.add_pair(((), ()))
        atoms = self.ctl.symbolic_atoms
        self.ctl.assign_external(Function("_checking"), None)  # free: each solve assumes its role
        self.checking = atoms[Function("_checking")].literal  # type: ignore[union-attr]
        self.literals = {change: atoms[sym].literal for sym, change in problem.changes.items()}  # type: ignore[union-attr]

    def add_pair(self, witness: Witness) -> None:
        """A pair of copies, each pinned to one completion of a counterexample (free when empty)."""
        p, i = self.problem, self.pairs
        self.pairs += 1
        cids = (Number(2 * i), Number(2 * i + 1))
        try:
            with self.ctl.backend() as b:

                def fact(name: str, *args: Symbol) -> None:
                    b.add_rule([b.add_atom(Function(name, list(args)))])

                if i == 0:
                    fact("_goal", Tuple_([String(s) for s in p.subject]))
                    if p.old is not None:
                        fact("_old", p.old)
                    for pos in p.positions:
                        fact("_pos", pos.symbol)
                        if pos.before is not None:
                            fact("_before", pos.symbol, pos.value_symbol(pos.before))
                        for v in pos.domain:
                            fact("_dom", pos.symbol, pos.value_symbol(v))
                for cid, pins in zip(cids, witness, strict=True):
                    add_case(b, p.policy, p.reduced, cid)
                    for pos in p.positions:
                        fact("_given", cid, Function(pos.pred.name), args_tuple(pos.args))
                    for name, args in pins:
                        fact(name, cid, *args)
            parts = [("copy", [cids[0]]), ("copy", [cids[1]]), ("pair", [Number(i), *cids])]
            self.ctl.ground([("base", [])] * (i == 0) + parts, context=_Context())
        except RuntimeError as err:
            raise self.messages.fail("what-if program", err) from None

    def block(self, changes: tuple[Change, ...]) -> None:
        """No proposal may include these changes (the checker still tries them)."""
        try:
            with self.ctl.backend() as b:
                b.add_rule([], [*(self.literals[c] for c in changes), -self.checking])
        except RuntimeError as err:
            raise self.messages.fail("what-if search", err) from None

    def propose(self) -> tuple[list[tuple[Change, ...]], bool]:
        """The optimal change sets (at most MAX_CANDIDATES); whether that is all of them."""
        sets: list[tuple[Change, ...]] = []
        solve = self.ctl.configuration.solve
        solve.opt_mode, solve.models = "optN", 0  # type: ignore[union-attr]
        try:
            with self.ctl.solve(assumptions=[-self.checking], yield_=True) as handle:
                for model in handle:
                    if model.optimality_proven:
                        if len(sets) == MAX_CANDIDATES:
                            return sets, False
                        shown = model.symbols(shown=True)
                        changes = (self.problem.changes[s] for s in shown if s.name == "_to")
                        sets.append(tuple(sorted(changes, key=str)))
        except RuntimeError as err:
            raise self.messages.fail("what-if search", err) from None
        return sets, True

    def counterexample(self, changes: tuple[Change, ...]) -> Witness | None:
        """Two completions of the case, changed, in which the verdict did not flip; None if there are none."""
        chosen = set(changes)
        assumed = [self.checking, *(lit if c in chosen else -lit for c, lit in self.literals.items())]
        solve = self.ctl.configuration.solve
        solve.opt_mode, solve.models = "ignore", 1  # type: ignore[union-attr]
        pins: tuple[list[Pin], list[Pin]] = ([], [])
        try:
            with self.ctl.solve(assumptions=assumed, yield_=True) as handle:
                model = next(iter(handle), None)
                if model is None:
                    return None
                for s in model.symbols(shown=True):
                    if s.name != "_to" and (copy := s.arguments[0].number) < 2:
                        pins[copy].append(("_w" + s.name[2:], tuple(s.arguments[1:])))
        except RuntimeError as err:
            raise self.messages.fail("what-if check", err) from None
        return tuple(sorted(pins[0])), tuple(sorted(pins[1]))
