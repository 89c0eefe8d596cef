"""The `havre` command line: one module per group of commands, `main` holding the rest."""

from __future__ import annotations

import atexit
import gc
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager, suppress

_exit_code: int | None = None
_own_process = False  # the process is the command's own, started by `run`


def run() -> None:
    """The `havre` command as installed (and `python -m havre`): its modules imported under `held`."""
    global _own_process
    _own_process = True
    with held():
        from havre.cli.main import main
    main()


@contextmanager
def held() -> Iterator[None]:
    """A scope whose objects live as long as the process: the modules, a one-off command's policy. In a process
    started by `run`, the cycle collector is held back while they are made, and never walks them afterwards
    (`gc.freeze`). Collecting the young objects every 700 allocations walks each one still alive at least once,
    and all of these are: 10 ms of a `havre decide`, 30 ms of the first after an edit or with the cache off.
    Elsewhere (the tests, a program calling `main`) the collector is left as it is."""
    if not _own_process or not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        gc.enable()


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
