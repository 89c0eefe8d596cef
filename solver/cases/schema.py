"""Case files as a policy implies them: where each input goes, the JSON Schema, and what a wrong value is called."""

from __future__ import annotations

import datetime as dt
import difflib
import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple

from grammar.checks.checked import CheckedPolicy
from grammar.typed import nodes as n

if TYPE_CHECKING:  # jsonschema is imported only when a document is checked: most reads never need it
    from jsonschema import Draft202012Validator

CASE_ID = r"^[A-Za-z0-9][A-Za-z0-9._-]*$"
ENTITY_ID = r"^[A-Za-z0-9][A-Za-z0-9_-]*$"
DATE = r"^\d{4}-\d{2}-\d{2}$"
TOP = ("case", "assessment_date")
INT_MIN, INT_MAX = -(2**31), 2**31 - 1  # what the solver can hold
MAX_ENTITIES = 40  # deciding grows with the square of the entities (relations are between pairs of them)
MAX_PAIRS = 1000  # pairs stated for inputs about two entities, all inputs together
_CASE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
_ENTITY_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")

Path = tuple[object, ...]  # mapping keys and list indexes, from the top of the document


@dataclass(frozen=True, slots=True)
class Layout:
    """Where each input goes: one section per entity type, one field per input of that type."""

    sections: dict[str, str]  # plural -> entity type
    fields: dict[str, dict[str, n.Predicate]]  # entity type -> field -> input (1 or 2 parameters)
    predicates: dict[str, n.Predicate]


def layout(policy: CheckedPolicy) -> Layout:
    sections = {e.plural: name for name, e in policy.entities.items()}
    fields: dict[str, dict[str, n.Predicate]] = {name: {} for name in policy.entities}
    for p in policy.inputs():
        if 1 <= len(p.params) <= 2:
            fields.setdefault(p.params[0].type.name, {})[p.name] = p
    return Layout(sections, fields, dict(policy.predicates))


# ---------------------------------------------------------------- the schema


def case_schema(policy: CheckedPolicy) -> dict[str, Any]:
    """The JSON Schema (Draft 2020-12) of the policy's case files."""
    lay = layout(policy)
    props: dict[str, Any] = {
        "case": {"description": "The case id.", "type": "string", "pattern": CASE_ID},
        "assessment_date": {
            "description": "The date the case is assessed on (YYYY-MM-DD).",
            "type": "string",
            "format": "date",
            "pattern": DATE,
        },
    }
    for plural, etype in lay.sections.items():
        props[plural] = {
            "description": f"The {plural} of the case, by id.",
            "type": "object",
            "propertyNames": {"pattern": ENTITY_ID},
            "additionalProperties": {"$ref": f"#/$defs/{etype}"},
        }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "Havre case file",
        "type": "object",
        "required": list(TOP),
        "properties": props,
        "additionalProperties": False,
        "$defs": {etype: _entity_schema(etype, lay.fields.get(etype, {})) for etype in lay.sections.values()},
    }


def validator(policy: CheckedPolicy) -> Draft202012Validator:
    """The validator that finds every problem of a document, each with its path (slow: used when one fails)."""
    from jsonschema import Draft202012Validator

    return Draft202012Validator(case_schema(policy), format_checker=Draft202012Validator.FORMAT_CHECKER)


_COMPILED: dict[str, Callable[[object], object]] = {}
_CHECKED: dict[str, int] = {}  # documents checked per policy before its check is compiled
# Compiling the check costs about 0.2 s, checking a document without it about 5 ms: a process that reads a
# case or two (a `havre decide`) never compiles it; one that reads many compiles it at the third.
COMPILE_AT = 3


