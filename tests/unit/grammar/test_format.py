"""The formatter: golden layouts, fixed points on the shipped policy, the same AST, every comment kept."""

from __future__ import annotations

import dataclasses
import os
import re
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from grammar.checks.check import load
from grammar.diagnostics import PolicyError
from grammar.text.format import format_text
from grammar.text.parse import parse_text
from grammar.typed import nodes as n
from grammar.typed.source import Span
from tests.helpers import ROOT

GOLDEN = ROOT / "tests/golden/format"
SHIPPED = sorted((ROOT / "policy").rglob("*.havre"))


def shape(node: object) -> object:
    """A node without its places; a predicate's texts in a fixed order (the formatter orders them)."""
    if isinstance(node, Span):
        return None
    if isinstance(node, tuple):
        return tuple(shape(x) for x in node)
    if isinstance(node, n.Predicate):
        texts = sorted(node.texts, key=lambda t: (t.question, t.value or "", t.lang))
        node = dataclasses.replace(node, texts=tuple(texts))
    if dataclasses.is_dataclass(node):
        return (type(node).__name__, *(shape(getattr(node, f.name)) for f in dataclasses.fields(node)))
    return node


def comments(text: str) -> list[str]:
    return [m.group().rstrip() for m in re.finditer(r'"(?:[^"\\\n]|\\.)*"|#[^\n]*', text) if m.group()[0] == "#"]


@pytest.mark.parametrize("name", sorted(p.name.removesuffix(".in.havre") for p in GOLDEN.glob("*.in.havre")))
def test_golden_layouts(name: str) -> None:
    source = (GOLDEN / f"{name}.in.havre").read_text(encoding="utf-8")
    expected = GOLDEN / f"{name}.out.havre"
    actual = format_text(source, f"{name}.in.havre")
    if os.environ.get("HAVRE_UPDATE_GOLDEN") == "1":
        expected.write_text(actual, encoding="utf-8")
    assert actual == expected.read_text(encoding="utf-8")
    assert format_text(actual) == actual
    assert shape(parse_text(actual, "x").declarations) == shape(parse_text(source, "x").declarations)
    assert comments(actual) == comments(source)


