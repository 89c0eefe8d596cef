"""The `havre` command line: one module per group of commands, `main` holding the rest."""

from __future__ import annotations

import atexit
import os
import sys
from contextlib import suppress

_exit_code: int | None = None


def end_quickly(code: int) -> None:
    """Once the process's exit handlers have run, end it with `code` without freeing its objects one by one."""
    global _exit_code
    _exit_code = code


@atexit.register  # registered when the command line is first imported, so run after every later handler
def _end() -> None:
    # Threads are joined and the handlers registered since have run. What the interpreter would do next is free
    # the whole heap object by object (the policy, the solver's groundings): about 80 ms that nobody waits for.
    # Under a tracer (coverage, a debugger), whose own handler comes later, the process ends as usual.
    if _exit_code is None or sys.gettrace() is not None:
        return
    for stream in (sys.stdout, sys.stderr):
        with suppress(Exception):
            stream.flush()
    os._exit(_exit_code)
