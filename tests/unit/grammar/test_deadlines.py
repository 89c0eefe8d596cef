"""Parties, deadlines and `passed` texts: parsing, checks with their exact messages, the canonical layout."""

from __future__ import annotations

import pytest

from grammar.diagnostics import PolicyError
from grammar.text.format import format_text
from grammar.text.parse import parse_text
from grammar.typed import nodes as n
from tests.helpers import PRELUDE, diagnostics_of, line_of, policy_of

PARTIES = """
party applicant en "the applicant" fr "la personne requérante"
party mifi en "MIFI" fr "le MIFI"
"""

DUE = """
verdict answer_due(A: application): date
  en "The answer for {A} is due on {value}"
  fr "La réponse pour {A} est due le {value}"
  deadline for applicant
  passed en "MIFI refuses {A}"
  passed fr "Le MIFI refuse {A}"
"""


def where(src: str, needle: str) -> int:
    return line_of(src, needle)


def test_parties_and_a_deadline_reach_the_checked_policy() -> None:
    policy = policy_of(PARTIES + DUE + "input born(A: application): date fixed background")
    assert list(policy.parties) == ["applicant", "mifi"]
    assert policy.parties["mifi"].text("fr") == "le MIFI"
    due = policy.predicates["answer_due"]
    assert due.deadline is not None and due.deadline.party == "applicant"
    assert (due.passed_text("en"), due.passed_text("fr")) == ("MIFI refuses {A}", "Le MIFI refuse {A}")
    assert due.text("en") == "The answer for {A} is due on {value}"  # the `passed` texts are not its sentence
    assert policy.predicates["born"].background and not due.background
    assert not [w for w in policy.warnings if "answer_due" in w.message or "party" in w.message]


def test_a_deadline_on_a_value_that_is_not_a_date() -> None:
    src = PARTIES + 'verdict count(A: application): int\n  en "{value}"\n  fr "{value}"\n  deadline for applicant\n'
    src += '  passed en "x"\n  passed fr "x"'
    [d] = diagnostics_of(src)
    assert (d.code, d.message) == ("bad-modifier", "`count` is not a date; it cannot be a deadline")
    assert d.hint == "a deadline is a date: declare the predicate with `: date`"
    assert (d.span.line, d.span.column) == (where(src, "deadline for"), 3)


def test_a_deadline_on_an_input() -> None:
    src = PARTIES + 'input sent(A: application): date\n  deadline for mifi\n  passed en "x"\n  passed fr "x"'
    [d] = diagnostics_of(src)
    assert (d.code, d.message) == ("bad-modifier", "`sent` is an input; it cannot be a deadline")
    assert d.hint == "a deadline is a date the policy sets: a derived fact or a verdict"


def test_a_deadline_for_an_unknown_party() -> None:
    src = PARTIES + DUE.replace("for applicant", "for aplicant")
    [d] = diagnostics_of(src)
    assert (d.code, d.message, d.hint) == (
        "undefined-name",
        "`aplicant` is not a declared party",
        "did you mean `applicant`?",
    )
    assert (d.span.line, d.span.column, d.span.end_column) == (where(src, "deadline for"), 16, 24)
    [d] = diagnostics_of(PARTIES + DUE.replace("for applicant", "for sponsor"))
    assert d.hint == 'declare it with `party sponsor en "..." fr "..."`'


def test_a_duplicate_party() -> None:
    src = PARTIES + 'party mifi en "MIFI" fr "le MIFI"'
    [d] = diagnostics_of(src)
    first = where(src, "party mifi")
    assert (d.code, d.message) == ("duplicate-declaration", f"party `mifi` is already declared at t.havre:{first}:1")
    assert d.span.line == first + 1


def test_a_missing_passed_text_is_a_missing_text() -> None:
    src = PARTIES + DUE.replace('  passed fr "Le MIFI refuse {A}"\n', "")
    policy = policy_of(src)
    [w] = [w for w in policy.warnings if "answer_due" in w.message]
    assert (w.code, w.severity, w.message) == (
        "missing-text",
        "error",
        "`answer_due` has a deadline but no fr `passed` text",
    )
    assert w.hint == 'add e.g. `passed fr "..."`: what happens once the date has passed'
    assert (w.span.line, w.span.column) == (line_of(src, "deadline for"), 3)


def test_a_party_without_a_french_name() -> None:
    policy = policy_of('party ircc en "IRCC"')
    [w] = [w for w in policy.warnings if "ircc" in w.message]
    assert (w.code, w.message) == ("missing-text", "party `ircc` has no fr text")


def test_passed_texts_without_a_deadline_and_their_placeholders() -> None:
    src = PARTIES + DUE.replace("  deadline for applicant\n", "")
    found = [(d.code, d.message, d.span.line) for d in diagnostics_of(src)]
    message = "`answer_due` has a `passed` text but no `deadline`"
    assert found == [
        ("bad-modifier", message, where(src, "passed en")),
        ("bad-modifier", message, where(src, "passed fr")),
    ]
    src = PARTIES + DUE.replace('"Le MIFI refuse {A}"', '"Le MIFI refuse {B}"')
    found = [(d.code, d.message) for d in diagnostics_of(src)]
    assert ("bad-template", "placeholder `{B}` names no parameter of `answer_due`") in found
    assert ("bad-template", "the fr `passed` text of `answer_due` has no `{A}`, unlike the en one") in found


