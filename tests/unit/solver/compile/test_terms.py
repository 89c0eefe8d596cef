"""Terms read from clingo's text agree with clingo's own symbols."""

from __future__ import annotations

import clingo
import pytest

from solver.compile import terms
from solver.compile.terms import Fn, Term

SAMPLES = [
    "f",
    "-3",
    '"a\\nb"',
    "#sup",
    "f(#inf)",
    "((1,),(2,3))",
    '_fired("QHC-1.x",3,("amina","bob"),true)',
    'birth_date(0,"a",u(birth_date,("a",)))',
    'f(1,-2,"a\\"b,c)",("x",),(),(1,2),g(h),"\\\\n")',
    'p(0,"Zoë (née Müller), 2e")',
]


def structure(s: clingo.Symbol) -> Term:
    if s.type == clingo.SymbolType.Number:
        return s.number
    if s.type == clingo.SymbolType.String:
        return s.string
    if s.type in (clingo.SymbolType.Infimum, clingo.SymbolType.Supremum):
        return Fn(str(s))
    args = tuple(structure(a) for a in s.arguments)
    return args if s.name == "" else Fn(("" if s.positive else "-") + s.name, args)


@pytest.mark.parametrize("source", SAMPLES)
def test_parse_agrees_with_clingo_and_text_round_trips(source: str) -> None:
    symbol = clingo.parse_term(source)
    parsed = terms.parse(str(symbol))
    assert parsed == structure(symbol)
    assert terms.text(parsed) == str(symbol)


def test_strings_of_a_tuple_unescape_their_values() -> None:
    assert terms.strings('("a\\"b","c,d")') == ('a"b', "c,d")


@pytest.mark.parametrize("bad", ["f(", "f)", "(1,2", "f g", ""])
def test_unreadable_text_is_refused(bad: str) -> None:
    with pytest.raises(ValueError):
        terms.parse(bad)
