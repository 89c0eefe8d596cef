"""Python's cycle collector held back while explanations are built, caseloads decided and coverage measured.

An explanation makes hundreds of thousands of small containers (atoms, values, conditions) that reference
counting frees as soon as they are done with. Counting them, Python's default thresholds run a full
collection about every 70,000 container allocations, and a full collection walks the whole heap, the policy
and the atoms kept for the process included: about a sixth of a batch explanation's time. In this scope
(an explanation, a chunk of a caseload, the coverage of a test run) the young generation is collected every
YOUNG allocations instead of 700; what was set before comes back when the last scope running in the process
ends.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

YOUNG = 10_000

_lock = threading.Lock()
_running = 0
_before: tuple[int, int, int] = gc.get_threshold()


@contextmanager
def fewer_collections() -> Iterator[None]:
    """A scope (or a decorator) in which the cycle collector runs less often; scopes may nest and overlap."""
    global _running, _before
    with _lock:
        if _running == 0:
            _before = gc.get_threshold()
            young, *older = _before
            if 0 < young < YOUNG:  # 0: the collector is off, and stays so
                gc.set_threshold(YOUNG, *older)
        _running += 1
    try:
        yield
    finally:
        with _lock:
            _running -= 1
            if _running == 0:
                gc.set_threshold(*_before)
