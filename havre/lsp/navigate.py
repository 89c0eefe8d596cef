"""Hover, definitions, references, renaming and the outline of a file."""

from __future__ import annotations

import re

from lsprotocol import types as t

from grammar.text.parse import KEYWORDS
from grammar.typed import nodes as n
from grammar.typed import pretty
from grammar.typed.source import Span
from havre.lsp.convert import range_of, uri_of
from havre.lsp.index import Index, Occurrence, name_span
from havre.lsp.workspace import Analysis

# What a new name must look like: the grammar's NAME and CITE_ID.
RENAMABLE = {
    "predicate": re.compile(r"[a-z][a-z0-9_]*"),
    "rule": re.compile(r"[A-Z][A-Za-z0-9]*(?:[-.][A-Za-z0-9]+)*"),
}


def hover(analysis: Analysis, occurrence: Occurrence) -> t.Hover | None:
    index = analysis.index
    if occurrence.kind == "predicate" and occurrence.name in index.predicates:
        text = _predicate(index.predicates[occurrence.name])
    elif occurrence.kind == "rule" and occurrence.name in index.rules:
        text = _rule(index.rules[occurrence.name], index)
    elif occurrence.kind == "citation" and occurrence.name in index.sources:
        text = _citation(*index.sources[occurrence.name])
    elif occurrence.kind == "entity" and occurrence.name in index.entities:
        entity = index.entities[occurrence.name]
        text = f"**entity** `{entity.name}`, written under `{entity.plural}:` in case files"
    elif occurrence.kind == "import":
        text = f"imports `{occurrence.name}`"
    else:
        return None
    content = t.MarkupContent(kind=t.MarkupKind.Markdown, value=text)
    return t.Hover(contents=content, range=range_of(occurrence.span, analysis.texts[occurrence.span.file]))


def signature(p: n.Predicate) -> str:
    params = ", ".join(f"{q.var}: {q.type.name}" for q in p.params)
    value = "" if p.is_bool else f": {p.value}"
    return f"{p.kind} {p.name}({params}){value}"


def _predicate(p: n.Predicate) -> str:
    lines = [f"```havre\n{signature(p)}\n```"]
    for lang in ("en", "fr"):
        text = p.text(lang)
        lines.append(f"- {lang}: {text}" if text else f"- {lang}: *no text*")
    for kind in ("not", "clause", "question"):
        for form in sorted((x for x in p.texts if x.kind == kind), key=lambda x: n.LANGS.index(x.lang)):
            lines.append(f"- {kind} {form.lang}: {form.template}")
    if p.kind == "judged":
        lines.append("\nAn officer's finding: never concluded by rules.")
    return "\n".join(lines)


def _rule(r: n.Rule, index: Index) -> str:
    lines = [f"**rule {r.id}**: {r.title}"]
    if r.title_fr:
        lines.append(f"*fr*: {r.title_fr}")
    lines.append(f"\nconcludes `{pretty.head(r.head)}`\n")
    for c in r.cites:
        source, provision = index.sources.get(c.id, (None, None))
        title = provision.title if provision else source.title if source else "not declared"
        lines.append(f"- cites {c.id}: {title}")
    return "\n".join(lines)


def _citation(source: n.Source, provision: n.Provision | None) -> str:
    lines = [f"**provision {provision.id}**: {provision.title}"] if provision else []
    if provision and provision.title_fr:
        lines.append(f"*fr*: {provision.title_fr}")
    lines.append(f"**source {source.id}**: {source.title}")
    lines.append(f"\ndocument `{source.document}`, authority **{source.authority}**")
    return "\n".join(lines)


def definition(analysis: Analysis, occurrence: Occurrence) -> t.Location | None:
    if occurrence.kind == "import":
        return t.Location(uri_of(occurrence.name), t.Range(t.Position(0, 0), t.Position(0, 0)))
    found = analysis.index.definition(occurrence.kind, occurrence.name)
    if found is None:
        return None
    return t.Location(uri_of(found.span.file), range_of(found.span, analysis.texts[found.span.file]))


def references(analysis: Analysis, occurrence: Occurrence, declaration: bool) -> list[t.Location]:
    """For a predicate, the rules reading or concluding it; for a provision, the rules citing it; and so on."""
    return [
        t.Location(uri_of(o.span.file), range_of(o.span, analysis.texts[o.span.file]))
        for o in analysis.index.uses(occurrence.kind, occurrence.name)
        if declaration or not o.definition
    ]


def rename(analysis: Analysis, occurrence: Occurrence, new_name: str) -> t.WorkspaceEdit | None:
    """A predicate or rule ID, in every file of the policy; None for anything else or a name the language refuses."""
    if occurrence.kind not in RENAMABLE or not RENAMABLE[occurrence.kind].fullmatch(new_name) or new_name in KEYWORDS:
        return None
    changes: dict[str, list[t.TextEdit]] = {}
    for o in analysis.index.uses(occurrence.kind, occurrence.name):
        edit = t.TextEdit(range_of(o.span, analysis.texts[o.span.file]), new_name)
        changes.setdefault(uri_of(o.span.file), []).append(edit)
    return t.WorkspaceEdit(changes=changes)


def symbols(analysis: Analysis, file: str) -> list[t.DocumentSymbol]:
    """The outline: sources with their provisions, entities, inputs, derived facts, verdicts, rules, invariants."""
    text = analysis.texts.get(file, "")
    module = next((m for m in analysis.modules if m.path == file), None)
    found: list[t.DocumentSymbol] = []
    for decl in module.declarations if module else ():
        symbol = _symbol(decl, text)
        if symbol is not None:
            found.append(symbol)
    return found


_KINDS = {
    "input": t.SymbolKind.Field,
    "judged": t.SymbolKind.Field,
    "derived": t.SymbolKind.Function,
    "verdict": t.SymbolKind.Event,
}


def _symbol(decl: n.Declaration, text: str) -> t.DocumentSymbol | None:
    if isinstance(decl, n.Source):
        symbol = _named(decl.id, decl.title, t.SymbolKind.Module, decl.span, text)
        symbol.children = [_named(p.id, p.title, t.SymbolKind.Key, p.span, text) for p in decl.provisions]
        return symbol
    if isinstance(decl, n.Entity):
        return _named(decl.name, "entity", t.SymbolKind.Class, decl.span, text)
    if isinstance(decl, n.Party):
        return _named(decl.name, "party", t.SymbolKind.Constant, decl.span, text)
    if isinstance(decl, n.Predicate):
        return _named(decl.name, signature(decl), _KINDS[decl.kind], decl.span, text)
    if isinstance(decl, n.Rule):
        return _named(decl.id, decl.title, t.SymbolKind.Method, decl.span, text)
    if isinstance(decl, n.Invariant):
        return _named(decl.id, decl.title, t.SymbolKind.Boolean, decl.span, text)
    if isinstance(decl, n.Figure):
        symbol = _named(decl.id, decl.title, t.SymbolKind.Number, decl.span, text)
        symbol.children = [
            _named(decl.predicate.name, signature(decl.predicate), t.SymbolKind.Field, decl.predicate.span, text)
        ]
        return symbol
    if isinstance(decl, n.Summary):
        names = ", ".join(r.name for r in decl.verdicts)
        return _named("summary", names, t.SymbolKind.Array, decl.span, text)
    return None


def _named(name: str, detail: str, kind: t.SymbolKind, span: Span, text: str) -> t.DocumentSymbol:
    selection = range_of(name_span(text.splitlines(), span, name), text)
    return t.DocumentSymbol(name, kind, range_of(span, text), selection, detail=detail)
