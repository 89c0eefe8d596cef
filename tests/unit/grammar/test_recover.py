"""Parsing after a syntax error: the declarations that parse, and every error with its place."""

from __future__ import annotations

from grammar.text.recover import parse_recovering
from grammar.typed import nodes as n

TEXT = """entity person
rule A "t" cites S x(P) if y(P)

# a comment
rule B "t" cites S x(P) if y(P) z(P).

input ok(P: person)
rule C "t" cites S x(P) if y(P)
"""


def test_a_clean_file_parses_whole() -> None:
    module, diagnostics = parse_recovering("entity person\n", "f.havre")
    assert ([type(d).__name__ for d in module.declarations], diagnostics) == (["Entity"], [])


def test_every_syntax_error_and_the_declarations_between_them() -> None:
    module, diagnostics = parse_recovering(TEXT, "f.havre")
    assert [(type(d).__name__, d.span.line) for d in module.declarations] == [("Entity", 1), ("Predicate", 7)]
    assert [(str(d.span), d.message, d.hint) for d in diagnostics] == [
        (
            "f.havre:2:32",
            "missing `.` at the end of the rule",
            "a rule ends with `.`; the next declaration begins at line 5",
        ),
        (
            "f.havre:5:33",
            "unexpected `z`",
            "expected `and`, `or`, `unless`, `.`",
        ),
        ("f.havre:8:32", "missing `.` at the end of the rule", "a rule ends with `.`"),
    ]
    assert isinstance(module, n.Module) and module.path == "f.havre"


def test_an_error_before_the_first_declaration() -> None:
    module, diagnostics = parse_recovering("# header\n)\nentity person\n", "f.havre")
    assert [type(d).__name__ for d in module.declarations] == ["Entity"]
    assert [(str(d.span), d.message) for d in diagnostics] == [("f.havre:2:1", "unexpected `)`")]