def meets_schema(policy: CheckedPolicy, data: object) -> bool:
    """Whether a document meets the case schema, by a check compiled once per policy; a document that fails
    is then examined by `validator` for its findings. Dates are checked as `validator` checks them."""
    check = _COMPILED.get(policy.hash)
    if check is None:
        seen = _CHECKED[policy.hash] = _CHECKED.get(policy.hash, 0) + 1
        if seen < COMPILE_AT:
            check = validator(policy).validate
        else:
            import fastjsonschema  # only where it pays for itself
            from jsonschema import Draft202012Validator

            formats = {"date": lambda v: Draft202012Validator.FORMAT_CHECKER.conforms(v, "date")}
            check = _COMPILED[policy.hash] = fastjsonschema.compile(case_schema(policy), formats=formats)
    try:
        check(data)
    except Exception:  # any failure (a key that is not text...) sends the document to `validator`
        return False
    return True


def _entity_schema(etype: str, fields: Mapping[str, n.Predicate]) -> dict[str, Any]:
    by_language = {
        "type": "object",
        "properties": {lang: {"type": "string"} for lang in n.LANGS},
        "additionalProperties": False,
        "minProperties": 1,
    }
    display = {
        "description": f"The {_words(etype)}'s display name: a text, or a text per language ({', '.join(n.LANGS)}).",
        "anyOf": [{"type": ["string", "null"]}, by_language],
    }
    props: dict[str, Any] = {"name": display}
    for name, pred in fields.items():
        props[name] = {"description": _description(pred), **_field_schema(pred)}
    return {"type": "object", "properties": props, "additionalProperties": False}


def _field_schema(pred: n.Predicate) -> dict[str, Any]:
    if len(pred.params) == 1:
        return _nullable(_value_schema(pred.value))
    if pred.is_bool:
        return {
            "type": ["array", "object", "null"],
            "items": {"type": "string"},
            "propertyNames": {"pattern": ENTITY_ID},
            "additionalProperties": {"type": ["boolean", "null"]},
        }
    return {
        "type": ["object", "null"],
        "propertyNames": {"pattern": ENTITY_ID},
        "additionalProperties": _nullable(_value_schema(pred.value)),
    }


def _value_schema(t: n.Type) -> dict[str, Any]:
    match t:
        case n.BoolType():
            return {"type": "boolean"}
        case n.IntType():
            return {"type": "integer", "minimum": INT_MIN, "maximum": INT_MAX}
        case n.DateType():
            return {"type": "string", "format": "date", "pattern": DATE}
        case n.EnumType(values):
            return {"enum": list(values)}
        case n.EntityType():
            return {"type": "string"}
    return {"not": {}}  # durations cannot be given in a case file


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    if "enum" in schema:
        return {"enum": [*schema["enum"], None]}
    if "type" in schema:
        return {**schema, "type": [schema["type"], "null"]}
    return {"type": "null"}


def _description(pred: n.Predicate) -> str:
    head = (pred.text("en") or pred.text("en", question=True) or _words(pred.name).capitalize()).strip()
    parts = [head if head.endswith((".", "?", "!")) else head + "."]
    if len(pred.params) == 2:
        other = _words(pred.params[1].type.name)
        if pred.is_bool:
            parts.append(
                f"A list of {other} ids (exactly these; every other pair is false),"
                f" or a mapping of {other} ids to true or false (the others unknown)."
            )
        else:
            parts.append(f"A mapping of {other} ids to values.")
    if pred.kind == "judged":
        parts.append("An officer's finding.")
    if pred.default_false:
        parts.append("Absent means false.")
    return " ".join(parts)


# ---------------------------------------------------------------- where the schema says the document is wrong


class Finding(NamedTuple):
    """Something wrong at `path`; `at` is where it sits in file order, when not `path` itself."""

    kind: str  # value, unknown, missing, id, duplicate, key, taken, twice, deep
    path: Path
    detail: object = None
    at: Path | None = None


def schema_findings(data: object, check: Draft202012Validator) -> Iterator[Finding]:
    for err in check.iter_errors(data):
        path = tuple(err.absolute_path)
        if err.validator == "required" and isinstance(err.instance, dict):
            yield from (Finding("missing", (*path, k)) for k in err.validator_value if k not in err.instance)
        elif err.validator == "additionalProperties" and isinstance(err.instance, dict):
            known = err.schema.get("properties", {}) if isinstance(err.schema, dict) else {}
            yield from (Finding("unknown", (*path, k)) for k in err.instance if k not in known)
        elif list(err.absolute_schema_path)[-2:-1] == ["propertyNames"]:
            yield Finding("id", (*path, err.instance))
        else:
            yield Finding("value", path)


