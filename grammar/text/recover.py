"""Parsing that goes on after a syntax error, for editors: every later error in the file still shows.

After an error, the file is parsed again one declaration at a time: a
declaration begins on a line that starts with a declaration word. Each part
keeps its lines, so every place stays right.
"""

from __future__ import annotations

import re

from grammar.diagnostics import Diagnostic, PolicyError
from grammar.text.parse import DECLARATION_WORDS, parse_text
from grammar.typed import nodes as n

_START = re.compile(r"^(?:" + "|".join(sorted(DECLARATION_WORDS)) + r")\b", re.MULTILINE)


def parse_recovering(text: str, file: str) -> tuple[n.Module, list[Diagnostic]]:
    """The declarations that parse, and the syntax errors of the others."""
    try:
        return parse_text(text, file), []
    except PolicyError as err:
        first = err.diagnostics[0]  # the whole file's error, worded as `havre check` words it
    starts = [m.start() for m in _START.finditer(text)]
    if not starts or starts[0] != 0:
        starts.insert(0, 0)
    declarations: list[n.Declaration] = []
    diagnostics: list[Diagnostic] = []
    for begin, end in zip(starts, [*starts[1:], len(text)], strict=True):
        before = text.count("\n", 0, begin)
        try:
            declarations.extend(parse_text("\n" * before + text[begin:end], file).declarations)
        except PolicyError as err:
            last = before + text.count("\n", begin, end) + 1
            holds_first = before < first.span.line <= last
            diagnostics.extend([first] if holds_first else err.diagnostics)
    if first not in diagnostics:
        diagnostics.insert(0, first)
    return n.Module(file, tuple(declarations)), diagnostics
