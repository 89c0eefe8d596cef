"""Case files: read a YAML or JSON document safely, check it against the policy's inputs, make it a Case.

Whatever the document, the only exception that comes out is CaseError, naming the first problem in file order.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import sys
from collections.abc import Callable, Iterator, Mapping
from typing import Any, ClassVar, Literal, cast

import yaml

from grammar.checks.checked import CheckedPolicy
from grammar.text.files import FileProblem, read_text
from grammar.typed import nodes as n
from solver.cases import schema as sc
from solver.cases.case import Case, CaseError, Closed, Entity, Fact, Value, entity
from solver.cases.quick import FileMapping, read_common
from solver.cases.schema import MAX_ENTITIES, MAX_PAIRS

MAX_BYTES = 1_048_576
MAX_DEPTH = 12  # a case file needs 5 levels; anything much deeper is refused before it is looked at
Kind = Literal["yaml", "json"]
_SURROGATE = re.compile("[\ud800-\udfff]")
_TYPED = (n.BoolType, n.IntType, n.EnumType)  # values the schema checks whole
_SCALARS = frozenset({str, int, bool, float, type(None)})
_KINDS: dict[str, Kind] = {".yaml": "yaml", ".yml": "yaml", ".json": "json"}


def load_case(path: str | os.PathLike[str], policy: CheckedPolicy, max_bytes: int = MAX_BYTES) -> Case:
    """Read, check and convert the case file at `path` (.yaml, .yml or .json)."""
    return parse_case(read_document(path, max_bytes), policy, os.fspath(path))


def case_from_text(text: str, policy: CheckedPolicy, kind: Kind = "yaml", origin: str = "<case>") -> Case:
    return parse_case(parse_document(text, kind, origin), policy, origin)


def parse_case(data: object, policy: CheckedPolicy, origin: str = "<case>") -> Case:
    """Check a loaded document (mappings, lists, text, numbers, booleans, null) and make it a Case."""
    case = read_common(data, policy, origin)
    return case if case is not None else parse_case_in_full(data, policy, origin)


def parse_case_in_full(data: object, policy: CheckedPolicy, origin: str = "<case>") -> Case:
    """`parse_case` without the one-pass reader of documents right in every way (`quick`): the full check,
    which names the first problem in file order. The reference that reader is tested against."""
    lay = sc.layout(policy)
    try:
        data = _plain(data, 0)
        problem = _first_problem(data, lay, policy)
    except RecursionError:
        raise CaseError(origin, "", "the document is nested too deeply") from None
    if problem is not None:
        raise CaseError(origin, _render(problem[0]), problem[1])
    assert isinstance(data, dict)
    return _build(data, lay, origin)


def _plain(node: object, depth: int) -> object:
    """What a Python caller may pass (any mapping, tuples, dates) as a loaded document holds it."""
    if type(node) in _SCALARS or depth > MAX_DEPTH:  # most of a document: checked first, as it is cheapest
        return node
    if isinstance(node, dt.date) and not isinstance(node, dt.datetime):
        return node.isoformat()
    if isinstance(node, Mapping):
        items = {k: _plain(v, depth + 1) for k, v in node.items()}
        return node if isinstance(node, dict) and all(items[k] is v for k, v in node.items()) else items
    if isinstance(node, list | tuple):
        elems = [_plain(v, depth + 1) for v in node]
        return node if isinstance(node, list) and all(a is b for a, b in zip(elems, node, strict=True)) else elems
    return node


# ---------------------------------------------------------------- reading


def read_document(path: str | os.PathLike[str], max_bytes: int = MAX_BYTES) -> object:
    """The document in a case file, refusing unknown file types, big files and unsafe YAML."""
    origin = os.fspath(path)
    ext = os.path.splitext(origin)[1]
    kind = _KINDS.get(ext.lower())
    if kind is None:
        raise CaseError(_shown(origin), "", f"unsupported file type {sc.quote(ext)}; use .yaml, .yml or .json")
    return parse_document(_read_text(origin, max_bytes), kind, origin)


def parse_document(text: str, kind: Kind, origin: str = "<case>") -> object:
    return _parse_yaml(text, origin) if kind == "yaml" else _parse_json(text, origin)


def _read_text(origin: str, max_bytes: int) -> str:
    try:
        return read_text(origin, max_bytes)
    except FileProblem as problem:
        raise CaseError(_shown(origin), "", str(problem)) from None


def _shown(origin: str) -> str:
    """A file name as messages show it: never a control character, never more than a line."""
    return origin if origin.isprintable() and len(origin) <= 200 else repr(origin[:200])[1:-1]


class _Refused(Exception):
    def __init__(self, mark: yaml.Mark | None, message: str) -> None:
        super().__init__(message)
        self.mark, self.message = mark, message


def _json_object(pairs: list[tuple[str, Any]]) -> FileMapping:
    out = FileMapping()
    for key, value in pairs:
        out.put(key, value)
    return out


def _json_constant(name: str) -> object:
    raise _Refused(None, f"{name} is not allowed in case files")


def _parse_json(text: str, origin: str) -> object:
    try:
        return json.loads(text, object_pairs_hook=_json_object, parse_constant=_json_constant)
    except json.JSONDecodeError as e:
        raise CaseError(origin, f"line {e.lineno}", e.msg) from None
    except _Refused as e:
        raise CaseError(origin, "", e.message) from None
    except RecursionError:
        raise CaseError(origin, "", "the document is nested too deeply") from None
    except ValueError:  # e.g. a number with thousands of digits
        raise CaseError(origin, "", "the document holds a number that is too long") from None


class _CaseLoader(yaml.SafeLoader):
    """SafeLoader, stricter: no aliases, anchors or tags; dates stay text; only true/false are booleans."""

    yaml_implicit_resolvers: dict[Any, list[tuple[str, re.Pattern[str]]]] = {}  # noqa: RUF012 (filled below)
    yaml_constructors: ClassVar[dict[str | None, Callable[..., Any]]] = {}
    yaml_multi_constructors: ClassVar[dict[str | None, Callable[..., Any]]] = {}

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        event = self.peek_event()  # type: ignore[no-untyped-call]
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            raise _Refused(event.start_mark, "YAML aliases are not allowed in case files")
        if getattr(event, "tag", None) is not None:
            raise _Refused(event.start_mark, "YAML tags are not allowed in case files")
        return super().compose_node(parent, index)


def _yaml_map(loader: _CaseLoader, node: yaml.MappingNode) -> FileMapping:
    out = FileMapping()
    for key_node, value_node in node.value:
        if not isinstance(key_node, yaml.ScalarNode):
            raise _Refused(key_node.start_mark, "mapping keys must be plain text")
        out.put(key_node.value, loader.construct_object(value_node, deep=True))
    return out


def _yaml_int(loader: _CaseLoader, node: yaml.ScalarNode) -> int:
    try:
        return int(node.value, 10)
    except ValueError:
        raise _Refused(node.start_mark, "number too long") from None


def _yaml_other(loader: _CaseLoader, node: yaml.Node) -> object:
    raise _Refused(node.start_mark, "unsupported YAML value")


for _tag, _pattern, _first in (
    ("null", r"^(?:~|null|Null|NULL|)\Z", "~nN"),
    ("bool", r"^(?:[Tt][Rr][Uu][Ee]|[Ff][Aa][Ll][Ss][Ee])\Z", "tTfF"),
    ("int", r"^[-+]?[0-9]+\Z", "-+0123456789"),
    ("float", r"^[-+]?(?:[0-9]+\.[0-9]*|\.[0-9]+|[0-9]+)(?:[eE][-+]?[0-9]+)?\Z", "-+.0123456789"),
):
    _CaseLoader.add_implicit_resolver(
        f"tag:yaml.org,2002:{_tag}", re.compile(_pattern), [*_first, ""] if _tag == "null" else list(_first)
    )
_CONSTRUCTORS: dict[str, Callable[[_CaseLoader, Any], object]] = {
    "null": lambda _loader, _node: None,
    "bool": lambda _loader, node: node.value.lower() == "true",
    "int": _yaml_int,
    "float": lambda _loader, node: float(node.value),
    "str": lambda _loader, node: node.value,
    "seq": lambda loader, node: [loader.construct_object(item, deep=True) for item in node.value],
    "map": _yaml_map,
}
for _tag, _make in _CONSTRUCTORS.items():
    _CaseLoader.add_constructor(f"tag:yaml.org,2002:{_tag}", _make)
_CaseLoader.add_constructor(None, _yaml_other)


class _FastCaseLoader(yaml.CSafeLoader):
    """_CaseLoader's values through libyaml's parser, for text that can hold no alias, anchor or tag."""

    yaml_implicit_resolvers = _CaseLoader.yaml_implicit_resolvers
    yaml_constructors = _CaseLoader.yaml_constructors
    yaml_multi_constructors = _CaseLoader.yaml_multi_constructors


def _plain_yaml(text: str) -> bool:
    """Whether libyaml reads the text with no alias, anchor or tag (which _CaseLoader refuses, with the place)."""
    for event in yaml.parse(text, Loader=yaml.CSafeLoader):
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) or getattr(event, "tag", None):
            return False
    return True


def _parse_yaml(text: str, origin: str) -> object:
    """A YAML document through libyaml when it can be; any problem is named by the careful reader."""
    if yaml.__with_libyaml__ and "\t" not in text:  # libyaml accepts tabs the careful reader refuses
        try:
            if _plain_yaml(text):
                return _FastCaseLoader(text).get_single_data()
        except Exception:  # the careful reader below names the problem and its place
            pass
    return _parse_yaml_carefully(text, origin)


def _parse_yaml_carefully(text: str, origin: str) -> object:
    loader: _CaseLoader | None = None
    try:
        loader = _CaseLoader(text)
        return loader.get_single_data()
    except _Refused as e:
        raise CaseError(origin, _line(e.mark), e.message) from None
    except yaml.MarkedYAMLError as e:
        reason = ", ".join(p for p in (e.context, e.problem) if p) or "not valid YAML"
        raise CaseError(origin, _line(e.problem_mark or e.context_mark), reason) from None
    except yaml.reader.ReaderError as e:
        line = f"line {text.count(chr(10), 0, e.position) + 1}"
        raise CaseError(origin, line, f"unacceptable character #x{e.character:04x}") from None
    except RecursionError:
        raise CaseError(origin, "", "the document is nested too deeply") from None
    except yaml.YAMLError:
        raise CaseError(origin, "", "not valid YAML") from None
    finally:
        if loader is not None:
            loader.dispose()


def _line(mark: yaml.Mark | None) -> str:
    return f"line {mark.line + 1}" if mark is not None else ""


# ---------------------------------------------------------------- checking


def _first_problem(data: object, lay: sc.Layout, policy: CheckedPolicy) -> tuple[sc.Path, str] | None:
    shape = list(_shape(data))
    deep = [f for f in shape if f.kind == "deep"]
    if deep:
        return deep[0].path, "nested too deeply"
    if (over := _over_limits(data, lay)) is not None:
        return over
    ids, sections = _ids(data, lay)
    scan = sc.Checker(lay, data, ids, suggest=False)
    typed = sc.meets_schema(policy, data)
    schema = () if typed else sc.schema_findings(data, sc.validator(policy))
    findings = [*shape, *schema, *_scan(data, lay, sections, scan, typed)]
    if not findings:
        return None
    order = _Order(data)
    first = min(range(len(findings)), key=lambda i: (order.key(findings[i].at or findings[i].path), i))
    return findings[first].path, _explain(findings[first], lay, sc.Checker(lay, data, ids, suggest=True))


def _shape(data: object) -> Iterator[sc.Finding]:
    """Keys that are not text, keys given twice, and nesting deeper than any case file needs."""
    stack: list[tuple[sc.Path, object]] = [((), data)]
    while stack:
        path, node = stack.pop()
        if len(path) > MAX_DEPTH:
            yield sc.Finding("deep", path)
            return
        if isinstance(node, dict):
            for key in getattr(node, "duplicates", ()):
                yield sc.Finding("duplicate", path, key, (*path, key))
            yield from (sc.Finding("key", path, k, (*path, k)) for k in node if not isinstance(k, str))
            odd = [k for k in node if isinstance(k, str) and _SURROGATE.search(k)]
            yield from (sc.Finding("surrogate", (*path, k)) for k in odd)
            stack.extend(((*path, k), v) for k, v in node.items())
        elif isinstance(node, str) and _SURROGATE.search(node):
            yield sc.Finding("surrogate", path)
        elif isinstance(node, list):
            stack.extend(((*path, i), v) for i, v in enumerate(node))


def _over_limits(data: object, lay: sc.Layout) -> tuple[sc.Path, str] | None:
    """The first entity or relation pair past the limits of one case (see policy/README.md, Limits)."""
    if not isinstance(data, dict):
        return None
    entities = pairs = 0
    for plural, section in data.items():
        if plural not in lay.sections or not isinstance(section, dict):
            continue
        for eid, fields in section.items():
            entities += 1
            if entities > MAX_ENTITIES:
                return (plural, eid), f"a case holds at most {MAX_ENTITIES} entities, of all types together"
            for name, value in fields.items() if isinstance(fields, dict) else ():
                pred = lay.fields[lay.sections[plural]].get(name) if isinstance(name, str) else None
                if pred is not None and len(pred.params) == 2 and isinstance(value, list | dict):
                    pairs += len(value)
                    if pairs > MAX_PAIRS:
                        return (plural, eid, name), f"a case states at most {MAX_PAIRS} pairs of related entities"
    return None


def _ids(data: object, lay: sc.Layout) -> tuple[dict[str, str], dict[str, list[str]]]:
    """Each entity id with its type (where first given), and the sections each id is given in."""
    ids: dict[str, str] = {}
    sections: dict[str, list[str]] = {}
    if isinstance(data, dict):
        for plural, section in data.items():
            if plural in lay.sections and isinstance(section, dict):
                for eid in section:
                    if isinstance(eid, str):
                        ids.setdefault(eid, lay.sections[plural])
                        sections.setdefault(eid, []).append(plural)
    return ids, sections


def _scan(
    data: object, lay: sc.Layout, sections: dict[str, list[str]], check: sc.Checker, typed: bool
) -> Iterator[sc.Finding]:
    """What the schema cannot see: ids, references to entities, real dates. `typed`: the document meets the
    schema, which has then checked every yes/no, number and enumeration value of one entity."""
    if not isinstance(data, dict):
        return
    yield from (sc.Finding("value", (k,)) for k in sc.TOP if k in data and check.at((k,)))
    for plural, section in data.items():
        if plural not in lay.sections or not isinstance(section, dict):
            continue
        for eid, fields in section.items():
            if not sc.is_id(eid):
                yield sc.Finding("id", (plural, eid))
            elif sections[eid][0] == plural and len(sections[eid]) > 1:
                yield sc.Finding("taken", (plural, eid), sections[eid][1])
            if isinstance(fields, dict):
                of = lay.fields[lay.sections[plural]]
                for name, value in fields.items():
                    pred = of.get(name)
                    if pred is not None and not (typed and len(pred.params) == 1 and isinstance(pred.value, _TYPED)):
                        yield from _scan_field((plural, eid, name), value, check)


def _scan_field(path: sc.Path, value: object, check: sc.Checker) -> Iterator[sc.Finding]:
    if check.judge(path, value):
        yield sc.Finding("value", path)
        return
    seen: set[str] = set()
    for key in range(len(value)) if isinstance(value, list) else value if isinstance(value, dict) else ():
        if check.judge((*path, key), value[key]):
            yield sc.Finding("value", (*path, key))
        elif isinstance(value, list) and isinstance(value[key], str):
            if value[key] in seen:
                yield sc.Finding("twice", (*path, key))
            seen.add(value[key])


def _explain(f: sc.Finding, lay: sc.Layout, check: sc.Checker) -> str:
    match f.kind:
        case "value":
            return check.at(f.path) or f"{sc.describe(sc.lookup(check.data, f.path))} is not allowed here"
        case "unknown":
            return sc.unknown_key(lay, f.path)
        case "missing":
            return "missing"
        case "id":
            return sc.id_message(f.path[-1])
        case "duplicate":
            return f"duplicate key {sc.quote(str(f.detail))}"
        case "key":
            return f"keys must be text, found {sc.describe(f.detail)}"
        case "taken":
            return f"the id {sc.quote(str(f.path[-1]))} is also used in {f.detail}"
        case "surrogate":
            return "the text holds an unpaired surrogate (a half of a UTF-16 pair), which is not a character"
        case "twice":
            return f"{sc.describe(sc.lookup(check.data, f.path))} is listed twice"
    return "not allowed here"


class _Order:
    """Where a path sits in the file: the positions of its keys, a key not in the file after all others."""

    def __init__(self, data: object) -> None:
        self.data = data
        self._positions: dict[int, dict[object, int]] = {}

    def key(self, path: sc.Path) -> tuple[int, ...]:
        out: list[int] = []
        node = self.data
        for part in path:
            if isinstance(node, dict):
                if id(node) not in self._positions:
                    self._positions[id(node)] = {k: i for i, k in enumerate(node)}
                out.append(self._positions[id(node)].get(part, sys.maxsize))
            else:
                out.append(part if isinstance(part, int) and not isinstance(part, bool) else sys.maxsize)
            node = sc.lookup(node, (part,))
        return tuple(out)


def _render(path: sc.Path) -> str:
    out = ""
    for part in path:
        if isinstance(part, int) and not isinstance(part, bool):
            out += f"[{part}]"
        else:
            text = str(part)
            text = text if text.isprintable() and len(text) <= 60 else sc.quote(text)
            out += f".{text}" if out else text
    return out


# ---------------------------------------------------------------- building


def _build(data: dict[str, Any], lay: sc.Layout, origin: str) -> Case:
    entities: list[Entity] = []
    facts: list[Fact] = []
    closed: list[Closed] = []
    for plural, section in data.items():
        etype = lay.sections.get(plural)
        if etype is None:
            continue
        for eid, fields in section.items():
            entities.append(entity(etype, eid, fields.get("name")))
            for name, value in fields.items():
                pred = lay.fields[etype].get(name)
                if pred is not None and value is not None:
                    _add(pred, eid, value, facts, closed)
    date = sc.parse_date(data["assessment_date"])
    assert date is not None
    return Case(data["case"], date, tuple(entities), tuple(facts), tuple(closed), origin)


def _add(pred: n.Predicate, eid: str, value: Any, facts: list[Fact], closed: list[Closed]) -> None:
    if len(pred.params) == 1:
        facts.append(Fact(pred.name, (eid,), _value(pred.value, value)))
    elif isinstance(value, list):
        facts.extend(Fact(pred.name, (eid, other), True) for other in value)
        closed.append(Closed(pred.name, eid))
    else:
        facts.extend(Fact(pred.name, (eid, k), _value(pred.value, v)) for k, v in value.items() if v is not None)


def _value(t: n.Type, value: Any) -> Value:
    if isinstance(t, n.IntType):
        return int(value)
    if isinstance(t, n.DateType):
        date = sc.parse_date(value)
        assert date is not None
        return date
    return cast(Value, value)