def test_background_only_on_a_date_that_is_no_verdict_and_no_deadline() -> None:
    [d] = diagnostics_of("input married(P: person) background")
    assert (d.code, d.message) == ("bad-modifier", "`married` cannot be `background`")
    [d] = diagnostics_of("verdict due(P: person): date background")
    assert (d.code, d.message) == ("bad-modifier", "`due` cannot be `background`")
    assert policy_of('derived step(P: person): date background\n  en "{P}: {value}"\n  fr "{P} : {value}"')


def test_two_deadlines_and_a_party_with_a_question() -> None:
    with pytest.raises(PolicyError) as err:
        parse_text(
            PRELUDE + PARTIES + DUE.replace("deadline for applicant", "deadline for applicant\n  deadline for mifi"),
            "t.havre",
        )
    [d] = err.value.diagnostics
    assert (d.code, d.message) == ("bad-modifier", "`answer_due` has more than one `deadline`")
    with pytest.raises(PolicyError) as err:
        parse_text('party mifi question en "MIFI?"', "t.havre")
    [d] = err.value.diagnostics
    assert (d.code, d.message) == ("bad-modifier", "party `mifi` takes only its names")


def test_the_new_words_are_not_names() -> None:
    [d] = diagnostics_of("input deadline(P: person)")
    assert (d.code, d.message) == ("reserved-name", "`deadline` is a word of the language, not a name")


def test_the_canonical_layout_of_parties_and_deadlines() -> None:
    messy = (
        'party mifi   fr "le MIFI" en "MIFI"\nparty applicant en "the applicant"\n  fr "la personne requérante"\n'
        'verdict due(A: application): date\n  passed fr "Le MIFI refuse {A}"\n  deadline for applicant\n'
        '  en "Due {value}"  # when\n  fr "Dû le {value}"\n  passed en "MIFI refuses {A}"\n'
        "input born(P: person): date background fixed\n"
    )
    expected = (
        'party mifi en "MIFI" fr "le MIFI"\n'
        'party applicant en "the applicant" fr "la personne requérante"\n'
        "\n"
        "verdict due(A: application): date\n"
        '  en "Due {value}"  # when\n'
        '  fr "Dû le {value}"\n'
        "  deadline for applicant\n"
        '  passed en "MIFI refuses {A}"\n'
        '  passed fr "Le MIFI refuse {A}"\n'
        "\n"
        "input born(P: person): date fixed background\n"
    )
    assert format_text(messy) == expected
    assert format_text(expected) == expected
    [party, *_] = parse_text(expected, "t.havre").declarations
    assert isinstance(party, n.Party) and party.text("en") == "MIFI"


ANSWERED = 'input answered_on(A: application): date fixed\n  en "{A} answered on {value}"\n  fr "{A} : le {value}"\n'


def test_a_deadline_met_by_a_date_of_the_same_subjects() -> None:
    src = PARTIES + ANSWERED + DUE.replace("for applicant", "for applicant met by answered_on")
    due = policy_of(src).predicates["answer_due"]
    assert due.deadline is not None and (due.deadline.party, due.deadline.met_by) == ("applicant", "answered_on")
    assert due.deadline.met_by_span is not None
    assert (due.deadline.met_by_span.line, due.deadline.met_by_span.column) == (where(src, "met by"), 33)
    assert format_text(src).count("  deadline for applicant met by answered_on\n") == 1


def test_a_deadline_met_by_what_is_not_declared() -> None:
    src = PARTIES + ANSWERED + DUE.replace("for applicant", "for applicant met by answerd_on")
    [d] = diagnostics_of(src)
    assert (d.code, d.message) == ("undefined-name", "`answerd_on` is not declared")
    assert d.hint == "did you mean `answered_on`?"
    assert (d.span.line, d.span.column, d.span.end_column) == (where(src, "met by"), 33, 43)


def test_a_deadline_met_by_what_cannot_meet_it() -> None:
    hint = "`met by` names a date input or derived fact with the deadline's parameters, e.g. when it was reported"
    person_date = 'input seen_on(P: person): date fixed\n  en "{P} seen on {value}"\n  fr "{P} : vu le {value}"\n'
    yes_no = 'input answered(A: application)\n  en "{A} answered"\n  fr "{A} : réponse"\n'
    cases = [
        (person_date, "seen_on", "`seen_on` is not about the same subjects as `answer_due` (application)"),
        (yes_no, "answered", "`answered` is not a date"),
        ("", "answer_due", "`answer_due` is a verdict"),
    ]
    for extra, name, problem in cases:
        src = PARTIES + extra + DUE.replace("for applicant", f"for applicant met by {name}")
        [d] = diagnostics_of(src)
        assert (d.code, d.message, d.hint) == ("bad-modifier", f"{problem}; it cannot meet the deadline", hint)
        assert (d.span.line, d.span.column) == (where(src, "met by"), 33)


def test_met_and_by_are_words_of_the_language() -> None:
    [d] = diagnostics_of("input met(P: person)")
    assert (d.code, d.message) == ("reserved-name", "`met` is a word of the language, not a name")
