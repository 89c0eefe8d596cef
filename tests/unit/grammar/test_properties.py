"""Random text into the parser and checker: only the project's own errors come out."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from grammar import nodes as n
from grammar.check import check
from grammar.diagnostics import PolicyError
from grammar.parse import parse_text

WORDS = [
    "rule",
    "R1",
    '"t"',
    "cites",
    "QHC-1",
    "if",
    "and",
    "or",
    "not",
    "unless",
    "(",
    ")",
    ".",
    ",",
    "=",
    "<",
    "+",
    "60",
    "days",
    "2026-02-30",
    "2026-01-31",
    "x(P)",
    "y(A)",
    "P",
    "A",
    "some",
    "every",
    "where",
    "satisfies",
    "number",
    "of",
    "entity",
    "person",
    "input",
    "derived",
    "verdict",
    "judged",
    "x",
    "y",
    "(P: person)",
    "(A: person)",
    ":",
    "date",
    "int",
    "one of a, b",
    "priority",
    "over",
    "invariant",
    "never",
    "source",
    "S",
    '"f.txt"',
    "authority",
    "official",
    "provision",
    "en",
    "fr",
    '"{P}"',
    "import",
    "assessment_date",
]


def _check(text: str) -> None:
    try:
        module = parse_text(text, "r.havre")
        check(n.Policy("r.havre", (module,), (("r.havre", text),)))
    except PolicyError as err:
        assert err.diagnostics, "a PolicyError always carries a diagnostic"


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=200))
def test_random_text(text: str) -> None:
    _check(text)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(WORDS), max_size=40))
def test_random_token_soup(words: list[str]) -> None:
    _check(" ".join(words))


PREFIX = 'source S "f.txt" "t" authority official\nentity person\ninput x(P: person)\nderived y(P: person)\n'


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(WORDS[:35]), min_size=1, max_size=25))
def test_random_rules_after_valid_declarations(words: list[str]) -> None:
    _check(PREFIX + 'rule R1 "t" cites S y(P) if ' + " ".join(words) + ".")
