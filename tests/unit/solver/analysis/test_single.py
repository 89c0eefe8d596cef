"""Rules whose value the subject fixes are never asked about twice-valued subjects; the others still are."""

from __future__ import annotations

from pathlib import Path

import pytest

from havre.api import load_policy
from solver.analysis.single import single_valued
from tests.helpers import policy_of

SRC = """
entity letter
input made_on(A: application): date
input sent_on(L: letter): date
input letter_for(L: letter): application
derived due(A: application): date
derived letters(A: application): int

rule PROC-6.due "Due 30 days after the application" cites PROC-6
  due(A) = D + 30 days if made_on(A) = D.
rule PROC-6.by-letter "Due 30 days after a letter" cites PROC-6
  due(A) = S + 30 days if letter_for(L) = A and sent_on(L) = S.
rule PROC-6.count "Letters sent" cites PROC-6
  letters(A) = number of L where letter_for(L) = A.
"""


@pytest.mark.parametrize(
    ("rule_id", "single"),
    [("PROC-6.due", True), ("PROC-6.by-letter", False), ("PROC-6.count", False)],
)
def test_a_value_is_single_when_the_subject_fixes_every_variable_in_it(rule_id: str, single: bool) -> None:
    checked = policy_of(SRC)
    [rule] = [cr.rule for cr in checked.rules if cr.id == rule_id]
    assert single_valued(rule, checked) is single


def test_in_the_shipped_policy_the_age_on_application_is_single_and_the_latest_letters_are_not() -> None:
    checked = load_policy(Path(__file__).parents[4] / "policy").checked
    single = {cr.id: single_valued(cr.rule, checked) for cr in checked.rules}
    assert single["FAM-2.age-on-application"] and single["JUR-6.places@2026-01-01"]
    assert not single["PROC-6.answer-due"] and not single["PROC-6.interview-date"]
