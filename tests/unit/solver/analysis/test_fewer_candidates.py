"""A question whose part of the policy only compares its dates and numbers is asked over a few candidates:
the same answers as over the whole universe, in milliseconds where the whole took seconds."""

from __future__ import annotations

import datetime as dt

import pytest
from clingo import Function, String, Symbol

import solver.analysis.analysis as analysis
from grammar.checks.checked import CheckedPolicy
from havre.api import load_policy
from solver.analysis.analysis import analyse
from solver.analysis.kept import parts
from solver.analysis.order import fewer_candidates
from solver.analysis.universe import Universe
from solver.compile.emit import emit
from tests.helpers import ROOT, policy_of

TODAY = dt.date(2026, 6, 15)
DAY = dt.timedelta(days=1)
DATES = [TODAY, TODAY - DAY, TODAY + DAY, TODAY - 2 * DAY, TODAY + 2 * DAY, TODAY - 3 * DAY, TODAY + 3 * DAY]
INTS = [0, 1, 2, 59, 60, 61]
COUNTS = {"person": 2, "application": 2, "letter": 2}

# The latest letter counts; of two sent the same day, the one giving more time.
LETTERS = """
entity letter
input letter_application(L: letter): application fixed
input sent_on(L: letter): date fixed
input answer_time_limit_days(L: letter): int fixed
derived gives_less_time(L: letter)
verdict answer_due(A: application): date
  applies if some L where letter_application(L) = A

rule PROC-6.due "The answer is due within the time the latest letter gives" cites PROC-6
  answer_due(A) = S + N days if
        letter_application(L) = A
    and sent_on(L) = S
    and answer_time_limit_days(L) = N
    and not some L2 where (letter_application(L2) = A and sent_on(L2) > sent_on(L))
    and not gives_less_time(L).

rule PROC-6.same-day "A letter of the same day gives more time" cites PROC-6
  gives_less_time(L) if
        letter_application(L) = A
    and letter_application(L2) = A
    and sent_on(L) = S
    and sent_on(L2) = S
    and answer_time_limit_days(L) = N
    and answer_time_limit_days(L2) > N.

verdict long_delay(L: letter)
rule PROC-6.long "A letter giving more than 60 days" cites PROC-6
  long_delay(L) if answer_time_limit_days(L) > 60.
"""
NO_TIE_BREAK = LETTERS.replace("\n    and not gives_less_time(L).", ".")
LATE = """
verdict late(A: application)
rule PROC-6.late "Not answered in time" cites PROC-6
  late(A) if answer_due(A) = D and assessment_date > D.
"""
AGE = """
input born_on(P: person): date fixed
verdict adult(P: person)
rule QHC-1.adult "An adult" cites QHC-1
  adult(P) if years_since(born_on(P)) >= 18.
"""
FUTURE = """
verdict next_letter(A: application): date
  applies if some L where letter_application(L) = A

rule PROC-6.next "A letter dated after the assessment date" cites PROC-6
  next_letter(A) = S if letter_application(L) = A and sent_on(L) = S and sent_on(L) > assessment_date.
"""
OTHER = """
rule PROC-6.other "Another due date" cites PROC-6
  answer_due(A) = S + 30 days if sent_on(L) = S and letter_application(L) = A.
"""
COPY = """
verdict copied_due(A: application): date
  applies if some L where letter_application(L) = A

rule PROC-6.copy "The due date, as the answer's" cites PROC-6
  copied_due(A) = D if answer_due(A) = D.
"""
CLASH = Function("_h_clash", [String("PROC-6.due"), String("PROC-6.due")])
GAP = Function("_h_gap", [Function("answer_due")])


def candidates(policy: CheckedPolicy, atom: Symbol) -> tuple[list[dt.date], list[int]] | None:
    [(_, part)] = parts(policy, [atom]).values()
    return fewer_candidates(part, atom, COUNTS, DATES, INTS, TODAY)


def test_a_question_on_order_alone_keeps_the_constants_and_as_many_values_as_inputs_between_them() -> None:
    # Two letters: two dates either side of the assessment date, two numbers, nearest first.
    assert candidates(policy_of(LETTERS), GAP) == (DATES[:5], [0, 1])


def test_one_rule_adding_days_is_asked_over_dates_too_far_apart_for_two_sums_to_meet() -> None:
    assert candidates(policy_of(LETTERS), CLASH) == (
        [TODAY - 4 * DAY, TODAY - 2 * DAY, TODAY, TODAY + 2 * DAY, TODAY + 4 * DAY],
        [0, 1],
    )


