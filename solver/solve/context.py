"""Functions the grounder calls (`@add_months(D, 24)`): exact date arithmetic,
and arithmetic and comparison that carry unknown values through symbolically.

An unknown number or date is the term `u(pred, Args)`; arithmetic on it
yields a term naming the computation, and a comparison it takes part in
yields the term `cmp(Op, L, R)`, which the program turns into a free choice.

Arithmetic calls also name the rule and the case (`@plus(A, B, "R1", _C)`):
a result outside clingo's 32-bit integers or outside the calendar is not
wrapped but recorded as a fault, which `faults_error` turns into an error
naming the rule and the case.
"""

from __future__ import annotations

from dataclasses import dataclass

from clingo import Function, Number, Symbol, SymbolType

from solver.cases import calendar

ONE, ZERO = Number(1), Number(0)
LT = Function("lt", [])
INT_MIN, INT_MAX = -(2**31), 2**31 - 1  # what clingo's numbers hold
OUT_OF_RANGE = Function("out_of_range", [])
UNITS = {"add_days": "days", "add_months": "months", "add_years": "years"}
BETWEEN = {"years_between": calendar.completed_years, "months_between": calendar.completed_months}


@dataclass(frozen=True, slots=True)
class Fault:
    """A computation whose result the solver cannot hold: the rule, the case's symbol, what was computed."""

    rule: str
    case: Symbol | None
    text: str
    date: bool  # a date outside the calendar, rather than a number out of range


def _known(*symbols: Symbol) -> bool:
    return all(s.type == SymbolType.Number for s in symbols)


def _rule(site: Symbol | None) -> str:
    return site.string if site is not None and site.type == SymbolType.String else "?"


def computed(name: str, a: int, b: int) -> int | None:
    """An arithmetic function of the program (`plus`, `add_months`, `days_between`, ...) on two known numbers;
    None when the result is not a number the solver holds or a day of the calendar. The grounder's calls
    (Context) and the shape path's evaluation (solver.solve.compared) both compute here."""
    try:
        if name in UNITS:
            start = calendar.from_day(a)  # the day itself must be in the calendar
            if name == "add_days":
                return calendar.to_day(calendar.from_day(a + b))
            step = calendar.add_months if name == "add_months" else calendar.add_years
            return calendar.to_day(step(start, b))
        if name in BETWEEN:
            return BETWEEN[name](calendar.from_day(a), calendar.from_day(b))
    except (ValueError, OverflowError):
        return None
    result = a + b if name == "plus" else a - b if name == "minus" else b - a if name == "days_between" else None
    if result is None:
        raise ValueError(f"no arithmetic function {name}")
    return result if INT_MIN <= result <= INT_MAX else None


class Context:
    def __init__(self) -> None:
        self.faults: list[Fault] = []
        # A comparison is grounded again for each rule and binding that makes it (about six times in a chunk
        # of cases): its outcome is kept, a call into Python being dearer than the look-up.
        self._compared: dict[tuple[Symbol, Symbol, Symbol], Symbol] = {}

    def _fault(self, site: Symbol | None, case: Symbol | None, text: str, *, date: bool) -> Symbol:
        if len(self.faults) < 100:
            self.faults.append(Fault(_rule(site), case, text, date))
        return OUT_OF_RANGE

    def _date_op(self, name: str, d: Symbol, n: Symbol, site: Symbol | None, case: Symbol | None) -> Symbol:
        if not _known(d, n):
            return Function(name, [d, n])
        day, amount = d.number, n.number
        result = computed(name, day, amount)
        if result is not None:
            return Number(result)
        try:
            shown = calendar.from_day(day).isoformat()
        except (ValueError, OverflowError):
            shown = str(day)
        sign = "-" if amount < 0 else "+"
        unit = UNITS[name] if abs(amount) != 1 else UNITS[name][:-1]
        return self._fault(site, case, f"{shown} {sign} {abs(amount)} {unit}", date=True)

    def add_days(self, d: Symbol, n: Symbol, site: Symbol | None = None, case: Symbol | None = None) -> Symbol:
        return self._date_op("add_days", d, n, site, case)

    def add_months(self, d: Symbol, n: Symbol, site: Symbol | None = None, case: Symbol | None = None) -> Symbol:
        return self._date_op("add_months", d, n, site, case)

    def add_years(self, d: Symbol, n: Symbol, site: Symbol | None = None, case: Symbol | None = None) -> Symbol:
        return self._date_op("add_years", d, n, site, case)

    def plus(self, a: Symbol, b: Symbol, site: Symbol | None = None, case: Symbol | None = None) -> Symbol:
        if not _known(a, b):
            return Function("plus", [a, b])
        result = computed("plus", a.number, b.number)
        return Number(result) if result is not None else self._fault(site, case, f"{a.number} + {b.number}", date=False)

    def minus(self, a: Symbol, b: Symbol, site: Symbol | None = None, case: Symbol | None = None) -> Symbol:
        if not _known(a, b):
            return Function("minus", [a, b])
        result = computed("minus", a.number, b.number)
        return Number(result) if result is not None else self._fault(site, case, f"{a.number} - {b.number}", date=False)

    def years_between(self, a: Symbol, b: Symbol) -> Symbol:
        return self._between("years_between", a, b)

    def months_between(self, a: Symbol, b: Symbol) -> Symbol:
        return self._between("months_between", a, b)

    def days_between(self, a: Symbol, b: Symbol) -> Symbol:
        return self._between("days_between", a, b)

    def _between(self, name: str, a: Symbol, b: Symbol) -> Symbol:
        if not _known(a, b):
            return Function(name, [a, b])
        result = computed(name, a.number, b.number)
        return Number(result) if result is not None else self._fault(None, None, f"{name}({a}, {b})", date=True)

    def distinct(self, a: Symbol, b: Symbol) -> Symbol:
        """1 when both values are known and differ: only then do two conclusions surely disagree."""
        return ONE if _known(a, b) and a != b else ZERO

    def cmp(self, op: Symbol, left: Symbol, right: Symbol) -> Symbol:
        """1 or 0 when both sides are known; otherwise the comparison as a term."""
        key = (op, left, right)
        found = self._compared.get(key)
        if found is None:
            found = self._compared[key] = _compare(op, left, right)
        return found

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


def _compare(op: Symbol, left: Symbol, right: Symbol) -> Symbol:
    if _known(left, right):
        a, b = left.number, right.number
        return ONE if (a < b if op == LT else a == b) else ZERO
    if left == right:  # the same unknown on both sides
        return ZERO if op == LT else ONE
    return Function("cmp", [op, left, right])


def fault_message(fault: Fault, case_id: str) -> str:
    """What a user reads: the rule, the case and the computation (see Context)."""
    if fault.date:
        return (
            f"rule `{fault.rule}` computes {fault.text} for case `{case_id}`, "
            f"a date outside the calendar ({calendar.FIRST.isoformat()} to {calendar.LAST.isoformat()})"
        )
    return (
        f"rule `{fault.rule}` computes {fault.text} for case `{case_id}`, "
        f"beyond the whole numbers the solver holds ({INT_MIN} to {INT_MAX})"
    )
