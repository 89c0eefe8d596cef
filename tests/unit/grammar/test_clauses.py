"""`clause` texts, a fact as a condition says it: parsing, checks with their exact messages, layout."""

from __future__ import annotations

import pytest

from grammar.diagnostics import PolicyError
from grammar.text.format import format_text
from grammar.text.parse import parse_text
from tests.helpers import diagnostics_of, line_of, policy_of

DECISION = """
verdict decision(A: application): one of selected, refused
  en "MIFI's decision on {A}: {value}"
  fr "Décision du MIFI sur {A} : {value}"
  clause en "MIFI decided that {A} is {value}"
  clause fr "le MIFI a décidé que {A} est {value}"
  label selected en "selected"
  label selected fr "sélectionnée"
  label refused en "refused"
  label refused fr "refusée"
"""


def test_a_clause_text_is_apart_from_the_text() -> None:
    decision = policy_of(DECISION).predicates["decision"]
    assert decision.text("en") == "MIFI's decision on {A}: {value}"
    assert decision.text("fr", clause=True) == "le MIFI a décidé que {A} est {value}"
    assert decision.text("en", negative=True) is None


def test_a_yes_no_fact_has_a_clause_text_without_a_value() -> None:
    """A long text ("… open after the CSQ: the RAMQ health insurance card, …") said short inside a condition."""
    src = (
        'derived served(P: person)\n  en "{P} has access to the services: A, B and C"\n'
        '  fr "{P} a accès aux services : A, B et C"\n  clause en "{P} has access to the services"\n'
    )
    served = policy_of(src + '  clause fr "{P} a accès aux services"\n').predicates["served"]
    assert served.text("en", clause=True) == "{P} has access to the services"
    [w] = [w for w in policy_of(src).warnings if "`served`" in w.message]
    assert w.message == "`served` has a `clause` text but no fr one"


def test_a_clause_text_names_the_value() -> None:
    src = DECISION.replace('"MIFI decided that {A} is {value}"', '"MIFI decided on {A}"')
    found = [(d.code, d.message, d.span.line) for d in diagnostics_of(src)]
    assert found == [
        ("bad-template", "the `clause` text of `decision` has no `{value}`", line_of(src, "clause en")),
        (
            "bad-template",
            "the en `clause` text of `decision` has no `{value}`, unlike the fr one",
            line_of(src, "clause en"),
        ),
    ]


def test_a_clause_text_in_one_language_only() -> None:
    policy = policy_of(DECISION.replace('  clause fr "le MIFI a décidé que {A} est {value}"\n', ""))
    [w] = [w for w in policy.warnings if "`decision`" in w.message]
    assert w.message == "`decision` has a `clause` text but no fr one"
    assert w.hint == 'add e.g. `clause fr "..."`: without it, conditions in that language use its text'


def test_the_two_clause_texts_name_the_same_placeholders() -> None:
    src = DECISION.replace('"le MIFI a décidé que {A} est {value}"', '"le MIFI a décidé : {value}"')
    found = [(d.code, d.message) for d in diagnostics_of(src)]
    assert found == [("bad-template", "the fr `clause` text of `decision` has no `{A}`, unlike the en one")]


def test_an_entity_or_a_party_takes_no_clause_text() -> None:
    for src, message in (
        ('entity letter en "a letter" clause en "a letter"', "entity `letter` takes only its names"),
        ('party mifi en "MIFI" clause en "MIFI"', "party `mifi` takes only its names"),
    ):
        with pytest.raises(PolicyError) as err:
            parse_text(src, "t.havre")
        [d] = err.value.diagnostics
        assert (d.code, d.message) == ("bad-modifier", message)


def test_the_canonical_layout_puts_clauses_after_the_texts() -> None:
    messy = (
        "verdict decision(A: application): one of selected, refused\n"
        '  label selected en "selected"\n'
        '  clause fr "le MIFI a décidé que {A} est {value}"\n'
        '  en "MIFI\'s decision on {A}: {value}"\n'
        '  clause en "MIFI decided that {A} is {value}"\n'
        '  fr "Décision du MIFI sur {A} : {value}"\n'
    )
    expected = (
        "verdict decision(A: application): one of selected, refused\n"
        '  en "MIFI\'s decision on {A}: {value}"\n'
        '  fr "Décision du MIFI sur {A} : {value}"\n'
        '  clause en "MIFI decided that {A} is {value}"\n'
        '  clause fr "le MIFI a décidé que {A} est {value}"\n'
        '  label selected en "selected"\n'
    )
    assert format_text(messy) == expected
    assert format_text(expected) == expected
    messy = (
        'derived served(P: person)\n  clause fr "{P} est servie"\n  not fr "{P} n\'est pas servie"\n'
        '  question en "Is {P} served?"\n  clause en "{P} is served"\n  en "{P} is served: A and B"\n'
        '  not en "{P} is not served"\n  fr "{P} est servie : A et B"\n'
    )
    expected = (
        'derived served(P: person)\n  en "{P} is served: A and B"\n  fr "{P} est servie : A et B"\n'
        '  not en "{P} is not served"\n  not fr "{P} n\'est pas servie"\n'
        '  clause en "{P} is served"\n  clause fr "{P} est servie"\n  question en "Is {P} served?"\n'
    )
    assert format_text(messy) == expected


def test_clause_is_a_word_of_the_language() -> None:
    [d] = diagnostics_of("input clause(P: person)")
    assert (d.code, d.message) == ("reserved-name", "`clause` is a word of the language, not a name")


def test_a_label_compared_in_a_condition_asks_for_a_clause_text() -> None:
    reads = (
        'rule PROC-6.x "X" cites PROC-6\n  done(A) if decision(A) = refused.\n'
        'derived done(A: application)\n  en "{A} is done"\n  fr "{A} est terminée"\n'
    )
    labelled = DECISION.replace('  clause en "MIFI decided that {A} is {value}"\n', "").replace(
        '  clause fr "le MIFI a décidé que {A} est {value}"\n', ""
    )
    [w] = [w for w in policy_of(labelled + reads).warnings if w.code == "plain-sentence"]
    assert w.message == '`decision` has no `clause en` text: conditions say it as a label, "…: value"'
    assert w.hint == (
        'rule PROC-6.x compares it; add e.g. `clause en "..."` with the fact as a condition says it, and `{value}`'
    )
    assert not [w for w in policy_of(DECISION + reads).warnings if w.code == "plain-sentence"]
    sentence = labelled.replace("MIFI's decision on {A}: {value}", "MIFI's decision on {A} is {value}")
    assert [w.message for w in policy_of(sentence + reads).warnings if w.code == "plain-sentence"] == [
        '`decision` has no `clause fr` text: conditions say it as a label, "…: value"'
    ]
