"""Values of terms in an explanation: the case's facts and the calendar, no solver."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from grammar.checks.checked import BUILTINS, CheckedPolicy
from grammar.typed import nodes as n
from solver.cases import calendar
from solver.solve.trace import Trace, Value

Plain = str | int | bool | dt.date | None


def as_value(raw: Value, type_: n.Type | None) -> Plain:
    """A raw atom argument as the policy means it: dates are day numbers in the solver."""
    if isinstance(raw, int) and isinstance(type_, n.DateType):
        return calendar.from_day(raw)
    if isinstance(raw, str | int):
        return raw
    return None  # a value that depends on unknown facts


def lookup(policy: CheckedPolicy, trace: Trace, pred: str, args: tuple[Plain, ...]) -> Plain:
    """The certain value of a value predicate for these arguments, if there is one."""
    decl = policy.predicates[pred]
    for atom in trace.atoms_from(pred, *args):
        if atom[:-1] == args and trace.holds(pred, atom):
            return as_value(atom[-1], decl.value)
    return None


def evaluate(term: n.Term, env: Mapping[str, Plain], policy: CheckedPolicy, trace: Trace, today: dt.date) -> Plain:
    if isinstance(term, n.Var):
        return env.get(term.name)
    if isinstance(term, n.IntLit | n.DateLit):
        return term.value
    if isinstance(term, n.Name):
        return term.name
    if isinstance(term, n.AssessmentDate):
        return today
    if isinstance(term, n.Call):
        args = tuple(evaluate(a, env, policy, trace, today) for a in term.args)
        if any(a is None for a in args):
            return None
        if term.name in BUILTINS:
            return _builtin(term.name, args, today)
        return lookup(policy, trace, term.name, args)
    if isinstance(term, n.BinOp):
        return _arith(term, env, policy, trace, today)
    return None  # a count is shown by its condition


def _builtin(name: str, args: tuple[Plain, ...], today: dt.date) -> Plain:
    dates = [a for a in args if isinstance(a, dt.date)]
    if len(dates) != len(args):
        return None
    if name.endswith("_since"):
        dates.append(today)
    start, end = dates
    if name.startswith("years"):
        return calendar.completed_years(start, end)
    if name.startswith("months"):
        return calendar.completed_months(start, end)
    return (end - start).days


def _arith(term: n.BinOp, env: Mapping[str, Plain], policy: CheckedPolicy, trace: Trace, today: dt.date) -> Plain:
    left = evaluate(term.left, env, policy, trace, today)
    sign = 1 if term.op == "+" else -1
    if isinstance(term.right, n.Duration):
        count = term.right.amount if isinstance(term.right.amount, int) else env.get(term.right.amount.name)
        if not isinstance(left, dt.date) or not isinstance(count, int):
            return None
        try:
            if term.right.unit == "days":
                return left + dt.timedelta(days=sign * count)
            months = sign * count * (12 if term.right.unit == "years" else 1)
            return calendar.add_months(left, months)
        except (ValueError, OverflowError):  # outside the calendar: no value to show
            return None
    right = evaluate(term.right, env, policy, trace, today)
    if isinstance(left, int) and isinstance(right, int):
        return left + sign * right
    return None
