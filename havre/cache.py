"""Checked and compiled policies kept on disk, so a command does not parse the policy again.

An entry is found by the policy's entry file, the working directory (spans
name files relative to it) and the code that parses, checks and compiles;
it is used only while every file it was made from reads the same. Failing to
read or write the cache never fails a command: the policy is loaded anew.

HAVRE_CACHE_DIR chooses the folder (default: $XDG_CACHE_HOME/havre, or
~/.cache/havre); HAVRE_NO_CACHE=1 turns the cache off.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
import tempfile
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path

import grammar
import solver
from grammar.checked import CheckedPolicy
from solver.emit import AspProgram

FORMAT = 1


@dataclass(frozen=True)
class Entry:
    files: tuple[tuple[str, str], ...]  # (absolute path, sha256 of its text)
    checked: CheckedPolicy
    program: AspProgram


def folder() -> Path | None:
    if os.environ.get("HAVRE_NO_CACHE"):
        return None
    if chosen := os.environ.get("HAVRE_CACHE_DIR"):
        return Path(chosen)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "havre"


def _code() -> list[str]:
    """What identifies the compiler's code: its files' sizes and modification times."""
    out = [sys.version, str(FORMAT)]
    for package in (grammar, solver):
        for path in sorted(Path(package.__file__).parent.iterdir()):  # type: ignore[arg-type]
            if path.suffix in (".py", ".lark"):
                stat = path.stat()
                out.append(f"{path.name}:{stat.st_size}:{stat.st_mtime_ns}")
    return out


def _key(entry_file: Path) -> str:
    parts = [str(entry_file.resolve()), str(Path.cwd().resolve()), *_code()]
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:32]


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def read(entry_file: Path) -> Entry | None:
    where = folder()
    if where is None:
        return None
    try:
        entry = pickle.loads((where / f"{_key(entry_file)}.pickle").read_bytes())
        if not isinstance(entry, Entry):
            return None
        for path, sha in entry.files:
            if digest(Path(path).read_text(encoding="utf-8")) != sha:
                return None
    except (OSError, pickle.PickleError, EOFError, AttributeError, ImportError, TypeError, ValueError, UnicodeError):
        return None
    return entry


def write(entry_file: Path, entry: Entry) -> None:
    where = folder()
    if where is None:
        return
    partial: Path | None = None
    try:
        where.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=where, suffix=".partial", delete=False) as out:
            partial = Path(out.name)
            pickle.dump(entry, out, protocol=pickle.HIGHEST_PROTOCOL)
        partial.replace(where / f"{_key(entry_file)}.pickle")  # whole entry or none
    except (OSError, pickle.PicklingError):
        if partial is not None:
            with suppress(OSError):
                partial.unlink(missing_ok=True)
