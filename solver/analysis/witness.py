"""Witnesses: for each problem the analysis program says is possible, a small model of it, written as a case.

A target is the helper atom a model must have (`_h_clash(R1,R2)`, `_h_violated(I)`, `_h_gap(v)`). The model is
made small by dropping entities while the target stays possible, then by an optimising solve (fewest entities,
fewest true facts, values nearest the assessment date) in the time left; it is then read back as a complete case
(solver/analysis/universe.py), with the subject, or the invariant's bindings, that shows the problem.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import clingo
from clingo import Function, String, Symbol, SymbolType

from grammar.checks.checked import CheckedPolicy
from solver.analysis.universe import Universe, Witness, case_document, case_of
from solver.cases.case import CaseError


def valued_rules(policy: CheckedPolicy) -> dict[str, list[str]]:
    """The rules concluding each single-valued fact (verdicts and derived facts with a value)."""
    out: dict[str, list[str]] = {}
    for cr in policy.rules:
        pred = policy.predicates[cr.rule.head.name]
        if not pred.is_input and not pred.is_bool:
            out.setdefault(pred.name, []).append(cr.id)
    return out


def pairs(policy: CheckedPolicy) -> Iterator[tuple[str, str, str]]:
    """(predicate, R1, R2) for each pair of rules concluding it, R1 <= R2: a rule may give two values itself."""
    for pred, rules in sorted(valued_rules(policy).items()):
        ordered = sorted(rules)
        yield from ((pred, a, b) for i, a in enumerate(ordered) for b in ordered[i:])


@dataclass(frozen=True)
class Target:
    code: str
    subject: str  # the predicate or invariant
    rules: tuple[str, ...]  # a conflict's pair of rules
    atom: Symbol  # the helper atom a witness must have

    def describe(self) -> str:
        if self.code == "conflict":
            return f"conflict {' / '.join(self.rules)} on {self.subject}"
        return f"{'invariant' if self.code == 'invariant-broken' else 'gap of'} {self.subject}"


def targets(policy: CheckedPolicy, scoped: set[str], possible: set[Symbol]) -> Iterator[Target]:
    """What to find a witness for: each pair of rules that can give a subject two values, each invariant that can
    be broken, each verdict that can lack a value where it applies."""
    for pred, a, b in pairs(policy):
        if (atom := Function("_h_clash", [String(a), String(b)])) in possible:
            yield Target("conflict", pred, (a, b), atom)
    for inv in (ci.invariant.id for ci in policy.invariants):
        if (atom := Function("_h_violated", [String(inv)])) in possible:
            yield Target("invariant-broken", inv, (), atom)
    for v in sorted(p.name for p in policy.verdicts() if not p.is_bool and p.name in scoped):
        if (atom := Function("_h_gap", [Function(v)])) in possible:
            yield Target("gap", v, (), atom)


def _solve(
    ctl: clingo.Control, assumptions: list[tuple[Symbol, bool]], seconds: float, opt: bool
) -> list[Symbol] | None:
    """The last model found within the time (the best one when optimising); None if none was found."""
    conf = ctl.configuration.solve
    conf.enum_mode, conf.opt_mode, conf.models = "auto", "opt" if opt else "ignore", 0 if opt else 1  # type: ignore[union-attr]
    best: list[list[Symbol]] = []

    def on_model(model: clingo.Model) -> None:
        best[:] = [model.symbols(atoms=True)]

    with ctl.solve(assumptions=assumptions, on_model=on_model, async_=True) as handle:  # type: ignore[call-overload]
        if not handle.wait(max(seconds, 0.05)):
            handle.cancel()
        handle.get()
    return best[0] if best else None


def small_model(ctl: clingo.Control, target: Symbol, seconds: float) -> list[Symbol] | None:
    """A model with the target, made small: entities dropped one by one while the target stays possible,
    then an optimising solve (fewest true facts, values nearest the boundaries) in the time left."""
    deadline = time.perf_counter() + seconds
    atoms = _solve(ctl, [(target, True)], seconds, opt=False)
    if atoms is None:
        return None
    entities = [a.symbol for a in ctl.symbolic_atoms.by_signature("_entity", 3)]
    present = set(atoms)
    assume = [(target, True), *((e, False) for e in entities if e not in present)]
    for e in sorted((e for e in entities if e in present), reverse=True):
        smaller = _solve(ctl, [*assume, (e, False)], min(0.5, deadline - time.perf_counter()), opt=False)
        if smaller is not None:
            atoms, assume = smaller, [*assume, (e, False)]
    best = _solve(ctl, assume, deadline - time.perf_counter(), opt=True)
    return best if best is not None else atoms


def witnesses(
    ctl: clingo.Control, policy: CheckedPolicy, targets: list[Target], universe: Universe, say: Callable[[str], None]
) -> list[Witness]:
    out = []
    for i, t in enumerate(targets, 1):
        say(f"{t.describe()} ({i} of {len(targets)})")
        atoms = small_model(ctl, t.atom, universe.witness_seconds)
        w = _decode(policy, t, atoms, universe) if atoms is not None else None
        out += [w] if w is not None else []
    return out


def _text(s: Symbol) -> str:
    return s.string if s.type == SymbolType.String else str(s)


def _decode(policy: CheckedPolicy, t: Target, atoms: list[Symbol], universe: Universe) -> Witness | None:
    """The model as a complete case, with the subject or bindings that show the problem."""
    bindings: tuple[str, ...] = ()
    if t.code == "invariant-broken":
        broken = sorted(s for s in atoms if s.name == "_violated" and s.arguments[0] == String(t.subject))
        key: tuple[str, ...] | None = () if broken else None
        bindings = tuple(_text(a) for a in broken[0].arguments[2].arguments) if broken else ()
    elif t.code == "conflict":
        key = _clash_key(atoms, *t.rules)
    else:
        key = _gap_key(atoms, t.subject, len(policy.predicates[t.subject].params))
    if key is None:
        return None
    case_id = re.sub(r"[^A-Za-z0-9._-]+", "-", "-".join([t.code, t.subject, *key])).strip("-")
    doc = case_document(policy, atoms, case_id, universe.assessment_date)
    try:
        case = case_of(policy, doc, f"<{case_id}>")
    except CaseError:  # a model a case file cannot state: no counterexample to show
        return None
    return Witness(t.code, t.subject, key, t.rules, doc, case, bindings)


def _clash_key(atoms: list[Symbol], r1: str, r2: str) -> tuple[str, ...] | None:
    """The first subject the two rules give two values in the model."""
    fired: dict[tuple[str, tuple[str, ...]], set[Symbol]] = {}
    for s in atoms:
        if s.name == "_fired" and len(s.arguments) == 4 and s.arguments[0] in (String(r1), String(r2)):
            key = tuple(_text(a) for a in s.arguments[2].arguments)
            fired.setdefault((s.arguments[0].string, key), set()).add(s.arguments[3])
    for key in sorted({k for _, k in fired}):
        a, b = fired.get((r1, key), set()), fired.get((r2, key), set())
        if a and b and len(a | b) > 1:
            return key
    return None


def _gap_key(atoms: list[Symbol], verdict: str, arity: int) -> tuple[str, ...] | None:
    """The first subject in scope with no value in the model."""
    valued = {tuple(_text(a) for a in s.arguments[1:-1]) for s in atoms if s.name == verdict}
    valued = {k for k in valued if len(k) == arity}
    scoped = (s.arguments[2] for s in atoms if s.name == "_applies" and s.arguments[0] == Function(verdict))
    return next((k for k in sorted(tuple(_text(a) for a in t.arguments) for t in scoped) if k not in valued), None)
