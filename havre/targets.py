"""Output files: checked before any work, written whole or not at all.

`prepare` refuses a target that cannot be written (a folder, a missing or
read-only folder, a name too long, a pipe or a device) by creating the
partial file `OUT.partial` beside it, before the command does its work;
`written` fills it and renames it onto the target, or removes it when
anything fails, so an output is never left half-written.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import BinaryIO

from grammar.text.files import name_problem, os_problem


class OutputError(Exception):
    """An output that cannot be written: `PATH: why`."""


def problem(path: Path) -> str | None:
    """What makes `path` no place for an output file, found without writing anything."""
    text = str(path)
    if (named := name_problem(text)) is not None:
        return named
    try:
        info = os.stat(path)
    except FileNotFoundError:
        info = None
    except OSError as err:
        return os_problem(err)
    if info is not None and stat.S_ISDIR(info.st_mode):
        return "is a folder; name a file"
    if info is not None and not stat.S_ISREG(info.st_mode):
        return "is not a regular file (a pipe, a device or a socket)"
    if not path.parent.is_dir():
        return f"the folder {path.parent} does not exist"
    return None


def partial_of(path: Path) -> Path:
    return path.with_name(path.name + ".partial")


def shown(path: Path) -> str:
    text = str(path)
    return text if text.isprintable() and len(text) <= 200 else repr(text[:200])[1:-1]


def prepare(path: Path, *, keep: bool = False) -> BinaryIO:
    """The partial file of `path`, open for writing (kept as it is when `keep`); OutputError if it cannot be."""
    if (found := problem(path)) is not None:
        raise OutputError(f"{shown(path)}: {found}")
    partial = partial_of(path)
    try:
        return open(partial, "ab" if keep else "wb", buffering=0)
    except OSError as err:
        raise OutputError(f"{shown(path)}: cannot write there: {os_problem(err)}") from None


def commit(f: BinaryIO, path: Path) -> None:
    """The partial file, flushed to disk, becomes `path`; OutputError (and no partial file) if it cannot."""
    partial = partial_of(path)
    try:
        os.fsync(f.fileno())
        f.close()
        os.replace(partial, path)
    except OSError as err:
        discard(f, path)
        raise OutputError(f"{shown(path)}: cannot write there: {os_problem(err)}") from None


def discard(f: BinaryIO, path: Path) -> None:
    with suppress(OSError):
        f.close()
    with suppress(OSError):
        partial_of(path).unlink(missing_ok=True)


def write_all(f: BinaryIO, data: bytes) -> None:
    """Every byte, however the system splits the write."""
    view = memoryview(data)
    while view:
        view = view[f.write(view) :]


@contextmanager
def written(path: Path) -> Iterator[BinaryIO]:
    """The output file's partial file to fill; renamed onto `path` if the block ends normally, else removed."""
    f = prepare(path)
    try:
        yield f
    except OSError as err:
        discard(f, path)
        raise OutputError(f"{shown(path)}: cannot write there: {os_problem(err)}") from None
    except BaseException:
        discard(f, path)
        raise
    commit(f, path)