# ---------------------------------------------------------------- messages


def describe(value: object) -> str:
    """A value as the message shows it: `"yes"`, `3`, `true`, `null`, `a list`."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return quote(value)
    if isinstance(value, int):
        return str(value) if value.bit_length() < 128 else "a very large number"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, list):
        return "a list"
    return "a mapping" if isinstance(value, dict) else f"a {type(value).__name__} value"


def quote(text: str) -> str:
    return json.dumps(text if len(text) <= 60 else text[:57] + "...", ensure_ascii=False)


def did_you_mean(word: object, candidates: Iterable[str]) -> str:
    if not isinstance(word, str) or len(word) > 100:
        return ""
    close = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    return f"; did you mean {quote(close[0])}?" if close else ""


def an(word: str) -> str:
    words = _words(word)
    return ("an " if words[:1] in tuple("aeiou") else "a ") + words


def _words(name: str) -> str:
    return name.replace("_", " ")


def parse_date(text: str) -> dt.date | None:
    if not _DATE.fullmatch(text):
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


def is_id(key: object) -> bool:
    return isinstance(key, str) and _ENTITY_ID.fullmatch(key) is not None


def id_message(key: object) -> str:
    return f'{quote(str(key))} is not a valid id (letters, digits, "-" and "_")'


def unknown_key(lay: Layout, path: Path) -> str:
    """The message for a key that has no place where it is (a section, or an entity's field)."""
    key = path[-1]
    if len(path) == 1:
        names = [*TOP, *lay.sections]
        return "unknown section" + (did_you_mean(key, names) or f"; the sections are {', '.join(sorted(names))}")
    etype = lay.sections[str(path[0])]
    pred = lay.predicates.get(key) if isinstance(key, str) else None
    if pred is not None and not pred.is_input:
        return f"not an input: {key} is worked out by the policy"
    if pred is not None and len(pred.params) in (1, 2) and pred.params[0].type.name != etype:
        return f"unknown field; {key} is a field of {an(pred.params[0].type.name)}, not of {an(etype)}"
    if pred is not None:
        return f"inputs with {len(pred.params)} parameters cannot be given in a case file yet"
    names = ["name", *lay.fields.get(etype, {})]
    return "unknown field" + (did_you_mean(key, names) or f"; the fields of {an(etype)} are {', '.join(sorted(names))}")


_ABSENT = object()


def lookup(data: object, path: Path) -> object:
    node = data
    for part in path:
        if isinstance(node, dict) and part in node:
            node = node[part]
            continue
        if not (isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)):
            return _ABSENT
        node = node[part]
    return node


