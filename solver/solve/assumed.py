"""A solve under many assumptions, handed to clasp in one piece.

clingo's `Control.solve` copies its assumptions into clasp's array one at a time in Python, checking each for
a symbol: about 0.2 µs a literal. A shape's solves assume every fact of the case (solver.solve.shaped), over a
thousand literals, and the missing-facts search makes some thirty such solves a case. Here the array is made
from the list of literals in one call of cffi. That uses clingo's own bindings below its public API, so what it
needs is looked up once, for the clingo versions whose bindings it was written against (5.8); with another,
`Control.solve` does the same work.
"""

from __future__ import annotations

from collections.abc import Callable

import clingo
from clingo import control as _control
from clingo import solving as _solving

try:
    from clingo._internal import _c_call, _ffi, _lib

    _Handler = _control._SolveEventHandler
    _Data = _control._CBData
    _CALLBACK = _lib.pyclingo_solve_event_callback
    _SOLVE = _lib.clingo_control_solve
    AVAILABLE = clingo.__version__.startswith("5.8.")
except (ImportError, AttributeError):  # another clingo's bindings: the public call
    AVAILABLE = False

ENABLED = AVAILABLE  # tests compare both ways


def solve(
    ctl: clingo.Control, assumptions: list[int], on_last: Callable[[clingo.Model], None] | None = None
) -> clingo.SolveResult:
    """`ctl.solve(assumptions=assumptions, on_last=on_last)`, with the literals handed over at once."""
    if not ENABLED or not assumptions:
        return ctl.solve(assumptions=assumptions, on_last=on_last)
    ctl._error.clear()
    data = _Data(_Handler(None, None, None, None), ctl._error)
    ctl._handler = _ffi.new_handle(data)  # kept alive by the Control while it solves
    literals = _ffi.new("clingo_literal_t[]", assumptions)
    rep = _c_call(
        "clingo_solve_handle_t*",
        _SOLVE,
        ctl._rep,
        0,
        literals,
        len(assumptions),
        _CALLBACK,
        ctl._handler,
        handler=data,
    )
    with _solving.SolveHandle(rep, data) as handle:
        result = handle.get()
        if on_last is not None:
            model = handle.last()
            if model is not None:
                on_last(model)
        return result
