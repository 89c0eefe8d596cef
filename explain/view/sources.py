"""The sources an explanation cites: each document once, by title and authority, with its provisions under it,
and a link to the statute in the reviewer's language."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

View = dict[str, Any]
# Federal and Québec statutes are published at addresses that differ only by the language's part.
_FRENCH = [
    (re.compile(r"^(https://laws-lois\.justice\.gc\.ca)/eng/acts/"), r"\1/fra/lois/"),
    (re.compile(r"^(https://laws-lois\.justice\.gc\.ca)/eng/regulations/SOR-"), r"\1/fra/reglements/DORS-"),
    (re.compile(r"^(https://laws-lois\.justice\.gc\.ca)/eng/regulations/"), r"\1/fra/reglements/"),
    (re.compile(r"^(https://www\.legisquebec\.gouv\.qc\.ca)/en/"), r"\1/fr/"),
]


def link(document: str, lang: str) -> str | None:
    """The address of a document in the reader's language; None for a document that is not on the web."""
    if not document.startswith("https://"):
        return None
    if lang == "fr":
        for pattern, replacement in _FRENCH:
            if pattern.match(document):
                return pattern.sub(replacement, document)
    return document


def grouped(citations: Iterable[View]) -> list[View]:
    """The cited provisions under their document (several sources may declare parts of one statute), documents
    and provisions in order of their IDs."""
    by_source: dict[str, View] = {}
    for c in sorted(citations, key=lambda c: (len(c["source_title"]), c["id"])):  # the plainest title names it
        source = by_source.setdefault(
            c["document"],
            {
                "id": c["source"],
                "anchor": "src-" + c["source"].replace(".", "-"),
                "title": c["source_title"],
                "authority": c["authority"],
                "authority_text": c["authority_text"],
                "non_official": c["non_official"],
                "link": c["link"],
                "cited_whole": False,
                "provisions": [],
            },
        )
        if c["id"] == source["id"]:
            source["cited_whole"] = True
        else:  # a provision, or another declaration of the same document, cited whole
            source["provisions"].append({"id": c["id"], "anchor": c["anchor"], "title": c["title"]})
    for source in by_source.values():
        source["provisions"].sort(key=lambda p: p["id"])
    return sorted(by_source.values(), key=lambda s: s["id"])