@pytest.fixture(scope="module")
def formatted_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the shipped policy, every file formatted once."""
    copy = tmp_path_factory.mktemp("policy") / "policy"
    shutil.copytree(ROOT / "policy", copy)
    for path in copy.rglob("*.havre"):
        path.write_text(format_text(path.read_text(encoding="utf-8"), str(path)), encoding="utf-8")
    return copy


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: str(p.relative_to(ROOT / "policy")))
def test_each_shipped_file_formatted_is_a_fixed_point_with_the_same_ast(path: Path, formatted_copy: Path) -> None:
    original = path.read_text(encoding="utf-8")
    once = (formatted_copy / path.relative_to(ROOT / "policy")).read_text(encoding="utf-8")
    assert format_text(once) == once
    assert shape(parse_text(once, "x").declarations) == shape(parse_text(original, "x").declarations)
    assert comments(once) == comments(original)


def test_the_formatted_shipped_policy_checks_with_the_same_rules(formatted_copy: Path) -> None:
    before, after = load(ROOT / "policy"), load(formatted_copy)
    assert [r.id for r in after.rules] == [r.id for r in before.rules]
    assert after.warnings == ()


def test_trailing_comments_keep_their_column_or_follow_the_code() -> None:
    text = "entity person          # aligned\nentity family_of_persons # after\n"
    assert format_text(text) == "entity person          # aligned\nentity family_of_persons  # after\n"


def test_a_comment_inside_a_condition_list_stays_between_the_conditions() -> None:
    text = 'rule R "t" cites S a(P) if b(P)\n  # why c\n  and c(P).\n'
    assert format_text(text) == 'rule R "t"\n  cites S\n  a(P) if\n        b(P)\n    # why c\n    and c(P).\n'


def test_a_hash_inside_a_text_is_no_comment() -> None:
    text = 'derived a(P: person)\n  en "{P} is #1" # a comment\n'
    assert format_text(text) == text.replace('" #', '"  #')


def test_bad_input_raises_the_usual_diagnostic() -> None:
    with pytest.raises(PolicyError) as err:
        format_text('rule R "t" cites S a(P) if b(P)\n', "x.havre")
    assert [d.headline() for d in err.value.diagnostics] == [
        "x.havre:1:32: error[syntax-error]: missing `.` at the end of the rule"
    ]


def test_an_empty_file_stays_empty() -> None:
    assert format_text("") == ""
    assert format_text("\n\n# only a comment\n\n") == "# only a comment\n"


# Random conditions, with comments and line breaks between their words: whatever parses must format to the same
# AST, keep its comments, and be a fixed point.
TERMS = ["P", "A", "60", "2026-01-31", "a", "f(P)", "assessment_date", "D + 60 days", "N - 1 month", "years_since(D)"]


def conditions() -> st.SearchStrategy[str]:
    terms = st.one_of(
        st.sampled_from(TERMS),
        st.builds("number of X where {}".format, st.sampled_from(["x(X)", "(x(X))", "x(X) = a", "not x(X)"])),
    )
    base = st.one_of(
        st.sampled_from(["x(P)", "y(A, P)", "z(P, number of Q where q(Q))"]),
        st.builds("{} {} {}".format, terms, st.sampled_from(["=", "!=", "<", ">="]), terms),
    )
    return st.recursive(
        base,
        lambda c: st.one_of(
            st.builds("not {}".format, c),
            st.builds("({})".format, c),
            st.builds("{} and {}".format, c, c),
            st.builds("{} or {}".format, c, c),
            st.builds("some X where {}".format, c),
            st.builds("every X where {} satisfies {}".format, c, c),
        ),
        max_leaves=8,
    )


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(conditions(), st.lists(st.sampled_from([" ", "\n  ", "  # note\n    "]), min_size=40, max_size=40))
def test_random_conditions_format_to_the_same_ast_and_a_fixed_point(cond: str, gaps: list[str]) -> None:
    words = f'rule R1 "t" cites S h(P) if {cond} unless u(P). rule R2 "t" cites S h(P).'.split(" ")
    text = "".join(w + gaps[i % len(gaps)] for i, w in enumerate(words)).strip() + "\n"
    try:
        before = parse_text(text, "x")
    except PolicyError:
        return
    once = format_text(text)
    assert shape(parse_text(once, "x").declarations) == shape(before.declarations)
    assert format_text(once) == once
    assert comments(once) == comments(text)


def test_comments_of_lines_joined_into_one_keep_their_order() -> None:
    text = 'rule R "t" cites S\n  a(P) if  # why\n    b(P)  # because\n\nentity person\n'
    expected = 'rule R "t"\n  cites S\n  a(P) if b(P).  # why\n  # because\n\nentity person\n'
    text = text.replace("b(P)  #", "b(P).  #")
    assert format_text(text) == expected
    assert format_text(expected) == expected


CLAUSES = [
    'en "{A} is {value}"',
    'fr "{A} est {value}"',
    'question en "What is {A}?"',
    'question fr "Quoi {A} ?"',
    'label yes_ en "yes"',
    'label no_ fr "non"',
    'label yes_ fr "oui"',
    "applies if a(A) and b(A)",
    "grounds no_: not a(A)",
    "grounds yes_: a(A) or b(A)",
]


@settings(max_examples=200, deadline=None)
@given(
    st.permutations(CLAUSES),
    st.lists(st.sampled_from(["\n  ", " ", "  # note\n  ", "\n  # own line\n  "]), min_size=12, max_size=12),
    st.sampled_from(["", "\n", "\n\n", "  # after\n", "\n# between\n\n"]),
)
def test_random_verdict_declarations_format_to_a_fixed_point(clauses: list[str], gaps: list[str], sep: str) -> None:
    head = "verdict v(A: application) one of yes_, no_"
    text = head + "".join(gaps[i] + c for i, c in enumerate(clauses)) + sep + "\nentity application  # e\n"
    before = parse_text(text, "x")
    once = format_text(text)
    assert shape(parse_text(once, "x").declarations) == shape(before.declarations)
    assert format_text(once) == once
    assert sorted(comments(once)) == sorted(comments(text))
