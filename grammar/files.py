"""Where a policy's files are: a folder's entry file (kept apart from the parser, which loads Lark)."""

from __future__ import annotations

from pathlib import Path

ENTRY_FILE = "main.havre"


def entry_file(path: Path) -> Path:
    """A policy is named by its folder (which holds main.havre) or by one file."""
    return path / ENTRY_FILE if path.is_dir() else path
