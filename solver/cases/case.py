"""A case: the assessment date, the entities and the facts stated about them."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Container
from dataclasses import dataclass, replace

Value = bool | int | dt.date | str  # str: an enumeration value or an entity id


@dataclass(frozen=True, slots=True)
class Entity:
    type: str
    id: str
    name: str | None  # display name, when the case gives one (the first of its languages when it gives several)
    names: tuple[tuple[str, str], ...] = ()  # (language, name), when the case gives a name per language

    def named(self, lang: str) -> str | None:
        """The name in that language, else the name the case gives."""
        return next((text for given, text in self.names if given == lang), self.name)

    def document_name(self) -> str | dict[str, str] | None:
        """The name as a case file gives it."""
        return dict(self.names) if self.names else self.name


@dataclass(frozen=True, slots=True)
class Fact:
    """An input stated in the case: `pred(args) = value` (value True/False for yes/no inputs)."""

    pred: str
    args: tuple[str, ...]
    value: Value


@dataclass(frozen=True, slots=True)
class Closed:
    """A relation given as a complete list: every pair not listed is false."""

    pred: str
    first: str


@dataclass(frozen=True, slots=True)
class Case:
    id: str
    assessment_date: dt.date
    entities: tuple[Entity, ...]
    facts: tuple[Fact, ...]
    closed: tuple[Closed, ...] = ()
    origin: str = "<case>"

    def about(self, predicates: Container[str]) -> Case:
        """The case's facts about these predicates only: a part of a policy reads no other."""
        facts = tuple(f for f in self.facts if f.pred in predicates)
        closed = tuple(c for c in self.closed if c.pred in predicates)
        if len(facts) == len(self.facts) and len(closed) == len(self.closed):
            return self
        return replace(self, facts=facts, closed=closed)

    def display(self, entity_id: str, lang: str = "en") -> str:
        for e in self.entities:
            if e.id == entity_id:
                name = e.named(lang)
                return printable(name) if name else e.id
        return entity_id


# Characters that would end a line, or reorder or hide text, in a terminal, a text file or Markdown.
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def printable(text: str) -> str:
    """A text from a case as outputs show it: each control character written as an escape (`\\n`, `\\x1b`),
    so a name can never start a line, a list item or a verdict of its own."""
    if not _UNPRINTABLE.search(text):
        return text
    return _UNPRINTABLE.sub(lambda m: _ESCAPES.get(m.group(), repr(m.group())[1:-1]), text)


class CaseError(Exception):
    """A case file is wrong: `origin: path: message`, shown to the user as is."""

    def __init__(self, origin: str, path: str, message: str) -> None:
        self.origin, self.path, self.message = origin, path, message
        where = f"{origin}: {path}" if path else origin
        super().__init__(f"{where}: {message}")


def entity(etype: str, eid: str, name: str | dict[str, str] | None) -> Entity:
    """An entity with the name a case file gives: a text, a text per language (checked before), or none."""
    if not isinstance(name, dict):
        return Entity(etype, eid, printable(name) if name else None)
    names = tuple((lang, printable(text)) for lang, text in name.items() if text)
    return Entity(etype, eid, names[0][1] if names else None, names)
