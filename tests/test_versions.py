"""Rules over time: versions in force by date, the date that chooses them, figures, and what readers see."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from explain.rendering.render import render
from grammar.checks.check import check
from grammar.text.format import format_text
from grammar.text.parse import parse_text
from grammar.typed import nodes as n
from havre.api import Policy
from havre.cli.main import app
from solver.compile.emit import emit

SRC = """
source LAW "law.txt" "A law" fr "Une loi" authority law
  provision LAW-1 "Fees" fr "Frais"
  provision LAW-2 "New section" fr "Nouvel article" in force from 2026-01-01
entity application plural applications
  en "an application"
  fr "une demande"
input made_on(A: application): date fixed
  en "{A} was made on {value}"
  fr "{A} a été faite le {value}"
  question en "When was {A} made?"
  question fr "Quand {A} a-t-elle été faite ?"
input complete(A: application)
  en "{A} is complete"
  fr "{A} est complète"
  not en "{A} is not complete"
  not fr "{A} n'est pas complète"
  question en "Is {A} complete?"
  question fr "{A} est-elle complète ?"
verdict office(A: application): one of old_office, new_office
  en "{A} goes to {value}"
  fr "{A} va à {value}"
  label old_office en "the old office"
  label old_office fr "l'ancien bureau"
  label new_office en "the new office"
  label new_office fr "le nouveau bureau"
verdict fee_paid(A: application): int
  en "The fee for {A} is {value} dollars"
  fr "Les frais pour {A} sont de {value} dollars"
verdict fast_track(A: application)
  en "{A} is fast-tracked"
  fr "{A} est traitée en priorité"
  not en "{A} is not fast-tracked"
  not fr "{A} n'est pas traitée en priorité"

figure LAW-1.fee "The fee of the year the application was made" fr "Les frais de l'année de la demande"
  cites LAW-1
  fee(A: application): int as of made_on(A)
  en "The fee for {A} is {value} dollars"
  fr "Les frais pour {A} sont de {value} dollars"
  from 2024-01-01 until 2024-12-31 = 550
  from 2025-01-01 until 2025-12-31 = 570

rule LAW-1.office "The old office receives applications" fr "L'ancien bureau reçoit les demandes"
  cites LAW-1
  in force until 2025-06-30
  office(A) = old_office if complete(A).

rule LAW-1.office "The new office receives applications" fr "Le nouveau bureau reçoit les demandes"
  cites LAW-1
  in force from 2025-07-01
  office(A) = new_office if complete(A).

rule LAW-1.fee-paid "The fee is the year's figure" fr "Les frais sont ceux de l'année"
  cites LAW-1
  fee_paid(A) = F if fee(A) = F.

rule LAW-2.fast "Complete applications are fast-tracked" fr "Les demandes complètes passent en priorité"
  cites LAW-2
  fast_track(A) if complete(A).
