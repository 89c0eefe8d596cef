"""Fewer candidate values for a question whose part of the policy only compares its numbers and dates.

In the part of the policy that decides a question (solver/analysis/kept.py), when every number and date is an
input's value, a constant or the assessment date, and is only compared (`=`, `<`, `<=` ..., no arithmetic, no
count, no `years_since`), what holds depends only on how the inputs' values are ordered among themselves and against
the constants. A model of the universe uses at most K values of each kind, K being how many such inputs the
universe holds; mapping them, in order, onto the first K candidates of each stretch between two constants
keeps every comparison. So the question has an answer among those few candidates exactly when it has one among
all of them: a proof over a few dates instead of 52 takes milliseconds where the whole one took seconds.

A rule computing its value (`S + N days`) may stay in the part when nothing in the part compares that value
(a rule may give it as its own, `due(A) = D if answer_due(L) = D and ...`) and the question is not about
values (two rules giving the same one, one rule giving two): its subjects get a value however the inputs are
ordered. When the question is whether one rule adding days to a date gives a subject two values, the dates
are spaced further apart than the largest number of days, so that two sums are equal only when their dates
and their numbers are: those dates are not the universe's, so a model found there is no answer yet.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterator
from math import prod
from typing import TypeVar

from clingo import Symbol

from grammar.checks.checked import CheckedPolicy
from grammar.typed import nodes as n
from grammar.typed.normal import walk_terms
from solver.analysis.single import conjuncts
from solver.analysis.universe import version_days
from solver.compile.cone import reads

# Questions that compare values: `_h_clash(R,R)`, one rule giving a subject two values; `_h_clash(A,B)`, two
# rules giving it different ones; `_h_alone(R)`, a rule whose value no other rule gives.
ABOUT_VALUES = ("_h_clash", "_h_alone")
Candidates = tuple[list[dt.date], list[int]]
T = TypeVar("T", dt.date, int)


def fewer_candidates(
    part: CheckedPolicy, atom: Symbol, counts: dict[str, int], dates: list[dt.date], ints: list[int], today: dt.date
) -> Candidates | None:
    """The candidates the question `atom` needs on `part`, drawn from `dates` and `ints` (or, for a rule adding
    days to a date, dates far enough apart that no two sums meet), or None when its part computes with its
    values. `counts`: the universe's entities of each type; `today`: its assessment date."""
    terms = list(_terms(part))
    computed = _computed(part)
    if computed is None or any(_computes(t, part) for t in terms):
        return None
    date_constants = {t.value for t in terms if isinstance(t, n.DateLit)} | {today} | version_days(part)
    int_constants = {t.value for t in terms if isinstance(t, n.IntLit)}
    date_inputs = _inputs(part, n.DateType, counts)
    kept_ints = _kept(ints, int_constants, _inputs(part, n.IntType, counts))
    compared = _compared(atom, part)
    if not compared & {h.name for h in computed.values()}:
        return _kept(dates, date_constants, date_inputs), kept_ints
    rule = _one_rule(atom)
    if rule not in computed or not _adds_days(computed[rule].value):  # sums of two rules, or not of days
        return None
    spaced = _spaced(sorted(date_constants), date_inputs, max(kept_ints, default=0) + 1)
    sums = {d + dt.timedelta(days=i) for d in spaced or [] for i in kept_ints}
    return (spaced, kept_ints) if spaced and len(sums) == len(spaced) * len(kept_ints) else None


def _compared(atom: Symbol, part: CheckedPolicy) -> set[str]:
    """The predicates whose values the question compares."""
    if atom.name not in ABOUT_VALUES:
        return set()
    heads = {cr.id: cr.rule.head.name for cr in part.rules}
    return {heads[a.string] for a in atom.arguments if a.string in heads}


def _one_rule(atom: Symbol) -> str | None:
    """The rule of `_h_clash(R,R)`: whether one rule gives a subject two values."""
    first, *rest = atom.arguments
    return first.string if atom.name == "_h_clash" and rest == [first] else None


def _adds_days(value: n.Term | None) -> bool:
    """`D + N days`: a date and a number of days, neither computed."""
    return (
        isinstance(value, n.BinOp)
        and value.op == "+"
        and isinstance(value.left, n.Var | n.Call)
        and isinstance(value.right, n.Duration)
        and value.right.unit == "days"
    )


def _spaced(constants: list[dt.date], k: int, gap: int) -> list[dt.date] | None:
    """The constants, and `k` dates in each stretch between two, every two `gap` days apart or more; None where
    two constants are too close for that."""
    step = dt.timedelta(days=gap)
    out = [*constants]
    out += [constants[0] - j * step for j in range(1, k + 1)] + [constants[-1] + j * step for j in range(1, k + 1)]
    for low, high in itertools.pairwise(constants):
        if k and low + (k + 1) * step > high:
            return None
        out += [low + j * step for j in range(1, k + 1)]
    return sorted(out)


