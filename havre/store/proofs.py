"""What `havre check` settled one question at a time, kept beside the policy cache (havre.store.cache) so that the
next check asks again only what an edit could have changed (solver/analysis/kept.py names each question by
the part of the policy it depends on).

One JSON file, `proofs.json`: `{"code": ..., "proofs": {key: outcome}}`, the most recently used entries
last, at most MAX of them. It is used only if made by the same code (the parser's, checker's, compiler's and
analyses' files). Failing to read or write it never fails a command; HAVRE_NO_CACHE=1 turns it off.
"""

from __future__ import annotations

import json
import tempfile
from contextlib import suppress
from pathlib import Path

from havre.store import cache
from solver.analysis.kept import OUTCOMES

NAME = "proofs.json"
MAX = 20_000  # a policy of 150 rules asks 518 questions; an edit, a few new ones: 1.7 MB
MAX_BYTES = 8 << 20


class Kept(dict[str, str]):
    """Outcomes by key; one set again moves to the end, so the oldest are dropped first."""

    def __setitem__(self, key: str, outcome: str) -> None:
        self.pop(key, None)
        super().__setitem__(key, outcome)


def read() -> Kept | None:
    """The proofs kept, none yet if the file is missing, unreadable or made by other code; None when off."""
    where = cache.folder()
    if where is None:
        return None
    kept = Kept()
    with suppress(OSError, ValueError, RecursionError):
        with open(where / NAME, "rb") as f:
            text = f.read(MAX_BYTES + 1)
        data = json.loads(text) if len(text) <= MAX_BYTES else None
        if isinstance(data, dict) and data.get("code") == cache.code_digest() and isinstance(data.get("proofs"), dict):
            for key, outcome in data["proofs"].items():
                if isinstance(key, str) and outcome in OUTCOMES:
                    kept[key] = outcome
    return kept


def write(kept: Kept) -> None:
    """The file made anew, whole or not at all, with the newest MAX entries: those of `kept`, after what another
    check wrote since this one read it."""
    where = cache.folder()
    if where is None:
        return
    merged = Kept({key: outcome for key, outcome in (read() or {}).items() if key not in kept})
    for key, outcome in kept.items():
        merged[key] = outcome
    newest = dict(list(merged.items())[-MAX:])
    partial: Path | None = None
    try:
        where.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=where, suffix=".partial", delete=False) as out:
            partial = Path(out.name)
            out.write(json.dumps({"code": cache.code_digest(), "proofs": newest}, separators=(",", ":")).encode())
        partial.replace(where / NAME)
    except OSError:
        if partial is not None:
            with suppress(OSError):
                partial.unlink(missing_ok=True)