"""


@pytest.fixture(scope="module")
def policy() -> Policy:
    checked = check(n.Policy("v.havre", (parse_text(SRC, "v.havre"),), (("v.havre", SRC),)))
    return Policy(checked, emit(checked))


def case(assessed: str, **facts: Any) -> dict[str, Any]:
    return {"case": "c", "assessment_date": assessed, "applications": {"a1": {"complete": True, **facts}}}


@pytest.mark.parametrize(
    ("assessed", "office", "rule"),
    [
        ("2025-06-30", "old_office", "LAW-1.office@..2025-06-30"),
        ("2025-07-01", "new_office", "LAW-1.office@2025-07-01"),
    ],
)
def test_the_version_in_force_on_the_assessment_date_decides(
    policy: Policy, assessed: str, office: str, rule: str
) -> None:
    v = policy.decide(case(assessed)).get("office", "a1")
    assert (v.status, v.value, v.rules) == ("holds", office, (rule,))


@pytest.mark.parametrize(
    ("made_on", "fee"),
    [("2024-12-31", 550), ("2025-01-01", 570), ("2025-12-31", 570)],
)
def test_a_figure_takes_the_value_of_the_year_its_date_falls_in(policy: Policy, made_on: str, fee: int) -> None:
    v = policy.decide(case("2026-03-01", made_on=made_on)).get("fee_paid", "a1")
    assert (v.status, v.value) == ("holds", fee)


def test_on_a_day_with_no_version_in_force_there_is_no_value(policy: Policy) -> None:
    decision = policy.decide(case("2026-03-01", made_on="2026-01-01"))
    assert decision.get("fee_paid", "a1").status == "fails"


def test_an_unknown_date_leaves_the_version_open_and_asks_for_it(policy: Policy) -> None:
    v = policy.decide(case("2026-03-01")).get("fee_paid", "a1")
    assert v.status == "undetermined"
    assert [m for s in v.missing for m in s] == ["made_on(a1)"]


def test_a_rule_is_in_force_only_when_what_it_cites_is(policy: Policy) -> None:
    assert policy.decide(case("2025-12-31")).get("fast_track", "a1").status == "fails"
    assert policy.decide(case("2026-01-01")).get("fast_track", "a1").status == "holds"


def explained(policy: Policy, facts: dict[str, Any], verdict: str, **options: Any) -> str:
    return render(policy.explain(facts, verdicts=[verdict], **options), "text")


def test_the_explanation_names_the_version_and_its_dates(policy: Policy) -> None:
    text = explained(policy, case("2026-03-01", made_on="2025-03-01"), "fee_paid")
    assert "by rule LAW-1.fee, version in force from January 1, 2025 to December 31, 2025 (v.havre:" in text
    assert "* March 1, 2025: the date this version is chosen by" in text
    text = explained(policy, case("2026-03-01", made_on="2025-03-01"), "office")
    assert "by rule LAW-1.office, version in force from July 1, 2025 (v.havre:" in text
    french = explained(policy, case("2025-06-30", made_on="2025-03-01"), "office", lang="fr")
    assert "selon la règle LAW-1.office, version en vigueur jusqu'au 30 juin 2025 (v.havre:" in french


def test_why_not_says_no_version_is_in_force_on_the_choosing_date(policy: Policy) -> None:
    text = explained(policy, case("2026-03-01", made_on="2026-02-01"), "fee_paid", why_not=True)
    assert "Not met: the fee for a1 is … dollars: no version of rule LAW-1.fee is in force on February 1, 2026" in text


def test_why_not_says_a_version_is_not_in_force_on_the_date_that_chooses_it(policy: Policy) -> None:
    text = explained(policy, case("2026-03-01"), "office", why_not=True)
    assert "    Not in force on the assessment date (March 1, 2026): this version is in force until June 30, 2025" in (
        text.splitlines()
    )
    french = explained(policy, case("2025-06-30"), "office", why_not=True, lang="fr")
    assert (
        "    Pas en vigueur pour la date d'évaluation (30 juin 2025) : cette version entre en vigueur le"
        " 1er juillet 2025"
    ) in french.splitlines()


def test_versions_take_their_priorities_together() -> None:
    src = (
        SRC
        + """
rule LAW-1.office-closed "No office while closed" fr "Aucun bureau pendant la fermeture"
  cites LAW-1
  office(A) = old_office if complete(A) and made_on(A) = D.
