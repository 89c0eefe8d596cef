"""Completion and formatting."""

from __future__ import annotations

import re

from lsprotocol import types as t

from grammar.diagnostics import PolicyError
from grammar.text.format import format_text
from grammar.text.parse import KEYWORDS
from grammar.typed import nodes as n
from havre.lsp.navigate import signature
from havre.lsp.workspace import Analysis

_IN_CITES = re.compile(r"\bcites\s+(?:[\w.-]+\s*,\s*)*[\w.-]*$")
_IN_PRIORITY = re.compile(r"\b(?:priority|over)\s+[\w.-]*$")


def completion(analysis: Analysis | None, before: str) -> list[t.CompletionItem]:
    """What may come next: only citations after `cites`, only rules after `priority` and `over`, else anything."""
    if analysis is None:
        return _keywords()
    citations = _citations(analysis)
    if _IN_CITES.search(before):
        return citations
    rules = _rules(analysis)
    if _IN_PRIORITY.search(before):
        return rules
    return _keywords() + _predicates(analysis) + _values(analysis) + citations + rules


def _keywords() -> list[t.CompletionItem]:
    return [t.CompletionItem(word, kind=t.CompletionItemKind.Keyword) for word in sorted(KEYWORDS)]


def _predicates(analysis: Analysis) -> list[t.CompletionItem]:
    items = []
    for p in analysis.index.predicates.values():
        args = ", ".join(f"${{{i}:{q.var}}}" for i, q in enumerate(p.params, 1))
        items.append(
            t.CompletionItem(
                p.name,
                kind=t.CompletionItemKind.Function,
                detail=signature(p),
                documentation=p.text("en"),
                insert_text=f"{p.name}({args})",
                insert_text_format=t.InsertTextFormat.Snippet,
            )
        )
    return items


def _values(analysis: Analysis) -> list[t.CompletionItem]:
    items: dict[str, t.CompletionItem] = {}
    for p in analysis.index.predicates.values():
        for value in p.value.values if isinstance(p.value, n.EnumType) else ():
            detail = f"a value of {p.name}"
            items.setdefault(value, t.CompletionItem(value, kind=t.CompletionItemKind.EnumMember, detail=detail))
    return list(items.values())


def _citations(analysis: Analysis) -> list[t.CompletionItem]:
    return [
        t.CompletionItem(ident, kind=t.CompletionItemKind.Reference, detail=(p or s).title)
        for ident, (s, p) in analysis.index.sources.items()
    ]


def _rules(analysis: Analysis) -> list[t.CompletionItem]:
    return [
        t.CompletionItem(r.id, kind=t.CompletionItemKind.Method, detail=r.title) for r in analysis.index.rules.values()
    ]


def formatting(text: str, file: str) -> list[t.TextEdit] | None:
    """The whole document in the canonical layout; nothing while it does not parse."""
    try:
        formatted = format_text(text, file)
    except PolicyError:
        return None
    if formatted == text:
        return []
    lines = text.split("\n")
    end = t.Position(len(lines) - 1, len(lines[-1].encode("utf-16-le")) // 2)
    return [t.TextEdit(t.Range(t.Position(0, 0), end), formatted)]
