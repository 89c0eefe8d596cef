"""The solver's search on the policy as saved: the conflicts, gaps, broken invariants, dead rules and the rest that
`havre check` finds, shown in the editor where they are.

The search takes seconds, so it runs on a thread of its own, when a file of the policy is first opened and after
each save, with the proofs `havre check` keeps (havre.store.proofs): after a small edit it asks again only what
the edit could change. A save while a search runs or waits asks for one of the newer text: the older search, not
yet started, does not start, and one already running stops at its next step, as all do when the editor ends the
session.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from grammar.checks.checked import CheckedPolicy
from havre.store import proofs
from solver.analysis.analysis import Finding, Progress, analyse
from solver.compile.emit import emit


class Stopped(Exception):
    """The search is no longer wanted: a later save asked for another, or the session ends."""


class Searches:
    """The latest findings of each policy (by its entry file), and the searches asked for."""

    def __init__(self) -> None:
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="havre-search")
        self._asked: dict[Path, int] = {}
        self._closed = False
        self.found: dict[Path, list[Finding]] = {}

    def close(self) -> None:
        """No search starts any more, and the one running stops at its next step."""
        self._closed = True
        self._pool.shutdown(wait=False, cancel_futures=True)

    def by_file(self, entry: Path) -> dict[str, list[Finding]]:
        """The policy's findings by the file they are in; one with no place is the entry file's."""
        out: dict[str, list[Finding]] = {}
        for f in self.found.get(entry, []):
            out.setdefault(f.span.file if f.span else str(entry), []).append(f)
        return out

    def asked(self, entry: Path) -> bool:
        """Whether a search of the policy was asked for."""
        return entry in self._asked

    async def search(self, entry: Path, checked: CheckedPolicy | None, say: Progress | None = None) -> bool:
        """Search the policy (None: it does not check, so there is nothing to search); whether its findings
        changed. False too when a later save asked for another search meanwhile. `say` hears the search's steps,
        on the search's thread."""
        turn = self._asked[entry] = self._asked.get(entry, 0) + 1
        if checked is None:  # the findings kept are of an older text
            return self.found.pop(entry, None) is not None

        def wanted() -> None:
            if self._closed or self._asked[entry] != turn:
                raise Stopped

        def step(line: str) -> None:
            wanted()
            if say is not None:
                say(line)

        def run() -> list[Finding] | None:
            try:
                wanted()
                return findings(checked, step)
            except Stopped:
                return None

        if self._closed:
            return False
        found = await asyncio.get_running_loop().run_in_executor(self._pool, run)
        if found is None or self._asked[entry] != turn:
            return False
        changed = self.found.get(entry, []) != found
        self.found[entry] = found
        return changed


def findings(checked: CheckedPolicy, say: Progress | None = None) -> list[Finding]:
    """What `havre check` finds in its default universe, with the proofs it keeps read and added to."""
    kept = proofs.read()
    found = analyse(emit(checked), checked, kept=kept, progress=say)
    if kept is not None:
        proofs.write(kept)
    return found
