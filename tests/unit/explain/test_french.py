"""French joins: elision before a vowel sound (a `y` before a vowel is a consonant), countries' articles, the
spacing of the policy's own French titles, and a sentence going on after a colon."""

from __future__ import annotations

import pytest

from explain.wording.french import NBSP, NNBSP, country, elide, titled
from explain.wording.phrases import IT, Phrases
from havre.api import load_policy
from tests.helpers import ROOT
from tests.unit.solver.solve.test_decide import family


@pytest.mark.parametrize(
    ("joined", "written"),
    [
        ("de Amina", "d'Amina"),
        ("de Éric", "d'Éric"),
        ("de Yves", "d'Yves"),
        ("de Yusuf Haddad", "de Yusuf Haddad"),
        ("de Yasmine", "de Yasmine"),
        ("que il", "qu'il"),
        ("la Ypres", "l'Ypres"),
    ],
)
def test_elision_before_a_vowel_sound_only(joined: str, written: str) -> None:
    assert elide(joined) == written


@pytest.mark.parametrize(
    ("english", "french"),
    [("Yemen", "le Yémen"), ("Uganda", "l'Ouganda"), ("Iran", "l'Iran"), ("Syria", "la Syrie"), ("Haiti", "Haïti")],
)
def test_a_country_takes_its_article(english: str, french: str) -> None:
    assert country(english) == french


def test_a_title_typed_without_the_spaces_is_spaced() -> None:
    typed = "Membre de la famille que la personne requérante inclut; les membres à l'étranger : nommés"
    assert titled("fr", "A family member; abroad: named", typed) == (
        f"Membre de la famille que la personne requérante inclut{NNBSP}; les membres à l'étranger{NBSP}: nommés"
    )
    assert titled("en", "A family member; abroad: named", typed) == "A family member; abroad: named"
    assert titled("fr", "A family member; abroad: named", None) == "A family member; abroad: named"


def test_a_sentence_after_a_colon_keeps_a_name_capital() -> None:
    """ "Le Blanc n'a pas…" stays as it is after "Exception vérifiée :"; "La personne…" and "The applicant…" do not."""
    mini = load_policy(ROOT / "tests/fixtures/mini")
    document = family()
    document["persons"]["amina"]["name"] = "Le Blanc"
    document["persons"]["lina"]["name"] = "The Gambia Smith"
    case = mini.case(document)
    french, english = Phrases(mini.checked, case, "fr"), Phrases(mini.checked, case, "en")
    assert french.uncap("Le Blanc n'a pas répondu") == "Le Blanc n'a pas répondu"
    assert french.uncap("La personne requérante n'a pas répondu") == "la personne requérante n'a pas répondu"
    assert french.uncap("Le Blancheur est…") == "le Blancheur est…"  # a name's start is not the name
    assert english.uncap("The Gambia Smith has not answered") == "The Gambia Smith has not answered"
    assert english.uncap("The applicant has not answered") == "the applicant has not answered"


def test_one_entity_said_of_or_referred_to_takes_its_determiner(monkeypatch: pytest.MonkeyPatch) -> None:
    """ "no letter …", "aucun document n'est … et ne …"; named once, then "that letter", "ce document", "cet avis"."""
    shipped = load_policy(ROOT / "policy")
    case = shipped.case(ROOT / "policy/examples/rosa-rejected-documents.yaml")
    french, english = Phrases(shipped.checked, case, "fr"), Phrases(shipped.checked, case, "en")
    said = ["concerns app1", "is a rejection letter"]
    assert english.shared_subject("letter", said, negative=True) == "no letter concerns app1 and is a rejection letter"
    assert english.shared_subject("letter", said, negative=False) == "a letter concerns app1 and is a rejection letter"
    said = ["est reçu", "porte sur app1", "est daté du …"]
    assert french.shared_subject("document", said, negative=True) == (
        "aucun document n'est reçu, ne porte sur app1 et n'est daté du …"
    )
    assert english.referred("application", f"the principal of {IT} is Reza and MIFI wrote for {IT}") == (
        "the principal of an application is Reza and MIFI wrote for that application"
    )
    assert french.referred("letter", f"{IT} porte sur app1 et le MIFI a répondu à {IT}") == (
        "une lettre porte sur app1 et le MIFI a répondu à cette lettre"
    )
    assert english.referred("letter", "MIFI wrote") == "MIFI wrote"  # nothing said of the letter: nothing named
    assert english.none_such("application", f"The principal of {IT} is Reza and MIFI wrote for {IT}") == (
        "no application is such that the principal of that application is Reza and MIFI wrote for that application"
    )
    assert french.none_such("application", f"La requérante de {IT} est Leila et le MIFI a écrit pour {IT}") == (
        "aucune demande n'est telle que la requérante de cette demande est Leila et le MIFI a écrit pour cette demande"
    )
    assert french.none_such("document", f"{IT} est reçu") == "aucun document n'est tel que ce document est reçu"
    monkeypatch.setattr(french, "some", lambda entity: "un avis")  # masculine, and starting with a vowel
    assert french.referred("notice", f"le délai de {IT} court et {IT} est reçu") == (
        "le délai d'un avis court et cet avis est reçu"
    )


def test_a_date_not_known_but_bounded_takes_the_place_of_its_value() -> None:
    """ "a letter is dated after …", not "a letter is dated …, after …": the word that led the date goes."""
    shipped = load_policy(ROOT / "policy")
    case = shipped.case(ROOT / "policy/examples/rosa-rejected-documents.yaml")
    french, english = Phrases(shipped.checked, case, "fr"), Phrases(shipped.checked, case, "en")
    assert english.fact_within("sent_on", ("a letter",), "after March 2, 2026") == (
        "a letter is dated after March 2, 2026"
    )
    assert french.fact_within("sent_on", ("une lettre",), "après le 2 mars 2026") == (
        "une lettre est datée après le 2 mars 2026"
    )
    assert english.fact_within("document_received_on", ("a document",), "before May 1, 2026") == (
        "MIFI received a document before May 1, 2026"
    )
    assert french.fact_within("document_received_on", ("un document",), "avant le 1er mai 2026") == (
        "Le MIFI a reçu un document avant le 1er mai 2026"
    )
    assert french.fact_within("birth_date", ("une personne",), "après le 2 mars 2008") == (
        "La date de naissance d'une personne est après le 2 mars 2008"
    )
    assert english.fact_within("resides_in_quebec", ("a person",), "after March 2, 2026") is None  # no value
    # A template whose date is already bounded takes no other: the sentence says the bound after the fact.
    assert french.fact_within("answer_due", ("une lettre",), "après le 2 mars 2026") is None  # "au plus tard le"
    assert english.fact_within("answer_due", ("a letter",), "after March 2, 2026") == (
        "The answer to a letter is due after March 2, 2026"
    )
