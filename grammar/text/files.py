"""Where a policy's files are, and reading any file a user names: one rule for every reader.

`read_text` is how policy files, case files and caseloads are read. It never
blocks on a pipe, never follows a name it cannot hold, and says what is wrong
with the file in a sentence that names no byte of its content. (Kept apart
from the parser, which loads Lark.)
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

ENTRY_FILE = "main.havre"
MAX_NAME = 255  # bytes in one part of a path, as most file systems allow
MAX_PATH = 4096
_ERRORS = {
    errno.ENOENT: "no such file",
    errno.ENOTDIR: "no such file (a part of the path is not a folder)",
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
    errno.ELOOP: "too many symbolic links (a loop?)",
    errno.ENAMETOOLONG: "the name is too long",
    errno.EISDIR: "is a folder, not a file",
}


class FileProblem(Exception):
    """A file cannot be read as text: the message says why, never what it holds."""


def entry_file(path: Path) -> Path:
    """A policy is named by its folder (which holds main.havre) or by one file."""
    try:
        return path / ENTRY_FILE if path.is_dir() else path
    except (OSError, ValueError):  # a name too long or with a NUL: reading it says what is wrong
        return path


def name_problem(path: str) -> str | None:
    """What is wrong with a file name before the system is asked about it."""
    if "\0" in path:
        return "the name holds a NUL character"
    if not path:
        return "the name is empty"
    encoded = os.fsencode(path)
    if len(encoded) > MAX_PATH or any(len(part) > MAX_NAME for part in encoded.split(b"/")):
        return "the name is too long"
    return None


def os_problem(err: OSError) -> str:
    """The system's reason, as a message's last words."""
    text = _ERRORS.get(err.errno or 0) or str(err.strerror or err)
    return text[:1].lower() + text[1:]


def read_bytes(path: str | os.PathLike[str], max_bytes: int) -> bytes:
    """A regular file's bytes, at most `max_bytes` of them; FileProblem otherwise."""
    name = os.fspath(path)
    if (problem := name_problem(name)) is not None:
        raise FileProblem(problem)
    try:
        fd = os.open(name, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY)
    except OSError as err:
        raise FileProblem(os_problem(err)) from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise FileProblem("is a folder, not a file")
        if not stat.S_ISREG(info.st_mode):
            raise FileProblem("is not a regular file (a pipe, a device or a socket)")
        if info.st_size > max_bytes:
            raise FileProblem(f"file is larger than {size_text(max_bytes)}")
        with os.fdopen(fd, "rb", closefd=False) as f:
            data = f.read(max_bytes + 1)
    except OSError as err:
        raise FileProblem(os_problem(err)) from None
    finally:
        os.close(fd)
    if len(data) > max_bytes:
        raise FileProblem(f"file is larger than {size_text(max_bytes)}")
    return data


def decode_text(data: bytes) -> str:
    """UTF-8 text (a leading byte-order mark is dropped), without NUL characters; FileProblem otherwise."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise FileProblem("the file is UTF-16 text; save it as UTF-8")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line, column = _place(data, err.start)
        raise FileProblem(f"the file is not UTF-8 text (line {line}, column {column})") from None
    if "\0" in text:
        line, column = _place(data, data.index(b"\0"))
        raise FileProblem(f"the file holds a NUL character (line {line}, column {column}): is it a binary file?")
    return text


def read_text(path: str | os.PathLike[str], max_bytes: int) -> str:
    return decode_text(read_bytes(path, max_bytes))


def _place(data: bytes, offset: int) -> tuple[int, int]:
    start = data.rfind(b"\n", 0, offset) + 1
    return data.count(b"\n", 0, offset) + 1, len(data[start:offset].decode("utf-8", "replace")) + 1


def size_text(n_bytes: int) -> str:
    for unit, size in (("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n_bytes >= size and n_bytes % size == 0:
            return f"{n_bytes // size} {unit}"
    return f"{n_bytes} bytes"
