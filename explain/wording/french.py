"""French as the Québec government writes it: elision, contractions, country names and typography.

Generated sentences join the policy's French texts with names and values from
the case; this layer makes the joins French:

- elision before a vowel sound: de Amina -> d'Amina, que il -> qu'il, le/la + voyelle -> l' (but de Yusuf);
- contractions: de le -> du, de les -> des, à le -> au, à les -> aux;
- countries with their article (le Ghana, la Syrie, les États-Unis, Haïti), so that
  "de le Ghana" contracts to "du Ghana";
- typography of the Office québécois de la langue française: a non-breaking space
  before the colon and inside « », a narrow no-break space before ; ? and !.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache

from babel import Locale

NBSP, NNBSP = "\u00a0", "\u202f"
_VOWELS = "aeiouàâäéèêëîïôöûüœæAEIOUÀÂÄÉÈÊËÎÏÔÖÛÜŒÆ"
# A vowel sound: a vowel, or a `y` before a consonant (d'Yves; but de Yusuf, le Yémen: there `y` is a consonant).
_VOWEL_SOUND = "(?:[" + _VOWELS + "]|y(?![" + _VOWELS + "]))"
# Words that elide before a vowel sound; `si` only before il/ils.
_ELIDE = re.compile(r"\b(de|que|le|la|ne|se|me|te|jusque|lorsque|puisque|quoique)\s+(?=" + _VOWEL_SOUND + ")", re.I)
_STARTS_WITH_VOWEL_SOUND = re.compile(_VOWEL_SOUND, re.I)
_SI = re.compile(r"\b(s)i\s+(?=ils?\b)", re.I)
_CONTRACT = [
    (re.compile(r"\bde le\s+(?=\w)"), "du "),
    (re.compile(r"\bde les\s+(?=\w)"), "des "),
    (re.compile(r"\bà le\s+(?=\w)"), "au "),
    (re.compile(r"\bà les\s+(?=\w)"), "aux "),
    (re.compile(r"\bDe le\s+(?=\w)"), "Du "),
    (re.compile(r"\bÀ le\s+(?=\w)"), "Au "),
]


def elide(text: str) -> str:
    """Elisions and contractions where generated text put two words side by side."""
    for pattern, replacement in _CONTRACT:
        text = pattern.sub(replacement, text)
    text = _SI.sub(lambda m: m[1] + "'", text)
    return _ELIDE.sub(lambda m: m[1][:-1] + "'", text)


_SPACE_BEFORE = re.compile(r"[ \u00a0\u202f]*([;?!])")
_COLON = re.compile(r"(?<=\S)[ \u00a0\u202f]+:(?=\s|$)")
_OPEN, _CLOSE = re.compile(r"«[ \u00a0\u202f]*"), re.compile(r"[ \u00a0\u202f]*»")


def starts_with_vowel_sound(word: str) -> bool:
    """`avis`, `Yves`; not `yaourt` (as elision treats them)."""
    return bool(_STARTS_WITH_VOWEL_SOUND.match(word))


def typography(text: str) -> str:
    """OQLF spacing: `mot :`, `« mot »` with non-breaking spaces; `mot ?` with a narrow one."""
    text = _COLON.sub(NBSP + ":", text)
    text = _SPACE_BEFORE.sub(lambda m: NNBSP + m[1] if _is_punctuation(m) else m[0], text)
    text = _OPEN.sub("«" + NBSP, text)
    return _CLOSE.sub(NBSP + "»", text)


def titled(lang: str, title: str, title_fr: str | None) -> str:
    """A title the policy gives, in the reader's language: French spaced as the OQLF asks (`étape) ;`), whichever
    way the analyst typed it."""
    return _spaced(title_fr) if lang == "fr" and title_fr else title


_spaced = lru_cache(maxsize=4096)(typography)  # a policy's titles are few, and worded in every view


def _is_punctuation(m: re.Match[str]) -> bool:
    """`?` or `;` ends a clause here, not a URL's query or an HTML entity."""
    before = m.string[: m.start()]
    after = m.string[m.end() : m.end() + 1]
    ends_clause = after == "" or after.isspace() or after in "»)"
    return bool(before) and not before.endswith(("&", "http", "https")) and ends_clause


def polish(text: str) -> str:
    return typography(elide(text))


# ---------------------------------------------------------------- countries

# French country names with no article, with a plural one, and masculine ones ending in -e.
_NO_ARTICLE = {
    "Bahreïn", "Chypre", "Cuba", "Djibouti", "Haïti", "Hong Kong", "Israël", "Kiribati", "Macao", "Madagascar",
    "Malte", "Maurice", "Monaco", "Nauru", "Oman", "Saint-Marin", "Sainte-Lucie", "Samoa", "Singapour", "Taïwan",
    "Tonga", "Tuvalu", "Trinité-et-Tobago", "Antigua-et-Barbuda", "Saint-Kitts-et-Nevis", "Sao Tomé-et-Principe",
}  # fmt: skip
_MASCULINE_E = {"Belize", "Cambodge", "Mexique", "Mozambique", "Zimbabwe", "Suriname", "Zaïre"}


@cache
def _french_names() -> dict[str, str]:
    """English and French territory names (lower case) -> the French name, from Babel's locale data."""
    en, fr = Locale("en"), Locale("fr")
    out: dict[str, str] = {}
    for code, name in fr.territories.items():
        if not code.isalpha():
            continue
        out[name.lower()] = name
        if code in en.territories:
            out[en.territories[code].lower()] = name
    return out


def with_article(name: str) -> str:
    """`le Ghana`, `la Syrie`, `l'Iran`, `les États-Unis`, `Haïti`: a country's French name with its article."""
    if name in _NO_ARTICLE:
        return name
    if name.startswith(("États-", "Émirats", "Pays-Bas", "Philippines", "Comores", "Maldives", "Seychelles")) or (
        name.startswith("Îles") or name.endswith(("Bahamas", "Fidji"))
    ):
        return "les " + name
    if starts_with_vowel_sound(name):
        return "l'" + name
    feminine = name.split("-")[0].split(" ")[0].endswith("e") and name not in _MASCULINE_E
    return ("la " if feminine else "le ") + name


# Long English names that Babel's short ones do not match.
_ALIASES = {
    "democratic republic of the congo": "République démocratique du Congo",
    "republic of the congo": "République du Congo",
    "united states of america": "États-Unis",
    "ivory coast": "Côte d’Ivoire",
}


def country(name: str) -> str:
    """A country's name as a case gives it (in English or French), in French with its article; else as given."""
    french = _ALIASES.get(name.lower()) or _french_names().get(name.lower())
    return with_article(french) if french else name
