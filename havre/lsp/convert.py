"""Between the policy's places (1-based lines, columns in characters) and the protocol's (0-based, UTF-16 units)."""

from __future__ import annotations

from pathlib import Path

from lsprotocol import types as t
from pygls.uris import from_fs_path, to_fs_path

from grammar.diagnostics import Diagnostic
from grammar.typed.source import Span
from solver.analysis.analysis import Finding


def uri_of(path: str | Path) -> str:
    return from_fs_path(str(path)) or f"file://{path}"


def path_of(uri: str) -> Path:
    return Path(to_fs_path(uri) or uri).resolve()


def _units(line: str, column: int) -> int:
    """UTF-16 units before a 1-based character column."""
    return len(line[: max(column - 1, 0)].encode("utf-16-le")) // 2


def _column(line: str, units: int) -> int:
    """The 1-based character column at a count of UTF-16 units."""
    count = 0
    for i, ch in enumerate(line):
        if count >= units:
            return i + 1
        count += 2 if ord(ch) > 0xFFFF else 1
    return len(line) + 1


def _line(lines: list[str], number: int) -> str:
    return lines[number - 1] if 0 < number <= len(lines) else ""


def range_of(span: Span, text: str) -> t.Range:
    lines = text.splitlines()
    start = t.Position(max(span.line - 1, 0), _units(_line(lines, span.line), span.column))
    end = t.Position(max(span.end_line - 1, 0), _units(_line(lines, span.end_line), span.end_column))
    return t.Range(start, end)


def place_of(position: t.Position, text: str) -> tuple[int, int]:
    """A protocol position as a 1-based line and character column."""
    line = position.line + 1
    return line, _column(_line(text.splitlines(), line), position.character)


def diagnostic_of(d: Diagnostic, text: str) -> t.Diagnostic:
    severity = t.DiagnosticSeverity.Error if d.severity == "error" else t.DiagnosticSeverity.Warning
    message = d.message + (f"\nhint: {d.hint}" if d.hint else "")
    return t.Diagnostic(range_of(d.span, text), message, severity=severity, code=d.code, source="havre")


def finding_diagnostic(f: Finding, file: str, text: str) -> t.Diagnostic:
    """A finding of the solver's search (havre.lsp.search), at its place; one with none at the file's start."""
    severity = t.DiagnosticSeverity.Error if f.severity == "error" else t.DiagnosticSeverity.Warning
    span = f.span or Span.point(file)
    return t.Diagnostic(range_of(span, text), f.message, severity=severity, code=f.code, source="havre check")
