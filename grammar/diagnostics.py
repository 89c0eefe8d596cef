"""Diagnostics: stable codes, a place in the user's file, a message and a hint."""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

from grammar.typed.source import Span

Severity = Literal["error", "warning"]

# Stable codes: tools and tests match on these, so they never change meaning.
CODES = frozenset(
    {
        "syntax-error",
        "bad-literal",
        "import-not-found",
        "undefined-name",
        "undefined-source",
        "undefined-rule",
        "duplicate-declaration",
        "duplicate-rule",
        "wrong-arity",
        "type-mismatch",
        "unsafe-variable",
        "bad-exception",
        "concludes-input",
        "bad-template",
        "bad-modifier",
        "missing-text",
        "plain-sentence",
        "negative-cycle",
        "priority-cycle",
        "priority-mismatch",
        "reserved-name",
        "unreadable-file",
        "too-deep",
        "too-large",
        "unbounded-recursion",
        "version-overlap",
        "version-gap",
        "version-mismatch",
        "never-in-force",
    }
)


@dataclass(frozen=True, slots=True)
class Diagnostic:
    code: str
    severity: Severity
    span: Span
    message: str
    hint: str | None = None

    def __post_init__(self) -> None:
        if self.code not in CODES:
            raise ValueError(f"unknown diagnostic code {self.code!r}")

    def headline(self) -> str:
        return f"{self.span}: {self.severity}[{self.code}]: {self.message}"


def error(code: str, span: Span, message: str, hint: str | None = None) -> Diagnostic:
    return Diagnostic(code, "error", span, message, hint)


def did_you_mean(name: str, candidates: Iterable[str]) -> str | None:
    """A hint naming the closest candidates, or None when nothing is close."""
    close = difflib.get_close_matches(name, sorted(set(candidates)), n=3, cutoff=0.6)
    if not close:
        return None
    return "did you mean " + " or ".join(f"`{c}`" for c in close) + "?"


class PolicyError(Exception):
    """The policy text is wrong; carries every diagnostic found."""

    def __init__(self, diagnostics: Iterable[Diagnostic]) -> None:
        self.diagnostics = tuple(sorted(diagnostics, key=_order))
        super().__init__("\n".join(d.headline() for d in self.diagnostics))


def _order(d: Diagnostic) -> tuple[str, int, int, str]:
    return (d.span.file, d.span.line, d.span.column, d.code)


def render_text(diagnostics: Iterable[Diagnostic], texts: Mapping[str, str]) -> str:
    """Human rendering: headline, the source line with a caret, then the hint."""
    out: list[str] = []
    for d in diagnostics:
        out.append(d.headline())
        lines = texts.get(d.span.file, "").splitlines()
        if 0 < d.span.line <= len(lines):
            line = lines[d.span.line - 1]
            width = (
                d.span.end_column - d.span.column if d.span.end_line == d.span.line else len(line) - d.span.column + 1
            )
            out.append(f"  {d.span.line:>4} | {line}")
            out.append("       | " + " " * (d.span.column - 1) + "^" * max(1, width))
        if d.hint:
            out.append(f"  hint: {d.hint}")
    return "\n".join(out)


def render_json(diagnostics: Iterable[Diagnostic]) -> str:
    return json.dumps(
        [
            {
                "code": d.code,
                "severity": d.severity,
                "file": d.span.file,
                "line": d.span.line,
                "column": d.span.column,
                "end_line": d.span.end_line,
                "end_column": d.span.end_column,
                "message": d.message,
                "hint": d.hint,
            }
            for d in diagnostics
        ],
        indent=2,
        ensure_ascii=False,
    )
