"""The one mapping between policy values and clingo symbols.

Policy names (predicates, enumeration values) are lowercase identifiers and
are used unchanged; everything the compiler adds starts with `_`, so the two
never meet. Entity ids and rule IDs become strings, dates day numbers.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from clingo import Function, Number, String, Symbol, SymbolType, Tuple_

from grammar.typed import nodes as n
from solver.cases import calendar
from solver.cases.case import Value
from solver.compile import terms
from solver.compile.terms import Fn, Term

CASE = "_C"  # the case variable, first argument of every generated predicate
TRUE = "true"  # the value of a yes/no conclusion in support atoms


@dataclass(frozen=True, slots=True)
class Unknown:
    """A value that depends on facts the case does not state."""

    term: str

    def __str__(self) -> str:
        return "unknown"


def rule_term(rule_id: str) -> str:
    return '"' + rule_id + '"'  # IDs are [A-Za-z0-9.-]: nothing to escape


def encode(value: Value, type_: n.Type) -> Symbol:
    if isinstance(type_, n.DateType):
        assert isinstance(value, dt.date)
        return Number(calendar.to_day(value))
    if isinstance(type_, n.IntType):
        assert isinstance(value, int)
        return Number(value)
    if isinstance(type_, n.EnumType):
        return Function(str(value))
    return String(str(value))


def args_tuple(args: tuple[str, ...]) -> Symbol:
    return Tuple_([String(a) for a in args])


def decode(symbol: Symbol, type_: n.Type) -> Value | Unknown:
    if symbol.type == SymbolType.Number:
        return calendar.from_day(symbol.number) if isinstance(type_, n.DateType) else symbol.number
    if symbol.type == SymbolType.String:
        return symbol.string
    if symbol.type == SymbolType.Function and not symbol.arguments and symbol.name:
        return True if symbol.name == TRUE and isinstance(type_, n.BoolType) else symbol.name
    return Unknown(str(symbol))


def decode_term(term: Term, type_: n.Type) -> Value | Unknown:
    """As `decode`, for a term read from its text (see solver.compile.terms)."""
    if isinstance(term, int):
        return calendar.from_day(term) if isinstance(type_, n.DateType) else term
    if isinstance(term, str):
        return term
    if isinstance(term, Fn) and not term.args:
        return True if term.name == TRUE and isinstance(type_, n.BoolType) else term.name
    return Unknown(terms.text(term))


def show_value(value: Value | Unknown | None) -> str | int | bool | None:
    """A value as it appears in JSON output and scenario files."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Unknown):
        return None
    return value