class Checker:
    """What is wrong with the value at a place in a case document (None: nothing it knows of).

    Suggestions among the case's ids cost time, so they are only made when `suggest` is set."""

    def __init__(self, lay: Layout, data: object, ids: Mapping[str, str], *, suggest: bool) -> None:
        self.lay, self.data, self.ids, self.suggest = lay, data, ids, suggest

    def at(self, path: Path) -> str | None:
        value = lookup(self.data, path)
        return None if value is _ABSENT else self.judge(path, value)

    def judge(self, path: Path, value: object) -> str | None:
        """What is wrong with `value`, found at `path` (`at` without looking it up)."""
        if not path:
            return None if isinstance(value, dict) else _top(value)
        section = self.lay.sections.get(path[0]) if isinstance(path[0], str) else None
        if len(path) == 1:
            return _top_field(path[0], section, value)
        if section is None:
            return None
        if len(path) == 2:
            return (
                None
                if isinstance(value, dict)
                else (f"expected a mapping of fields (write {{}} if nothing is known), found {describe(value)}")
            )
        if path[2] == "name" and len(path) == 3:
            return _name(value)
        pred = self.lay.fields.get(section, {}).get(path[2]) if isinstance(path[2], str) else None
        if pred is None or len(path) > 4:
            return None
        if len(path) == 3:
            return self._field(pred, value)
        return self._entry(pred, isinstance(lookup(self.data, path[:3]), list), path[3], value)

    def _field(self, pred: n.Predicate, value: object) -> str | None:
        if value is None:
            return None
        if len(pred.params) == 1:
            return self._scalar(pred.value, value)
        other, found = pred.params[1].type.name, describe(value)
        if isinstance(value, dict) or (pred.is_bool and isinstance(value, list)):
            return None
        if pred.is_bool:
            return f"expected a list of {other} ids or a mapping of {other} ids to true or false, found {found}"
        return f"expected a mapping of {other} ids to values, found {found}"

    def _entry(self, pred: n.Predicate, in_list: bool, key: object, value: object) -> str | None:
        other = pred.params[1].type.name
        if in_list:
            return self._ref(value, other)
        if not is_id(key):
            return id_message(key)
        return self._ref(key, other) or self._scalar(pred.value, value)

    def _scalar(self, t: n.Type, value: object) -> str | None:
        if value is None:
            return None
        found = describe(value)
        match t:
            case n.BoolType():
                return None if isinstance(value, bool) else f"expected true or false, found {found}"
            case n.IntType():
                return _whole(value)
            case n.DateType():
                return _date(value)
            case n.EnumType(values):
                if isinstance(value, str) and value in values:
                    return None
                if isinstance(value, list | dict):
                    return f"expected one of {', '.join(values)}, found {found}"
                return f"{found} is not one of {', '.join(values)}{did_you_mean(value, values)}"
            case n.EntityType(name):
                return self._ref(value, name)
        return "this kind of input cannot be given in a case file"

    def _ref(self, value: object, etype: str) -> str | None:
        if not isinstance(value, str):
            return f"expected the id of {an(etype)} in this case, found {describe(value)}"
        if self.ids.get(value) == etype:
            return None
        hint = did_you_mean(value, [i for i, t in self.ids.items() if t == etype]) if self.suggest else ""
        return f"{quote(value)} is not {an(etype)} in this case{hint}"


def _name(value: object) -> str | None:
    languages = ", ".join(n.LANGS)
    if value is None or isinstance(value, str):
        return None
    if not isinstance(value, dict):
        return f"expected a text, or a text per language ({languages}), found {describe(value)}"
    if not value:
        return f"expected a text in at least one language ({languages})"
    for lang, text in value.items():
        if lang not in n.LANGS:
            return f"{quote(str(lang))} is not a language of the policy ({languages}){did_you_mean(lang, n.LANGS)}"
        if not isinstance(text, str):
            return f"expected a text for {lang}, found {describe(text)}"
    return None


def _top(value: object) -> str:
    if value is None:
        return "the case file is empty"
    return f"a case file must be a mapping of sections ({', '.join(TOP)}, ...), found {describe(value)}"


def _top_field(key: object, section: str | None, value: object) -> str | None:
    if key == "case":
        if not isinstance(value, str):
            return f"expected a text id, found {describe(value)}"
        if not _CASE_ID.fullmatch(value):
            return f'{quote(value)} is not a valid case id (letters, digits, ".", "-" and "_")'
        return None
    if key == "assessment_date":
        return _date(value)
    if section is None or isinstance(value, dict):
        return None
    return f"expected a mapping of {section} ids to their fields, found {describe(value)}"


def _date(value: object) -> str | None:
    if not isinstance(value, str):
        return f"expected a date (YYYY-MM-DD), found {describe(value)}"
    return None if parse_date(value) else f"{quote(value)} is not a valid date"


def _whole(value: object) -> str | None:
    fraction = isinstance(value, float) and not value.is_integer()
    if isinstance(value, bool) or not isinstance(value, int | float) or fraction:
        return f"expected a whole number, found {describe(value)}"
    if not INT_MIN <= value <= INT_MAX:
        return f"{describe(value)} is out of range (from {INT_MIN} to {INT_MAX})"
    return None
