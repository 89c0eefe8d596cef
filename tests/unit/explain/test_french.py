"""French joins: elision before a vowel sound (a `y` before a vowel is a consonant), countries' articles, and the
spacing of the policy's own French titles."""

from __future__ import annotations

import pytest

from explain.wording.french import NBSP, NNBSP, country, elide, typography


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
    assert typography(typed) == (
        f"Membre de la famille que la personne requérante inclut{NNBSP}; les membres à l'étranger{NBSP}: nommés"
    )
