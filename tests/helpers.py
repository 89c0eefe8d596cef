"""Test helpers: build policies from text."""

from __future__ import annotations

from pathlib import Path

import pytest

from grammar.checks.check import check
from grammar.checks.checked import CheckedPolicy
from grammar.diagnostics import Diagnostic, PolicyError
from grammar.text.parse import parse_text
from grammar.typed import nodes as n

ROOT = Path(__file__).resolve().parent.parent

PRELUDE = """
source MIFI-HC "003_02a0dbd8729d3a02.txt" "MIFI: persons selected on humanitarian grounds" authority official
  provision QHC-1 "Who the programme is for"
  provision QHC-3 "Conditions for selection"
  provision PROC-6 "Rejected"
source CONSULT "004_c493d0d540f0735e.txt" "Consultancy page" authority secondary
entity person
entity application
"""


def policy_of(src: str, file: str = "t.havre", prelude: bool = True) -> CheckedPolicy:
    text = (PRELUDE if prelude else "") + src
    return check(n.Policy(file, (parse_text(text, file),), ((file, text),)))


def diagnostics_of(src: str, prelude: bool = True) -> list[Diagnostic]:
    with pytest.raises(PolicyError) as err:
        policy_of(src, prelude=prelude)
    return list(err.value.diagnostics)


def line_of(src: str, needle: str, prelude: bool = True) -> int:
    """The 1-based line of `needle` in the policy text as checked."""
    text = (PRELUDE if prelude else "") + src
    for i, line in enumerate(text.splitlines(), 1):
        if needle in line:
            return i
    raise AssertionError(needle)


# The policy of the case-file tests: one input of each kind a case file can state.
CASE_FILE_SRC = """
source S1 "Regulation" "A regulation" authority law
  provision S1.1 "Section one"
entity person
entity application
input birth_date(P: person): date fixed
  en "{P} was born on {value}"
input resides_in_quebec(P: person)
input status(P: person): one of citizen, permanent_resident, foreign_national
input child_of(C: person, P: person)
input role_in(P: person, A: application): one of principal_applicant, dependant
input lives_with(P: person, Q: person, A: application)
input household_size(A: application): int
input principal(A: application): person
input form_signed(A: application) default false
judged distressful_situation(P: person)
derived adult(P: person)
rule S1.1 "Adults" cites S1.1 adult(P) if years_since(birth_date(P)) >= 18.
"""
