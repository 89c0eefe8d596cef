"""Properties over generated inputs: the parser, the case loader and the renderers only ever end in the
project's own errors, and nothing from a case can change the shape of an output."""

from __future__ import annotations

import contextlib
from functools import cache
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from explain.rendering.render import render
from grammar.diagnostics import PolicyError
from grammar.text.files import FileProblem, decode_text
from grammar.text.parse import parse_text
from havre.api import Policy, load_policy
from solver.cases.case import CaseError
from solver.cases.casefile import parse_case, parse_case_in_full, parse_document
from solver.cases.quick import read_common
from tests.helpers import ROOT

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
WORDS = [
    "rule", "R1", '"t"', "cites", "S", "v(P)", "if", "and", "or", "not", "(", ")", ".", "a(P)", "=", "<",
    "2147483648", "0001-01-01", "+", "1", "day", "some", "Q", "where", '"{"', '"\\x4"', "\n", "entity", "person",
]  # fmt: skip


@cache
def mini() -> Policy:
    return load_policy(ROOT / "tests/fixtures/mini")


@FAST
@given(st.binary(max_size=300))
def test_any_bytes_are_text_or_a_file_problem(data: bytes) -> None:
    try:
        text = decode_text(data)
    except FileProblem as problem:
        assert str(problem).startswith("the file ")
        return
    try:
        parse_text(text, "x.havre")
    except PolicyError as err:
        assert all(d.span.file == "x.havre" and d.span.line >= 1 for d in err.diagnostics)


@FAST
@given(st.lists(st.sampled_from(WORDS), max_size=40))
def test_policy_words_in_any_order_parse_or_fail_with_a_place(words: list[str]) -> None:
    try:
        parse_text(" ".join(words), "x.havre")
    except PolicyError as err:
        assert err.diagnostics and all(d.span.line >= 1 and d.span.column >= 1 for d in err.diagnostics)


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=30,
)
FIELDS = st.sampled_from(["name", "birth_date", "status", "distress", "in_union", "child_of", "principal", "x"])


@FAST
@given(st.dictionaries(st.sampled_from(["case", "assessment_date", "persons", "applications", "other"]), JSON))
def test_any_document_is_a_case_or_a_case_error(doc: dict[str, Any]) -> None:
    try:
        parse_case(doc, mini().checked, "c.json")
    except CaseError as err:
        assert str(err).startswith("c.json")


@FAST
@given(st.dictionaries(st.text(max_size=8), st.dictionaries(FIELDS, JSON, max_size=4), max_size=4))
def test_any_persons_section_is_a_case_or_an_error_at_its_path(persons: dict[str, Any]) -> None:
    doc = {"case": "c", "assessment_date": "2026-11-21", "persons": persons}
    try:
        parse_case(doc, mini().checked, "c.json")
    except CaseError as err:
        assert err.path.startswith("persons") or err.path == ""


@FAST
@given(st.dictionaries(st.text(max_size=8), st.dictionaries(FIELDS, JSON, max_size=4), max_size=4))
def test_the_one_pass_reader_reads_only_what_the_full_check_accepts_and_alike(persons: dict[str, Any]) -> None:
    doc = {"case": "c", "assessment_date": "2026-11-21", "persons": persons}
    case = read_common(doc, mini().checked, "c.json")
    if case is not None:
        assert case == parse_case_in_full(doc, mini().checked, "c.json")


@FAST
@given(st.text(max_size=200), st.sampled_from(["yaml", "json"]))
def test_any_text_is_a_document_or_a_case_error(text: str, kind: str) -> None:
    with contextlib.suppress(CaseError):
        parse_document(text, kind, "c")  # type: ignore[arg-type]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(min_size=1, max_size=30))
def test_no_name_changes_the_shape_of_an_output(name: str) -> None:
    doc = {
        "case": "c",
        "assessment_date": "2026-11-21",
        "persons": {"amina": {"name": name, "birth_date": "1988-03-14", "distress": True, "child_of": []}},
        "applications": {"app1": {"principal": "amina"}},
    }
    try:
        case = mini().case(doc)
    except CaseError:
        return  # an unpaired surrogate, say: refused with its path
    plain = mini().case({**doc, "persons": {"amina": {**doc["persons"]["amina"], "name": "Amina"}}})
    for which in (case, plain):
        text = render(mini().decision_view(which)[0], "decision")
        if which is case:
            lines = len(text.splitlines())
        else:
            assert len(text.splitlines()) == lines
    view = mini().explain(case)
    for fmt in ("text", "markdown", "html"):
        out = render(view, fmt)  # type: ignore[arg-type]
        assert not any(c in out for c in "\x00\x1b\r\u2028\u202e")
