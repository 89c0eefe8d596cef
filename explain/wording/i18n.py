"""The words of explanations outside the policy's own texts, from message catalogues (Babel).

Messages are written in English in the code and templates (`_("...")`, and
`N_("...")` where a word is only marked for extraction); French comes from
`locale/fr/LC_MESSAGES/messages.po`. A compiled `.mo` beside it is used when it
is at least as new; otherwise the catalogue is compiled in memory.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from functools import cache
from pathlib import Path

from babel.support import NullTranslations, Translations

LOCALES = Path(__file__).parent.parent / "locale"
DOMAIN = "messages"


def N_(message: str) -> str:
    """Marks a message for extraction; it is translated where it is used."""
    return message


def catalogue_path(lang: str, suffix: str = "po") -> Path:
    return LOCALES / lang / "LC_MESSAGES" / f"{DOMAIN}.{suffix}"


@cache
def translations(lang: str) -> NullTranslations:
    """The catalogue of a language (English is the catalogues' source language)."""
    po, mo = catalogue_path(lang), catalogue_path(lang, "mo")
    if lang == "en" or not po.exists():
        return NullTranslations()
    if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
        with mo.open("rb") as f:
            return Translations(f, domain=DOMAIN)
    from babel.messages.mofile import write_mo  # only for a catalogue compiled here: 4 ms of every start-up
    from babel.messages.pofile import read_po

    with po.open("rb") as f:
        catalog = read_po(f, locale=lang)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer, domain=DOMAIN)


def gettext(lang: str) -> Callable[[str], str]:
    return translations(lang).gettext