def test_a_computed_value_copied_as_another_rule_s_value_is_no_comparison() -> None:
    copied = Function("_h_gap", [Function("copied_due")])
    assert candidates(policy_of(LETTERS + COPY), copied) == (DATES[:5], [0, 1])
    compared = COPY.replace("answer_due(A) = D.", "answer_due(A) = D and D > assessment_date.")
    assert candidates(policy_of(LETTERS + compared), copied) is None
    assert candidates(policy_of(LETTERS + COPY), Function("_h_clash", [String("PROC-6.copy")] * 2)) is None


def test_a_part_that_computes_with_what_it_compares_keeps_every_candidate() -> None:
    fires = Function("_h_fires", [String("PROC-6.late")])
    assert candidates(policy_of(LETTERS + LATE), fires) is None  # the sum of days is compared
    assert candidates(policy_of(AGE), Function("_h_fires", [String("QHC-1.adult")])) is None
    assert (
        candidates(policy_of(LETTERS + OTHER), Function("_h_clash", [String("PROC-6.due"), String("PROC-6.other")]))
        is None
    )


def settled_small(monkeypatch: pytest.MonkeyPatch) -> dict[Symbol, set[Symbol] | None]:
    """What the search concluded on the few candidates, by atom."""
    seen: dict[Symbol, set[Symbol] | None] = {}
    settle = analysis._settle_small

    def recorded(small: analysis._Fewer, atom: Symbol) -> set[Symbol] | None:
        seen[atom] = settle(small, atom)
        return seen[atom]

    monkeypatch.setattr(analysis, "_settle_small", recorded)
    return seen


def test_the_latest_letter_is_proved_to_give_one_due_date_on_a_few_candidates(monkeypatch: pytest.MonkeyPatch) -> None:
    seen = settled_small(monkeypatch)
    policy = policy_of(LETTERS)
    found = analyse(emit(policy), policy)
    assert [(f.code, f.subject) for f in found if f.code in ("conflict", "gap", "unsettled")] == []
    assert seen[CLASH] == set() and seen[GAP] == set()


def test_a_model_on_dates_far_apart_is_left_to_the_whole_universe_and_one_on_its_dates_taken() -> None:
    policy = policy_of(NO_TIE_BREAK)
    small = analysis._on_fewer([CLASH], policy, Universe(), set())[CLASH]
    assert not small.exact and analysis._settle_small(small, CLASH) is None
    [conflict] = [f for f in analyse(emit(policy), policy) if f.code == "conflict"]
    assert conflict.rules == ("PROC-6.due", "PROC-6.due")
    assert conflict.message.startswith("answer_due(application1) gets two values: ")
    future = policy_of(NO_TIE_BREAK + FUTURE)
    gap = Function("_h_gap", [Function("next_letter")])
    small = analysis._on_fewer([gap], future, Universe(), analysis._scoped(emit(future).text))[gap]
    assert small.exact and analysis._settle_small(small, gap) == {gap}


def test_on_the_shipped_policy_the_few_candidates_answer_as_the_whole_universe(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every question that can be asked over fewer candidates (158 of the 541), against the whole universe where
    that settles in 2 s; the latest letter's dates, which the whole does not settle in 5 s, are proved on a few."""
    loaded = load_policy(ROOT / "policy")
    policy, program, universe = loaded.checked, loaded.program, Universe()
    scoped = analysis._scoped(program.text)
    ctl = analysis._ground(program, policy, universe, "", scoped)
    every = [a.symbol for name, arity in analysis.SHOWN for a in ctl.symbolic_atoms.by_signature(name, arity)]
    fewer = analysis._on_fewer(every, policy, universe, scoped)
    hard = {
        Function("_h_gap", [Function("interview_date")]),
        Function("_h_gap", [Function("rejection_answer_due")]),
        Function("_h_clash", [String("PROC-6.answer-due"), String("PROC-6.answer-due")]),
    }
    assert (len(every), len(fewer)) == (541, 158) and hard <= fewer.keys()
    small = {atom: analysis._settle_small(f, atom) for atom, f in fewer.items()}
    assert all(small[atom] == set() for atom in hard)
    monkeypatch.setattr(analysis, "SETTLE_SECONDS", 2.0)
    analysis._for_proofs(ctl, on=True)
    compared = 0
    for atom in fewer.keys() - hard:
        whole = analysis._settle(ctl, atom)
        if whole is not None and small[atom] is not None:
            assert (atom in whole) == (atom in small[atom]), atom
            compared += 1
    assert compared >= 130
