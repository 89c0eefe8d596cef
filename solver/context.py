"""Functions the grounder calls (`@add_months(D, 24)`): exact date arithmetic,
and arithmetic and comparison that carry unknown values through symbolically.

An unknown number or date is the term `u(pred, Args)`; arithmetic on it
yields a term naming the computation, and a comparison it takes part in
yields the term `cmp(Op, L, R)`, which the program turns into a free choice.
"""

from __future__ import annotations

from clingo import Function, Number, Symbol, SymbolType

from solver import calendar

ONE, ZERO = Number(1), Number(0)


def _known(*symbols: Symbol) -> bool:
    return all(s.type == SymbolType.Number for s in symbols)


def _date_op(name: str, d: Symbol, n: Symbol) -> Symbol:
    if not _known(d, n):
        return Function(name, [d, n])
    day, amount = d.number, n.number
    try:
        if name == "add_days":
            return Number(calendar.to_day(calendar.from_day(day + amount)))
        step = calendar.add_months if name == "add_months" else calendar.add_years
        return Number(calendar.to_day(step(calendar.from_day(day), amount)))
    except (ValueError, OverflowError):
        return Function("out_of_range", [d, n])


class Context:
    def add_days(self, d: Symbol, n: Symbol) -> Symbol:
        return _date_op("add_days", d, n)

    def add_months(self, d: Symbol, n: Symbol) -> Symbol:
        return _date_op("add_months", d, n)

    def add_years(self, d: Symbol, n: Symbol) -> Symbol:
        return _date_op("add_years", d, n)

    def plus(self, a: Symbol, b: Symbol) -> Symbol:
        return Number(a.number + b.number) if _known(a, b) else Function("plus", [a, b])

    def minus(self, a: Symbol, b: Symbol) -> Symbol:
        return Number(a.number - b.number) if _known(a, b) else Function("minus", [a, b])

    def years_between(self, a: Symbol, b: Symbol) -> Symbol:
        if not _known(a, b):
            return Function("years_between", [a, b])
        return Number(calendar.completed_years(calendar.from_day(a.number), calendar.from_day(b.number)))

    def months_between(self, a: Symbol, b: Symbol) -> Symbol:
        if not _known(a, b):
            return Function("months_between", [a, b])
        return Number(calendar.completed_months(calendar.from_day(a.number), calendar.from_day(b.number)))

    def days_between(self, a: Symbol, b: Symbol) -> Symbol:
        return Number(b.number - a.number) if _known(a, b) else Function("days_between", [a, b])

    def distinct(self, a: Symbol, b: Symbol) -> Symbol:
        """1 when both values are known and differ: only then do two conclusions surely disagree."""
        return ONE if _known(a, b) and a != b else ZERO

    def cmp(self, op: Symbol, left: Symbol, right: Symbol) -> Symbol:
        """1 or 0 when both sides are known; otherwise the comparison as a term."""
        if _known(left, right):
            holds = left.number < right.number if op.name == "lt" else left.number == right.number
            return ONE if holds else ZERO
        if left == right:  # the same unknown on both sides
            return ONE if op.name == "eq" else ZERO
        return Function("cmp", [op, left, right])

    def unknowns(self, term: Symbol) -> list[Symbol]:
        """The unknown inputs a symbolic value depends on, as `(pred, Args)` tuples."""
        found: list[Symbol] = []
        stack = [term]
        while stack:
            s = stack.pop()
            if s.type != SymbolType.Function:
                continue
            if s.name == "u" and len(s.arguments) == 2:
                found.append(Function("", list(s.arguments)))
            else:
                stack.extend(s.arguments)
        return found
