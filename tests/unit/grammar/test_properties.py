"""Random text into the parser and checker: only the project's own errors come out."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from grammar.checks.check import check
from grammar.diagnostics import PolicyError
from grammar.text.parse import parse_text
from grammar.typed import nodes as n
from havre.api import Policy
from solver.compile.emit import emit

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


CASE = {
    "case": "c",
    "assessment_date": "2026-11-21",
    "persons": {"p1": {"x": True, "d": "2000-01-31"}, "p2": {"n": 3}},
}


def _check(text: str) -> None:
    """Bad text gives diagnostics; text that passes the checks compiles and solves without a clingo error."""
    try:
        module = parse_text(text, "r.havre")
        checked = check(n.Policy("r.havre", (module,), (("r.havre", text),)))
    except PolicyError as err:
        assert err.diagnostics, "a PolicyError always carries a diagnostic"
        return
    if any(p.name == "x" for p in checked.inputs()) and not set(CASE["persons"]["p1"]) - set(checked.predicates):
        Policy(checked, emit(checked)).decide(CASE)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=200))
def test_random_text(text: str) -> None:
    _check(text)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(WORDS), max_size=40))
def test_random_token_soup(words: list[str]) -> None:
    _check(" ".join(words))


PREFIX = (
    'source S "f.txt" "t" authority official\nentity person\ninput x(P: person)\ninput d(P: person): date\n'
    "input n(P: person): int\nderived y(P: person)\n"
)
RULE_WORDS = [
    "x(P)",
    "y(P)",
    "x(Q)",
    "y(Q)",
    "not",
    "and",
    "or",
    "(",
    ")",
    "d(P)",
    "n(P)",
    "n(Q)",
    "<",
    ">=",
    "=",
    "!=",
    "+",
    "-",
    "1",
    "60 days",
    "2 months",
    "assessment_date",
    "D",
    "N",
    "some Q where",
    "every Q where",
    "satisfies",
    "number of Q where",
    "years_since(d(P))",
    "2026-02-28",
    "unless",
]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(RULE_WORDS), min_size=1, max_size=14))
def test_random_rules_after_valid_declarations(words: list[str]) -> None:
    _check(PREFIX + 'rule R1 "t" cites S y(P) if ' + " ".join(words) + ".")


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.sampled_from(RULE_WORDS), min_size=1, max_size=10), st.sampled_from(["d(P) = D", "n(P) = N", "x(P)"])
)
def test_random_rules_with_a_binding(words: list[str], binding: str) -> None:
    _check(PREFIX + f'rule R1 "t" cites S y(P) if {binding} and ' + " ".join(words) + ".")


# Well-formed conditions built from the grammar, so that most reach the compiler and clingo.
PERSON_ATOMS = st.sampled_from(["x(P)", "y(P)", "x(Q)", "y(Q)"])
DATES = st.sampled_from(["d(P)", "d(P) + 60 days", "d(P) - 1 year", "assessment_date", "2026-02-28", "d(P) + 2 months"])
INTS = st.sampled_from(["n(P)", "n(P) + 1", "years_since(d(P))", "3", "number of Q where x(Q)"])
COMPARISONS = st.builds(
    lambda a, op, b: f"{a} {op} {b}", DATES, st.sampled_from(["<", "<=", "=", "!=", ">"]), DATES
) | st.builds(lambda a, op, b: f"{a} {op} {b}", INTS, st.sampled_from([">=", "=", "<"]), INTS)
LEAVES = PERSON_ATOMS | COMPARISONS
CONDITIONS = st.recursive(
    LEAVES,
    lambda inner: (
        st.builds(lambda a, b: f"({a} and {b})", inner, inner)
        | st.builds(lambda a, b: f"({a} or {b})", inner, inner)
        | st.builds(lambda a: f"not ({a})", inner)
        | st.builds(lambda a: f"some Q where ({a})", inner)
        | st.builds(lambda a, b: f"every Q where ({a}) satisfies ({b})", inner, inner)
    ),
    max_leaves=6,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(CONDITIONS, st.booleans())
def test_well_formed_rules_compile_and_solve(cond: str, with_exception: bool) -> None:
    exception = " unless x(P)" if with_exception else ""
    _check(PREFIX + f'rule R1 "t" cites S y(P) if x(P) and {cond}{exception}.')
