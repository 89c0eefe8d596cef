"""Every shipped example read in French and in English, in every format a reviewer reads: no word of the other
language, no predicate name, French elided and spaced as the Office québécois de la langue française writes it.

The case's own names (display names, written by whoever made the case file) are taken out before reading.
"""

from __future__ import annotations

import html
import re
from functools import cache

import pytest

from explain.rendering.render import render
from havre.api import Policy, load_policy
from tests.helpers import ROOT

EXAMPLES = sorted(p.stem for p in (ROOT / "policy/examples").glob("*.yaml"))
FORMATS = ("decision", "text", "markdown", "html")
ENGLISH = re.compile(
    r"\b(the|of|and|is|are|was|were|has|have|not|which|with|within|after|before|letter|request|notice|"
    r"person|unknown|known|holds|undetermined|applies|stated|finding|rule|why|citizen|"  # not "application": French too
    r"permanent resident|foreign national|claimant|protected person)\b",
    re.I,
)
FRENCH = re.compile(
    r"\b(le|la|les|des|du|est|sont|une|dans|pour|avec|selon|règle|établi|indéterminé|personne|demande|"
    r"réfugié|agente?|constat|non remplie)\b|\b[dlq]'[a-zà-ÿ]",
    re.I,
)
ELIDES = re.compile(r"\b(de|que|le|la|ne|se|jusque|lorsque|puisque) [aeiouyàâéèêëîïôûüœh]\w*", re.I)
H_ASPIRE = ("haut", "hors", "haine", "héros", "honte", "hasard", "hauteur", "Haddad", "Honduras", "Haile")


@cache
def policy() -> Policy:
    return load_policy(ROOT / "policy")


@cache
def reading(example: str, lang: str, fmt: str) -> str:
    """What a reviewer reads: the rendered output as text, less the case's own names and the policy's hash."""
    case = ROOT / "policy/examples" / f"{example}.yaml"
    if fmt == "decision":
        view = policy().decision_view(case, lang=lang)[0]
    else:
        view = policy().explain(case, lang=lang, why_not=True)
    out = render(view, fmt)  # type: ignore[arg-type]
    if fmt == "html":
        out = re.sub(r"<style>.*?</style>", "", out, flags=re.S)
        out = html.unescape(re.sub(r"<[^>]+>", " ", out))
    if fmt == "markdown":  # anchors are links' targets, never shown
        out = re.sub(r'<a id="[^"]*"></a>|(?<=\])\(#[^)]*\)', " ", out).replace("\\", "")
    names = sorted((e.name or e.id for e in policy().case(case).entities), key=len, reverse=True)
    for name in [*names, view["case"]["id"], view["policy"]["hash"]]:
        out = out.replace(name, " ")
    identifiers = r"https?://\S+|\[[A-Z][A-Za-z0-9.-]*\]|\b[A-Z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)+(?:\.[a-z0-9-]+)?"
    return re.sub(identifiers, " ", out)  # links and rule and provision IDs


def predicate_names() -> re.Pattern[str]:
    names = [p for p in policy().checked.predicates if "_" in p]
    return re.compile(r"\b(" + "|".join(sorted(names, key=len, reverse=True)) + r")\b")


def lines_matching(text: str, pattern: re.Pattern[str]) -> list[str]:
    return [line.strip() for line in text.splitlines() if pattern.search(line)][:5]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("example", EXAMPLES)
def test_french_reads_as_french(example: str, fmt: str) -> None:
    text = reading(example, "fr", fmt)
    assert not lines_matching(text, ENGLISH), "English words"
    assert not lines_matching(text, predicate_names()), "predicate names"
    elided = [m[0] for m in ELIDES.finditer(text) if not m[0].split(" ")[1].startswith(H_ASPIRE)]
    assert not elided, "French elides these"
    assert not re.findall(r"\S.{0,20}[^\s\u00a0\u202f]:(?:\s|$)", text), "a non-breaking space comes before a colon"
    assert not re.findall(r".{0,20} [;?!]", text), "no breakable space before ; ? !"
    assert not re.findall(r".{0,20}[^\s\u00a0\u202f][;?!](?:\s|$)", text), "a narrow no-break space before ; ? !"
    assert not re.findall(r".{0,30}:[ \u00a0]+(?:À|Le|La|Les|L'|Quel|Quelle|Qui|Qu'|De|Depuis|Dans|Combien)\b", text), (
        "a capital after a colon, outside a quotation"
    )
    assert not re.findall(r".{0,30}\b(?:et|ou) (?:Le|La|Les|L'|Un|Une|Il|Elle)\b", text), "a capital mid-sentence"


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("example", EXAMPLES)
def test_english_reads_as_english(example: str, fmt: str) -> None:
    text = reading(example, "en", fmt)
    assert not lines_matching(text, FRENCH), "French words"
    assert not lines_matching(text, predicate_names()), "predicate names"
    assert not re.findall(r".{0,30}\b(?:and|or) (?:The|A|An|It)\b", text), "a capital mid-sentence"
