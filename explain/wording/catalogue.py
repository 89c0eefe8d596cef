"""The message catalogues: extract the words of explanations, keep each language's `.po` in step, compile them.

python -m explain.wording.catalogue check      missing, stale or untranslated messages (exit 1 if any)
python -m explain.wording.catalogue update     add new messages to each .po, drop stale ones, keep translations
python -m explain.wording.catalogue compile    write each .mo beside its .po
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

from explain.wording.i18n import catalogue_path
from grammar.typed.nodes import LANGS

ROOT = Path(__file__).parent.parent  # explain/
WEB = ROOT.parent / "havre" / "web"  # the pages of `havre serve` take their words from the same catalogues
REPORTS = ROOT.parent / "havre" / "caseload"  # and so do the reports of `havre impact`
METHODS = [("**.py", "python"), ("templates/**.j2", "jinja2")]
REPORT_METHODS = [("impact_report.py", "python"), ("templates/**.j2", "jinja2")]
OPTIONS = {"templates/**.j2": {"extensions": "jinja2.ext.i18n"}}
TRANSLATED = tuple(lang for lang in LANGS if lang != "en")


def extract() -> Catalog:
    """Every message the code and the templates use."""
    catalog = Catalog(project="havre", charset="utf-8")
    for folder, methods in ((ROOT, METHODS), (WEB, METHODS), (REPORTS, REPORT_METHODS)):
        for _file, _line, message, _comments, _context in extract_from_dir(folder, methods, options_map=OPTIONS):
            catalog.add(message)
    return catalog


def read(lang: str) -> Catalog:
    with catalogue_path(lang).open("rb") as f:
        return read_po(f, locale=lang)


@dataclass(frozen=True)
class Drift:
    missing: list[str]  # used, not in the catalogue
    stale: list[str]  # in the catalogue, used nowhere
    untranslated: list[str]

    @property
    def clean(self) -> bool:
        return not (self.missing or self.stale or self.untranslated)


def _key(message: object) -> str:
    return message if isinstance(message, str) else str(message[0])  # type: ignore[index]


def drift(lang: str) -> Drift:
    used = {_key(m.id) for m in extract() if m.id}
    catalog = read(lang)
    known = {_key(m.id): m for m in catalog if m.id}
    untranslated = [k for k, m in known.items() if not (m.string if isinstance(m.string, str) else all(m.string))]
    return Drift(sorted(used - set(known)), sorted(set(known) - used), sorted(untranslated))


def update(lang: str) -> None:
    """New messages added after the others in the order of their text, stale ones dropped: the entries a
    translator knows stay where they were (Babel would otherwise write them in its own order)."""
    catalog = read(lang)
    before, created = [m.id for m in catalog if m.id], catalog.creation_date
    catalog.update(extract(), no_fuzzy_matching=True)
    catalog.obsolete.clear()
    catalog.creation_date = created  # a date in the header would change on every update
    added = sorted((m.id for m in catalog if m.id and m.id not in before), key=_key)
    for message_id in [*before, *added]:
        if message_id in catalog:
            message = catalog[message_id]
            del catalog[message_id]
            catalog[message_id] = message  # to the end: in this order, one after the other
    with catalogue_path(lang).open("wb") as f:
        write_po(f, catalog, width=0, omit_header=False, sort_output=False, no_location=True)


def compile_(lang: str) -> None:
    with catalogue_path(lang, "mo").open("wb") as f:
        write_mo(f, read(lang))


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "check"
    for lang in TRANSLATED:
        if command == "update":
            update(lang)
        elif command == "compile":
            compile_(lang)
        elif command == "check":
            d = drift(lang)
            for label, messages in (("missing", d.missing), ("stale", d.stale), ("untranslated", d.untranslated)):
                for m in messages:
                    print(f"{catalogue_path(lang)}: {label}: {m!r}")
            if not d.clean:
                return 1
        else:
            print(__doc__)
            return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
