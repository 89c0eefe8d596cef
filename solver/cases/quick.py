"""The common case read in one pass: a document that is right in every way is checked and made a Case at once.

Enters: a loaded document and the policy. Leaves: the Case, or None when anything at all is unusual (a value
of another type, a float for a number, an unknown key, a key given twice, a text holding a surrogate...).
None sends the document to the full check in `casefile`, which finds the first problem and names it, or
builds the same Case. So this reader may refuse more than the full check, never accept more: every check
here is the full check's, or stricter.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from grammar.checks.checked import CheckedPolicy
from grammar.typed import nodes as n
from solver.cases import schema as sc
from solver.cases.case import Case, Closed, Entity, Fact, Value, entity

_SURROGATE = re.compile("[\ud800-\udfff]")
_ENTITY_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*")
_CASE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")

# What a value must be; a value of a pair input is checked as the value of a one-entity input of its type.
_BOOL, _INT, _DATE_KIND, _ENUM, _REF, _NEVER = range(6)


@dataclass(frozen=True, slots=True)
class _Value:
    kind: int
    allowed: frozenset[str] = frozenset()  # enumeration values
    etype: str = ""  # the entity type an id must name


@dataclass(frozen=True, slots=True)
class _Field:
    pred: str
    pair: bool  # an input about two entities
    listed: bool  # a yes/no pair input, which may be given as a list of ids
    other: str  # the second entity's type, for a pair input
    value: _Value


@dataclass(frozen=True, slots=True)
class _Table:
    sections: dict[str, str]  # plural -> entity type
    fields: dict[str, dict[str, _Field]]  # entity type -> field -> how it is read


_TABLES: dict[str, _Table | None] = {}


class FileMapping(dict[str, object]):
    """A mapping as read from a file, remembering keys it had twice (reported with their path later)."""

    def __init__(self) -> None:
        super().__init__()
        self.duplicates: list[str] = []

    def put(self, key: str, value: object) -> None:
        if key in self:
            self.duplicates.append(key)
        else:
            self[key] = value


_MAPPINGS = (dict, FileMapping)


def read_common(data: object, policy: CheckedPolicy, origin: str) -> Case | None:
    """The Case of a document right in every way, or None (see the module's docstring)."""
    if policy.hash not in _TABLES:
        _TABLES[policy.hash] = _table(policy)
    table = _TABLES[policy.hash]
    if table is None or type(data) not in _MAPPINGS or getattr(data, "duplicates", None):
        return None
    try:
        return _read(data, table, origin)  # type: ignore[arg-type]
    except _Unusual:
        return None


class _Unusual(Exception):
    pass


def _table(policy: CheckedPolicy) -> _Table | None:
    lay = sc.layout(policy)
    if any("name" in f for f in lay.fields.values()) or any(p in sc.TOP for p in lay.sections):
        return None  # a layout this reader was not written for: the full check reads every document
    fields = {etype: {name: _field(p) for name, p in of.items()} for etype, of in lay.fields.items()}
    return _Table(dict(lay.sections), fields)


def _field(p: n.Predicate) -> _Field:
    other = p.params[1].type.name if len(p.params) == 2 else ""
    return _Field(p.name, len(p.params) == 2, len(p.params) == 2 and p.is_bool, other, _value(p.value))


def _value(t: n.Type) -> _Value:
    match t:
        case n.BoolType():
            return _Value(_BOOL)
        case n.IntType():
            return _Value(_INT)
        case n.DateType():
            return _Value(_DATE_KIND)
        case n.EnumType(values):
            return _Value(_ENUM, frozenset(values))
        case n.EntityType(name):
            return _Value(_REF, etype=name)
    return _Value(_NEVER)


def _text(value: object) -> bool:
    return type(value) is str and (value.isascii() or not _SURROGATE.search(value))


def _names(given: object) -> bool:
    """A name per language, as the schema asks: one language at least, each known, each a text."""
    if type(given) not in _MAPPINGS or not given or getattr(given, "duplicates", None):
        return False
    return all(lang in n.LANGS and _text(text) for lang, text in given.items())  # type: ignore[attr-defined]


def _mapping(node: object) -> dict[str, object]:
    if type(node) not in _MAPPINGS or getattr(node, "duplicates", None):
        raise _Unusual
    return node  # type: ignore[return-value]


def _read(data: dict[str, object], table: _Table, origin: str) -> Case:
    case_id, date_text = data.get("case"), data.get("assessment_date")
    if type(case_id) is not str or not _CASE_ID.fullmatch(case_id) or type(date_text) is not str:
        raise _Unusual
    date = _date(date_text)
    ids: dict[str, str] = {}
    sections: list[tuple[str, dict[str, object]]] = []
    for plural, section in data.items():
        etype = table.sections.get(plural)
        if etype is None:
            if plural in sc.TOP:
                continue
            raise _Unusual
        sections.append((etype, _mapping(section)))
        for eid in section:  # type: ignore[attr-defined]
            if type(eid) is not str or not _ENTITY_ID.fullmatch(eid) or eid in ids:
                raise _Unusual
            ids[eid] = etype
    if len(ids) > sc.MAX_ENTITIES:
        raise _Unusual
    entities: list[Entity] = []
    facts: list[Fact] = []
    closed: list[Closed] = []
    pairs = 0
    for etype, section in sections:
        of = table.fields[etype]
        for eid, fields in section.items():
            fields = _mapping(fields)
            name = fields.get("name")
            if name is not None and not (_text(name) or _names(name)):
                raise _Unusual
            entities.append(entity(etype, eid, name))  # type: ignore[arg-type]
            for key, value in fields.items():
                if key == "name":
                    continue
                f = of.get(key)
                if f is None:
                    raise _Unusual
                if value is None:
                    continue
                if not f.pair:
                    facts.append(Fact(f.pred, (eid,), _read_value(f.value, value, ids)))
                    continue
                if type(value) is list:
                    if not f.listed or len(set(_refs(value, f.other, ids))) != len(value):
                        raise _Unusual
                    facts.extend(Fact(f.pred, (eid, other), True) for other in value)
                    closed.append(Closed(f.pred, eid))
                    pairs += len(value)
                    continue
                for other, v in _mapping(value).items():
                    if type(other) is not str or not _ENTITY_ID.fullmatch(other):
                        raise _Unusual
                    _ref(other, f.other, ids)
                    if v is not None:
                        facts.append(Fact(f.pred, (eid, other), _read_value(f.value, v, ids)))
                pairs += len(value)
    if pairs > sc.MAX_PAIRS:
        raise _Unusual
    return Case(case_id, date, tuple(entities), tuple(facts), tuple(closed), origin)


def _read_value(v: _Value, value: object, ids: dict[str, str]) -> Value:
    kind = v.kind
    if kind == _BOOL:
        if type(value) is bool:
            return value
    elif kind == _INT:
        if type(value) is int and sc.INT_MIN <= value <= sc.INT_MAX:
            return value
    elif kind == _ENUM:
        if type(value) is str and value in v.allowed:
            return value
    elif kind == _DATE_KIND:
        if type(value) is str:
            return _date(value)
    elif kind == _REF:
        return _ref(value, v.etype, ids)
    raise _Unusual


def _refs(values: list[object], etype: str, ids: dict[str, str]) -> list[str]:
    return [_ref(v, etype, ids) for v in values]


def _ref(value: object, etype: str, ids: dict[str, str]) -> str:
    if type(value) is not str or ids.get(value) != etype:
        raise _Unusual
    return value


def _date(text: str) -> dt.date:
    if not _DATE.fullmatch(text):
        raise _Unusual
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise _Unusual from None
