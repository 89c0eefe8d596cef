"""Places in policy and case files, for diagnostics and citations."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Span:
    """A region of a file: 1-based line and column, end exclusive."""

    file: str
    line: int
    column: int
    end_line: int
    end_column: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"

    @staticmethod
    def point(file: str, line: int = 1, column: int = 1) -> Span:
        return Span(file, line, column, line, column + 1)


NOWHERE = Span("<policy>", 1, 1, 1, 1)


@dataclass(frozen=True, slots=True)
class SourceText:
    """A loaded file: its display path and its text."""

    path: str
    text: str

    def line(self, number: int) -> str:
        lines = self.text.splitlines()
        return lines[number - 1] if 0 < number <= len(lines) else ""