def _kept(candidates: list[T], constants: set[T], k: int) -> list[T]:
    """The constants among the candidates, and the first `k` candidates (in their order: nearest the assessment
    date first) of each stretch between two constants."""
    bounds = sorted(constants)
    taken: dict[int, int] = {}
    kept = []
    for value in candidates:
        stretch = sum(1 for b in bounds if b < value)
        if value in constants or taken.get(stretch, 0) < k:
            taken[stretch] = taken.get(stretch, 0) + (value not in constants)
            kept.append(value)
    return kept


def _inputs(part: CheckedPolicy, kind: type, counts: dict[str, int]) -> int:
    """How many values of that kind the universe's inputs of the part hold."""
    return sum(prod(counts[p.type.name] for p in pred.params) for pred in part.inputs() if isinstance(pred.value, kind))


def _conditions(part: CheckedPolicy, rules: list[n.Rule] | None = None) -> Iterator[n.Cond]:
    """The conditions of the part: of its `rules` (all by default), invariants, applicability and grounds."""
    for rule in [cr.rule for cr in part.rules] if rules is None else rules:
        yield from (c for c in (rule.body, *rule.exceptions) if c is not None)
        yield from _window(rule)
    yield from (ci.invariant.cond for ci in part.invariants)
    for pred in part.predicates.values():
        yield from ([pred.applies] if pred.applies is not None else [])
        yield from (g.cond for g in pred.grounds)


def _window(rule: n.Rule) -> Iterator[n.Cond]:
    """The comparison choosing the rule's version by a date of the case, if it has one."""
    window = rule.in_force
    if window is not None and window.as_of is not None:
        yield n.Compare("=", window.as_of, window.as_of, window.span)


def _terms(part: CheckedPolicy) -> Iterator[n.Term]:
    """Every term of the part's conditions, and the values its rules give that are no computation."""
    for cond in _conditions(part):
        yield from walk_terms(cond)
    for cr in part.rules:
        value = cr.rule.head.value
        if value is not None and not _computes(value, part):
            yield value


def _computes(term: n.Term | None, part: CheckedPolicy) -> bool:
    """Arithmetic, a count or a function of the calendar: not a plain value."""
    if isinstance(term, n.Call):
        return term.name not in part.predicates or any(_computes(a, part) for a in term.args)
    return isinstance(term, n.BinOp | n.Duration | n.Count)


def _computed(part: CheckedPolicy) -> dict[str, n.Head] | None:
    """The rules giving a computed value (`S + N days`), or copying one (`refusal_due(A) = D if due(L) = D and
    ...`, D read nowhere else): their heads by rule. None when a computed value is read any other way."""
    computed = {cr.id: cr.rule.head for cr in part.rules if _computes(cr.rule.head.value, part)}
    copies: dict[str, n.Cond] = {}  # a copying rule's condition that reads the value
    grew = True
    while grew:
        names = {h.name for h in computed.values()}
        found = {
            cr.id: (cr.rule.head, c) for cr in part.rules if (c := _copy(cr.rule, names)) and cr.id not in computed
        }
        computed |= {rule: head for rule, (head, _) in found.items()}
        copies |= {rule: c for rule, (_, c) in found.items()}
        grew = bool(found)
    names = {h.name for h in computed.values()}
    rules = {cr.id: cr.rule for cr in part.rules}
    other = [c for rule, copy in copies.items() for c in conjuncts(rules[rule].body) if c is not copy]
    kept = [cr.rule for cr in part.rules if cr.id not in copies]
    own = [c for r in copies for c in (*rules[r].exceptions, *_window(rules[r]))]
    conditions = [*_conditions(part, kept), *other, *own]
    return None if any(reads(c) & names for c in conditions) else computed


def _copy(rule: n.Rule, names: set[str]) -> n.Cond | None:
    """The condition `p(...) = D` by which the rule gives the computed value of `p` (one of `names`) as its own,
    D being its value and read nowhere else in the rule; None if the rule does not."""
    value = rule.head.value
    if not isinstance(value, n.Var):
        return None
    items = conjuncts(rule.body)
    for c in items:
        if isinstance(c, n.Compare) and c.op == "=":
            for call, var in ((c.left, c.right), (c.right, c.left)):
                if not (isinstance(call, n.Call) and call.name in names and isinstance(var, n.Var)):
                    continue
                rest = [i for i in items if i is not c] + list(rule.exceptions)
                uses = [t for r in rest for t in walk_terms(r) if isinstance(t, n.Var) and t.name == value.name]
                if var.name == value.name and not uses and all(isinstance(a, n.Var) for a in call.args):
                    return c
    return None
