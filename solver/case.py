"""A case: the assessment date, the entities and the facts stated about them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

Value = bool | int | dt.date | str  # str: an enumeration value or an entity id


@dataclass(frozen=True, slots=True)
class Entity:
    type: str
    id: str
    name: str | None  # display name, when the case gives one


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

    def display(self, entity_id: str) -> str:
        for e in self.entities:
            if e.id == entity_id:
                return e.name or e.id
        return entity_id


class CaseError(Exception):
    """A case file is wrong: `origin: path: message`, shown to the user as is."""

    def __init__(self, origin: str, path: str, message: str) -> None:
        self.origin, self.path, self.message = origin, path, message
        where = f"{origin}: {path}" if path else origin
        super().__init__(f"{where}: {message}")