priority LAW-1.office over LAW-1.office-closed
"""
    )
    checked = check(n.Policy("v.havre", (parse_text(src, "v.havre"),), (("v.havre", src),)))
    assert sorted((p.high.id, p.low.id) for p in checked.priorities) == [
        ("LAW-1.office@..2025-06-30", "LAW-1.office-closed"),
        ("LAW-1.office@2025-07-01", "LAW-1.office-closed"),
    ]


def test_formatting_keeps_windows_dates_and_figures() -> None:
    once = format_text(SRC, "v.havre")
    assert format_text(once, "v.havre") == once
    assert "  in force until 2025-06-30\n" in once
    assert "  fee(A: application): int as of made_on(A)\n" in once
    assert "  from 2024-01-01 until 2024-12-31 = 550\n" in once
    assert '  provision LAW-2 "New section" fr "Nouvel article" in force from 2026-01-01\n' in once
    rules = check(n.Policy("f.havre", (parse_text(once, "f.havre"),), (("f.havre", once),))).rules
    assert len(rules) == 6


def test_a_window_that_ends_before_it_starts_is_refused() -> None:
    from grammar.diagnostics import PolicyError

    with pytest.raises(PolicyError) as err:
        parse_text(SRC.replace("from 2024-01-01 until 2024-12-31", "from 2024-12-31 until 2024-01-01"), "v.havre")
    [d] = err.value.diagnostics
    assert (d.code, d.message) == ("bad-literal", "the window ends on 2024-01-01 before it starts on 2024-12-31")


def test_the_assessment_date_of_a_check_is_a_choice() -> None:
    from solver.analysis.universe import parse_universe

    checked = check(n.Policy("v.havre", (parse_text(SRC, "v.havre"),), (("v.havre", SRC),)))
    assert parse_universe(None, dt.date(2025, 1, 1)).out_of_force(checked) == ["LAW-1.office@2025-07-01", "LAW-2.fast"]
    assert parse_universe(None).out_of_force(checked) == ["LAW-1.office@..2025-06-30"]


def test_check_searches_the_versions_in_force_on_the_date_asked(tmp_path: Path) -> None:
    (tmp_path / "main.havre").write_text(SRC, encoding="utf-8")
    on = CliRunner().invoke(app, ["check", "--policy", str(tmp_path), "--on", "2025-01-01"])
    lines = on.stdout.splitlines()
    assert (
        "not in force on that date, not searched: LAW-1.office@2025-07-01, LAW-2.fast (search them with --on DATE)"
        in lines
    )
    assert not [line for line in lines if "dead-rule" in line]
    assert "on 2025-01-01 (" in next(line for line in lines if line.startswith("consistency:"))
    bad = CliRunner().invoke(app, ["check", "--policy", str(tmp_path), "--on", "2025-02-30"])
    assert (bad.exit_code, bad.stdout) == (2, "")
    assert bad.stderr.strip() == "error: --on: `2025-02-30` is not a date: write YYYY-MM-DD, e.g. 2019-10-01"


def test_an_unknown_date_is_in_one_version_only_in_every_completion(policy: Policy) -> None:
    """Each version compares the same unknown date with its own first day: the answers agree, so no two versions
    hold together in any completion, and nothing is reported as a conflict."""
    decision = policy.decide(case("2026-03-01"))
    assert decision.conflicts == ()
    assert decision.get("fee_paid", "a1").status == "undetermined"


def test_several_comparisons_of_one_unknown_number_are_answered_alike() -> None:
    src = (
        SRC
        + """
input size(A: application): int
  en "{A} has {value} persons"
  fr "{A} compte {value} personnes"
  question en "How many persons does {A} have?"
  question fr "Combien de personnes compte {A} ?"
verdict band(A: application): one of small, large, exact
  en "{A} is {value}"
  fr "{A} est {value}"
  label small en "small"
  label small fr "petite"
  label large en "large"
  label large fr "grande"
  label exact en "exactly seven"
  label exact fr "de sept exactement"
rule LAW-1.small "Fewer than 5" fr "Moins de 5" cites LAW-1
  band(A) = small if size(A) < 5.
rule LAW-1.large "More than 8" fr "Plus de 8" cites LAW-1
  band(A) = large if size(A) > 8.
rule LAW-1.exact "Seven" fr "Sept" cites LAW-1
  band(A) = exact if size(A) = 7.
"""
    )
    checked = check(n.Policy("v.havre", (parse_text(src, "v.havre"),), (("v.havre", src),)))
    decision = Policy(checked, emit(checked)).decide(case("2026-03-01"))
    assert decision.conflicts == ()
    v = decision.get("band", "a1")
    assert (v.status, [m for s in v.missing for m in s]) == ("undetermined", ["size(a1)"])
