"""Checked and compiled policies kept on disk, so a command does not parse the policy again.

An entry holds the checked policy, its compiled program and the rules that
explanations add to it (solver.compile.chain: building them took about 12 ms
of every command that explains). It is found by the policy's entry file, the
working directory (spans name files relative to it) and the code that parses,
checks and compiles; it is used only while every file it was made from reads
the same. Once one is edited, the entry still gives the parsed files that read
the same, and the entry made anew replaces it. Failing to read or write the cache never
fails a command: the policy is loaded anew.

An entry is one line of header, `{"digest":SHA256,"format":N}`, then the
entry as JSON (see havre.store.stored: reading it cannot run code). It is used only
if the body has that digest, reads back as an entry made under the same key,
and its files are unchanged; otherwise it is discarded and made again.

A one-off command writes the entry it made on a thread of its own
(`write_behind`): it answers meanwhile, and the interpreter waits for the
thread before the process ends.

HAVRE_CACHE_DIR chooses the folder (default: $XDG_CACHE_HOME/havre, or
~/.cache/havre); HAVRE_NO_CACHE=1 turns the cache off.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import tempfile
import threading
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path

import grammar
import solver
from grammar.checks.checked import CheckedPolicy
from havre.store import stored
from solver.compile.chain import Chain, Chains, chain_program
from solver.compile.emit import AspProgram

FORMAT = 3
SUFFIX = ".entry"
MAX_BYTES = 64 << 20  # far above any real policy's entry; a bigger file is not read


@dataclass(frozen=True)
class Entry:
    files: tuple[tuple[str, str], ...]  # (absolute path, sha256 of its text)
    checked: CheckedPolicy
    program: AspProgram
    chains: Chains  # for explanations: solver.compile.chain


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
        root = Path(package.__file__).parent  # type: ignore[arg-type]
        for path in sorted(root.rglob("*")):
            if path.suffix in (".py", ".lark"):
                stat = path.stat()
                out.append(f"{path.relative_to(root)}:{stat.st_size}:{stat.st_mtime_ns}")
    return out


def code_digest() -> str:
    """A digest of what identifies the compiler's code: what is made from a policy is used only under the same."""
    return hashlib.sha256("\0".join(_code()).encode()).hexdigest()[:32]


def key(entry_file: Path) -> str:
    parts = [str(entry_file.resolve()), str(Path.cwd().resolve()), *_code()]
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:32]


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def encode(entry_key: str, entry: Entry) -> bytes:
    """An entry's bytes on disk: the header line, then the body it vouches for."""
    body = stored.dumps((entry_key, entry.files, entry.checked, entry.program, entry.chains[1]))
    header = json.dumps({"digest": hashlib.sha256(body).hexdigest(), "format": FORMAT}, separators=(",", ":"))
    return header.encode() + b"\n" + body


def decode(entry_key: str, data: bytes) -> Entry | None:
    """The entry in these bytes, if they are whole and were made under this key; else None."""
    head, newline, body = data.partition(b"\n")
    try:
        header = json.loads(head)
        if not newline or header != {"digest": hashlib.sha256(body).hexdigest(), "format": FORMAT}:
            return None
        made_for, files, checked, program, found = stored.loads(body)  # type: ignore[misc]
    except (ValueError, TypeError, RecursionError):
        return None
    if made_for != entry_key or not isinstance(checked, CheckedPolicy) or not isinstance(program, AspProgram):
        return None
    if program.policy_hash != checked.hash or not _pairs(files) or not _chains(found):
        return None
    return Entry(files, checked, program, (chain_program(found), found))  # the text is each chain's rules


def _pairs(files: object) -> bool:
    return isinstance(files, tuple) and all(
        isinstance(f, tuple) and len(f) == 2 and all(isinstance(x, str) for x in f) for f in files
    )


def _chains(found: object) -> bool:
    return isinstance(found, tuple) and all(isinstance(c, Chain) for c in found)


def fresh(entry: Entry) -> bool:
    """Whether every file the entry was made from reads the same."""
    try:
        return all(digest(Path(path).read_text(encoding="utf-8")) == sha for path, sha in entry.files)
    except (OSError, ValueError):  # a file gone or no longer text
        return False


def read(entry_file: Path) -> Entry | None:
    """The entry kept for this policy, whole and made under the same key; it may be stale (`fresh`): its
    parsed files then spare parsing those that read the same (grammar.text.parse), and the entry made anew
    takes its place."""
    where = folder()
    if where is None:
        return None
    try:
        entry_key = key(entry_file)
        path = where / f"{entry_key}{SUFFIX}"
        with open(path, "rb") as f:
            data = f.read(MAX_BYTES + 1)
        entry = decode(entry_key, data) if len(data) <= MAX_BYTES else None
        if entry is None:
            _discard(path)
            return None
    except (OSError, ValueError):  # UnicodeDecodeError is a ValueError; a missing entry an OSError
        return None
    return entry


def _discard(path: Path) -> None:
    with suppress(OSError):
        path.unlink(missing_ok=True)


Place = tuple[Path, str]  # the cache's folder and an entry's key


def place(entry_file: Path) -> Place | None:
    """Where the policy's entry is written, as the environment and the working directory say now; None when the
    cache is off or the key cannot be made: nothing is to be made for an entry then."""
    where = folder()
    if where is None:
        return None
    try:
        return where, key(entry_file)
    except (OSError, ValueError):
        return None


def write_behind(at: Place, entry: Entry) -> None:
    """`write` on a thread the interpreter waits for at exit (not a daemon): a one-off command made the entry
    anew, the first after an edit, and answers without waiting for it (about 30 ms of turning it into JSON, most
    of it while the command's grounding holds no lock)."""
    threading.Thread(target=write, args=(at, entry), name="havre-cache-write").start()


def write(at: Place, entry: Entry) -> None:
    """The entry, whole or not at all; a folder that cannot be written only costs making it again."""
    where, entry_key = at
    partial: Path | None = None
    try:
        data = encode(entry_key, entry)
        where.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=where, suffix=".partial", delete=False) as out:
            partial = Path(out.name)
            out.write(data)
        partial.replace(where / f"{entry_key}{SUFFIX}")  # whole entry or none
    except (OSError, TypeError, ValueError, RecursionError):
        if partial is not None:
            with suppress(OSError):
                partial.unlink(missing_ok=True)
