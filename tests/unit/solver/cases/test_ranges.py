"""Whole numbers and dates stay within what the solver and the calendar hold, or the user is told where."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from grammar.checks.check import load
from grammar.diagnostics import PolicyError
from havre.api import load_policy
from solver.cases.case import CaseError
from tests.e2e.test_cli import havre, write

POLICY = """\
source S "doc" "A doc" authority law
entity person
input a(P: person)
input n(P: person): int
input d(P: person): date
verdict v(P: person)
verdict w(P: person): int
verdict e(P: person): date
rule R1 "r" cites S v(P) if a(P) and n(P) < LIMIT.
rule R2 "r" cites S w(P) = N + 1 if n(P) = N.
rule R3 "r" cites S e(P) = D - 1 day if d(P) = D.
"""


def case(n: int, d: str = "2000-01-01") -> str:
    return f"case: c1\nassessment_date: 2026-01-01\npersons:\n  p1: {{a: true, n: {n}, d: {d}}}\n"


def policy_dir(tmp_path: Path, limit: str = "10") -> Path:
    write(tmp_path, "p/main.havre", POLICY.replace("LIMIT", limit))
    return tmp_path / "p"


@pytest.mark.parametrize("literal", ["2147483648", "00000000002147483648", "9" * 5000])
def test_an_integer_literal_out_of_range_is_refused_where_it_stands(tmp_path: Path, literal: str) -> None:
    with pytest.raises(PolicyError) as err:
        load(policy_dir(tmp_path, literal))
    [d] = err.value.diagnostics
    shown = literal.lstrip("0") if len(literal) < 30 else "9" * 17 + "..."
    assert (d.code, d.span.line, d.span.column) == ("bad-literal", 9, 45)
    assert d.message == f"`{shown}` is out of range: whole numbers go from -2147483648 to 2147483647"


def test_the_largest_literal_is_accepted(tmp_path: Path) -> None:
    assert load(policy_dir(tmp_path, "2147483647")).rules


def test_a_duration_out_of_range_is_refused(tmp_path: Path) -> None:
    write(tmp_path, "p/main.havre", POLICY.replace("LIMIT", "10").replace("- 1 day", "+ 3000000000 days"))
    with pytest.raises(PolicyError) as err:
        load(tmp_path / "p")
    [d] = err.value.diagnostics
    assert (d.code, d.span.line, d.span.column) == ("bad-literal", 11, 32)


def test_the_wrapping_example_is_refused_by_check_and_decide(tmp_path: Path) -> None:
    policy = policy_dir(tmp_path, "2147483648")
    path = write(tmp_path, "c.yaml", case(5))
    for command in (["check", "--static-only"], ["decide", path]):
        r = havre(*command, "--policy", str(policy))
        assert r.returncode == 2, r.stdout
        assert "main.havre:9:45: error[bad-literal]: `2147483648` is out of range" in r.stderr
        assert "Traceback" not in r.stderr


def test_a_computed_value_out_of_range_names_the_rule_and_the_case(tmp_path: Path) -> None:
    policy = policy_dir(tmp_path)
    path = write(tmp_path, "c.yaml", case(2147483647))
    expected = (
        f"error: {path}: rule `R2` computes 2147483647 + 1 for case `c1`, "
        "beyond the whole numbers the solver holds (-2147483648 to 2147483647)\n"
    )
    for command in (["decide", path], ["decide", path, "-f", "json"], ["explain", path]):
        r = havre(*command, "--policy", str(policy))
        assert (r.returncode, r.stderr, r.stdout) == (2, expected, "")


def test_a_date_computed_outside_the_calendar_names_the_rule_and_the_case(tmp_path: Path) -> None:
    loaded = load_policy(policy_dir(tmp_path))
    path = write(tmp_path, "c.yaml", case(1, "0001-01-01"))
    with pytest.raises(CaseError) as err:
        loaded.decide(path)
    assert str(err.value) == (
        f"{path}: rule `R3` computes 0001-01-01 - 1 day for case `c1`, "
        "a date outside the calendar (0001-01-01 to 9999-12-31)"
    )
    with pytest.raises(CaseError):
        loaded.explain(path)


def test_values_at_the_limits_decide(tmp_path: Path) -> None:
    loaded = load_policy(policy_dir(tmp_path, "2147483647"))
    decision = loaded.decide(write(tmp_path, "c.yaml", case(2147483646, "9999-12-31")))
    assert decision.get("w", "p1").value == 2147483647
    assert decision.get("v", "p1").status == "holds"
    assert loaded.explain(write(tmp_path, "c.yaml", case(-2147483648, "9999-12-31")))["verdicts"]


def test_a_case_value_out_of_range_is_refused_with_its_path(tmp_path: Path) -> None:
    r = havre("decide", write(tmp_path, "c.yaml", case(2147483648)), "--policy", str(policy_dir(tmp_path)))
    assert r.returncode == 2
    assert r.stderr.endswith("c.yaml: persons.p1.n: 2147483648 is out of range (from -2147483648 to 2147483647)\n")


def test_dates_at_the_ends_of_the_calendar_pass_check(tmp_path: Path) -> None:
    src = POLICY.replace("LIMIT", "10").replace("if d(P) = D.", "if d(P) = D and D > 0001-01-01 and D < 9999-12-31.")
    write(tmp_path, "p/main.havre", src)
    r = havre("check", "--policy", str(tmp_path / "p"))
    assert r.returncode == 1 and "Traceback" not in r.stderr, r.stderr  # 1: the texts are missing
    codes = set(re.findall(r": (?:error|warning)\[([a-z-]+)\]", r.stdout))
    assert codes == {"missing-text", "plain-sentence"}
    assert r.stdout.splitlines()[-1] == "3 rules, 6 predicates: 14 errors, 1 warning"
