"""A comparison read once into Python data answers as the grounder's functions answer on the same values."""

from __future__ import annotations

import itertools

import clingo
import pytest
from clingo import Function, Number, String, Symbol, Tuple_, parse_term

from solver.compile.emit import CONSISTENT
from solver.solve.compared import Comparison, Fault, read_term, term_text, value_of
from solver.solve.context import Context
from solver.solve.shaped import Bound


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


@pytest.mark.parametrize(
    "text",
    [
        'u(birth_date,("_0_000",))',
        "-3",
        '"a \\"quoted\\" \\\\ word"',
        'f(-a,(1,),(),("x","y"))',
        "cmp(lt,u(p,()),add_years(u(_today,()),-22))",
        "-f(x)",
        "#inf",
        "(1,2)",
    ],
)
def test_a_term_read_into_python_data_prints_as_clingo_prints_it(text: str) -> None:
    term = parse_term(text)
    assert term_text(read_term(term)) == str(term) == text


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("add_days", (739000, 30)),
        ("add_months", (739000, -24)),
        ("add_years", (739000, 18)),
        ("plus", (2**31 - 2, 1)),
        ("minus", (5, 9)),
        ("years_between", (730000, 739000)),
        ("months_between", (739000, 738000)),
        ("days_between", (738000, 739000)),
    ],
)
def test_a_term_with_every_value_known_comes_to_the_grounders_number(name: str, args: tuple[int, int]) -> None:
    term = Function(name, [u("a"), u("b")])
    known = {("a", ()): args[0], ("b", ()): args[1]}
    assert value_of(read_term(term), known) == getattr(Context(), name)(*(Number(a) for a in args)).number


def test_the_same_unknown_compared_with_itself_is_settled_as_at_grounding() -> None:
    inner = cmp("eq", BIRTH, BIRTH)  # nested in a term, as the grounder's `cmp` settles it
    assert value_of(read_term(Function("plus", [inner, Number(1)])), {}) == 2
    assert value_of(read_term(cmp("lt", BIRTH, BIRTH)), {}) == Context().cmp(Function("lt"), BIRTH, BIRTH).number


def _excluded_by_the_emitted_constraints(first: str, holds1: bool, second: str, holds2: bool) -> bool:
    """Whether the reference path's constraints (solver.compile.emit.CONSISTENT) refuse these two answers."""
    facts = [f"_ask(0,{first}).", f"_ask(0,{second})."]
    facts += [f"_tv(0,{term})." for term, holds in ((first, holds1), (second, holds2)) if holds]
    ctl = clingo.Control(["--warn=none"])
    ctl.add("base", [], "\n".join([*facts, *CONSISTENT]))
    ctl.ground([("base", [])])
    return not ctl.solve().satisfiable


FORMS = {"below": "cmp(lt,u,{})", "above": "cmp(lt,{},u)", "equal": "cmp(eq,u,{})"}


def test_the_shape_paths_bounds_exclude_exactly_what_the_emitted_constraints_exclude() -> None:
    """Two statements of one rule, for numbers known at grounding and for numbers a case gives: they agree."""
    for (kind1, form1), (kind2, form2) in itertools.product(FORMS.items(), repeat=2):
        for a, b in itertools.product(range(-2, 3), repeat=2):
            one, other = Bound(kind1, a), Bound(kind2, b)
            if one == other:
                continue  # one comparison: its two answers are one atom's truth values
            for holds1, holds2 in itertools.product((True, False), repeat=2):
                emitted = _excluded_by_the_emitted_constraints(form1.format(a), holds1, form2.format(b), holds2)
                assert emitted == (not one.meets(other, holds1, holds2)), (one, holds1, other, holds2)


def test_a_span_between_days_outside_the_calendar_is_a_fault_not_a_crash() -> None:
    context = Context()
    assert context.years_between(Number(-(10**9)), Number(739000)).name == "out_of_range"
    assert [(f.rule, f.text, f.date) for f in context.faults] == [("?", "years_between(-1000000000, 739000)", True)]
