"""Every name in a policy's files, where it is declared and where it is used."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from grammar.checks.versions import figure_rules
from grammar.typed import nodes as n
from grammar.typed.source import Span

Kind = Literal["predicate", "rule", "citation", "entity", "import"]


@dataclass(frozen=True, slots=True)
class Occurrence:
    kind: Kind
    name: str  # for an import: the absolute path of the imported file
    span: Span  # the name itself
    definition: bool


@dataclass
class Index:
    occurrences: list[Occurrence] = field(default_factory=list)
    predicates: dict[str, n.Predicate] = field(default_factory=dict)
    rules: dict[str, n.Rule] = field(default_factory=dict)
    sources: dict[str, tuple[n.Source, n.Provision | None]] = field(default_factory=dict)
    entities: dict[str, n.Entity] = field(default_factory=dict)

    def at(self, file: str, line: int, column: int) -> Occurrence | None:
        for o in self.occurrences:
            s = o.span
            if s.file == file and s.line == line and s.column <= column <= s.end_column:
                return o
        return None

    def definition(self, kind: Kind, name: str) -> Occurrence | None:
        return next((o for o in self.occurrences if o.definition and o.kind == kind and o.name == name), None)

    def uses(self, kind: Kind, name: str) -> list[Occurrence]:
        return [o for o in self.occurrences if o.kind == kind and o.name == name]


def build_index(modules: list[n.Module], texts: dict[str, str]) -> Index:
    index = Index()
    for module in modules:
        lines = texts.get(module.path, "").splitlines()
        for decl in module.declarations:
            _declare(index, decl)
            index.occurrences.extend(_definitions(decl, lines, module.path))
            index.occurrences.extend(_references(decl))
    return index


def _declare(index: Index, decl: n.Declaration) -> None:
    if isinstance(decl, n.Predicate):
        index.predicates.setdefault(decl.name, decl)
    elif isinstance(decl, n.Rule):
        index.rules.setdefault(decl.id, decl)
    elif isinstance(decl, n.Figure):  # a figure declares its fact and the rule its rows are versions of
        index.predicates.setdefault(decl.predicate.name, decl.predicate)
        index.rules.setdefault(decl.id, figure_rules(decl)[0])
    elif isinstance(decl, n.Entity):
        index.entities.setdefault(decl.name, decl)
    elif isinstance(decl, n.Source):
        index.sources.setdefault(decl.id, (decl, None))
        for p in decl.provisions:
            index.sources.setdefault(p.id, (decl, p))


def name_span(lines: list[str], start: Span, name: str) -> Span:
    """Where a declared name is written, from the start of its declaration on."""
    pattern = re.compile(r"(?<![\w.-])" + re.escape(name) + r"(?![\w-]|\.\w)")
    for number in range(start.line, min(start.end_line, len(lines)) + 1):
        offset = start.column - 1 if number == start.line else 0
        if m := pattern.search(lines[number - 1], offset):
            return Span(start.file, number, m.start() + 1, number, m.end() + 1)
    return start


def _definitions(decl: n.Declaration, lines: list[str], file: str) -> Iterator[Occurrence]:
    if isinstance(decl, n.Predicate):
        yield Occurrence("predicate", decl.name, name_span(lines, decl.span, decl.name), True)
    elif isinstance(decl, n.Rule):
        yield Occurrence("rule", decl.id, name_span(lines, decl.span, decl.id), True)
    elif isinstance(decl, n.Figure):
        yield Occurrence("rule", decl.id, name_span(lines, decl.span, decl.id), True)
        name = decl.predicate.name
        yield Occurrence("predicate", name, name_span(lines, decl.predicate.span, name), True)
    elif isinstance(decl, n.Entity):
        yield Occurrence("entity", decl.name, name_span(lines, decl.span, decl.name), True)
    elif isinstance(decl, n.Source):
        yield Occurrence("citation", decl.id, name_span(lines, decl.span, decl.id), True)
        for p in decl.provisions:
            yield Occurrence("citation", p.id, name_span(lines, p.span, p.id), True)
    elif isinstance(decl, n.Import):
        target = str((Path(file).parent / decl.path).resolve())
        yield Occurrence("import", target, decl.span, False)


def _references(decl: n.Declaration) -> Iterator[Occurrence]:
    for node in _walk(decl):
        if isinstance(node, n.Figure | n.Predicate):
            continue  # declared, not referred to
        if isinstance(node, n.Atom | n.Call | n.Head):
            s = node.span
            yield Occurrence(
                "predicate", node.name, Span(s.file, s.line, s.column, s.line, s.column + len(node.name)), False
            )
        elif isinstance(node, n.NameRef):
            yield Occurrence("predicate", node.name, node.span, False)
        elif isinstance(node, n.Deadline) and node.met_by is not None and node.met_by_span is not None:
            yield Occurrence("predicate", node.met_by, node.met_by_span, False)
        elif isinstance(node, n.Citation):
            yield Occurrence("citation", node.id, node.span, False)
        elif isinstance(node, n.RuleRef):
            yield Occurrence("rule", node.id, node.span, False)
        elif isinstance(node, n.Param):
            yield from _entity_ref(node)


def _entity_ref(param: n.Param) -> Iterator[Occurrence]:
    s, name = param.span, param.type.name
    if s.line == s.end_line:  # `P: person`: the type is the end of the parameter
        yield Occurrence("entity", name, Span(s.file, s.line, s.end_column - len(name), s.line, s.end_column), False)


def _walk(node: object) -> Iterator[object]:
    """Every node inside a declaration, in the order of its fields."""
    if isinstance(node, tuple):
        for item in node:
            yield from _walk(item)
    elif dataclasses.is_dataclass(node) and not isinstance(node, Span | type):
        yield node
        for f in dataclasses.fields(node):
            yield from _walk(getattr(node, f.name))
