"""The parser's tables kept beside the grammar: the grammar's own, and parsing as the grammar does."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import lark
import pytest
from lark import Lark

from grammar.text import parse
from tests.helpers import ROOT


@pytest.fixture
def fresh_parser() -> Iterator[None]:
    parse._parser.cache_clear()
    yield
    parse._parser.cache_clear()


def test_the_kept_tables_are_the_grammars() -> None:
    kept = json.loads(parse.TABLES.read_text(encoding="utf-8"))
    text = parse.GRAMMAR.read_text(encoding="utf-8")
    assert kept["grammar"] == parse.parser_tables(text)["grammar"], (
        "after a grammar change: python -m grammar.text.parse"
    )
    assert kept["lark"] == lark.__version__, "after Lark changes: python -m grammar.text.parse"


def policy_texts() -> list[str]:
    files = [*ROOT.joinpath("policy").rglob("*.havre"), *ROOT.joinpath("tests/fixtures").rglob("*.havre")]
    return [f.read_text(encoding="utf-8") for f in sorted(files)]


def outcome(parser: Lark, text: str) -> object:
    try:
        return parser.parse(text)
    except lark.exceptions.UnexpectedInput as err:
        return (type(err).__name__, err.line, err.column, sorted(getattr(err, "expected", ()) or ()))


def test_the_kept_parser_reads_every_policy_file_as_the_grammar_does(fresh_parser: None) -> None:
    kept, built = parse._parser(), parse._built(parse.GRAMMAR.read_text(encoding="utf-8"))
    assert kept.source_path == "<deserialized>"  # read from the kept tables
    texts = policy_texts()
    assert len(texts) > 40
    broken = ["rule X-1: a(P) if b(P)", "rule X-1: a(P) if b(P) and .", "type person.\nrule : x.", "€"]
    for text in [*texts, *broken]:
        assert outcome(kept, text) == outcome(built, text)
    # Positions kept: diagnostics point at them.
    assert kept.parse(texts[0]).meta.line == built.parse(texts[0]).meta.line == 3


def test_tables_of_another_grammar_are_not_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh_parser: None
) -> None:
    stale = json.loads(parse.TABLES.read_text(encoding="utf-8"))
    stale["grammar"] = "0" * 64
    path = tmp_path / "policy.lark.json"
    path.write_text(json.dumps(stale), encoding="utf-8")
    monkeypatch.setattr(parse, "TABLES", path)
    built: list[str] = []
    monkeypatch.setattr(parse, "_built", lambda text: built.append(text) or Lark(text, parser="lalr"))
    parse._parser()
    assert built == [parse.GRAMMAR.read_text(encoding="utf-8")]
    path.write_text("not JSON", encoding="utf-8")
    parse._parser.cache_clear()
    parse._parser()
    assert len(built) == 2
