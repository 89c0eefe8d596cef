"""A comparison read once into Python data answers as the grounder's functions answer on the same values."""

from __future__ import annotations

import pytest
from clingo import Function, Number, String, Symbol, Tuple_

from solver.solve.compared import Comparison, Fault
from solver.solve.context import Context


def u(pred: str, *ids: str) -> Symbol:
    return Function("u", [Function(pred), Tuple_([String(i) for i in ids])])


def cmp(op: str, left: Symbol, right: Symbol) -> Symbol:
    return Function("cmp", [Function(op), left, right])


BIRTH, TODAY = u("birth_date", "_0_000"), u("_today")
AGE = Function("years_between", [BIRTH, TODAY])  # as Context keeps an operation on an unknown
KNOWN = {("birth_date", ("_0_000",)): 739000, ("_today", ()): 739000 + 22 * 365 + 5}


@pytest.mark.parametrize(
    ("term", "known", "holds"),
    [
        (cmp("lt", Number(3), Number(5)), {}, True),
        (cmp("eq", Number(3), Number(5)), {}, False),
        (cmp("lt", AGE, Number(22)), KNOWN, False),
        (cmp("eq", AGE, Number(22)), KNOWN, True),
        (cmp("lt", AGE, Number(22)), {}, None),
        (cmp("eq", AGE, AGE), {}, True),  # the same unknown on both sides
        (cmp("lt", AGE, AGE), {}, False),
        (cmp("lt", Function("add_days", [BIRTH, Number(60)]), TODAY), KNOWN, True),
        (cmp("lt", Function("plus", [BIRTH, Number(1)]), Function("plus", [BIRTH, Number(2)])), {}, None),
        (Function("other", [Number(1)]), KNOWN, None),
    ],
)
def test_a_comparison_holds_as_at_grounding(term: Symbol, known: dict, holds: bool | None) -> None:
    assert Comparison(term).holds(known) is holds


def test_a_known_comparison_agrees_with_the_grounders_function() -> None:
    for left, right in ((1, 2), (2, 1), (2, 2)):
        for op in ("lt", "eq"):
            expected = Context().cmp(Function(op), Number(left), Number(right)).number == 1
            assert Comparison(cmp(op, Number(left), Number(right))).holds({}) is expected


def test_arithmetic_out_of_range_is_a_fault() -> None:
    term = cmp("lt", Function("plus", [u("n", "_0_000"), Number(1)]), Number(0))
    with pytest.raises(Fault):
        Comparison(term).holds({("n", ("_0_000",)): 2**31 - 1})
