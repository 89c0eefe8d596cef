"""Solves that hand their assumptions to clasp in one piece and register no call back per model.

clingo's `Control.solve` copies its assumptions into clasp's array one at a time in Python, checking each for
a symbol: about 0.2 µs a literal. A shape's solves assume every fact of the case (solver.solve.shaped), over a
thousand literals, and the missing-facts search makes some thirty such solves a case. Here the array is made
from the list of literals in one call of cffi.

`Control.solve` also registers a handler that clasp calls, under Python's lock, for every model: a brave or
cautious solve finds hundreds. Alone that is cheap; with another thread holding the lock (an explanation's
missing-facts search, a server's other requests) each model waits for it. Here no handler is registered: the
last model is read once the solve is over, and clasp runs without the lock throughout. A caller that needs
every model asks for them one at a time (`models`): clasp runs without the lock between them.

And a model's shown atoms can be read as their ids alone (`shown_ids`), without a Python object for each.

All of this uses clingo's own bindings below its public API, so what they need is looked up once, for the clingo
versions whose bindings this was written against (5.8); with another, the public calls do the same work.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import clingo
from clingo import control as _control
from clingo import solving as _solving

try:
    from clingo._internal import _c_call, _ffi, _handle_error, _lib

    _Handler = _control._SolveEventHandler
    _Data = _control._CBData
    _SOLVE = _lib.clingo_control_solve
    AVAILABLE = clingo.__version__.startswith("5.8.")
except (ImportError, AttributeError):  # another clingo's bindings: the public call
    AVAILABLE = False

ENABLED = AVAILABLE  # tests compare both ways


def solve(
    ctl: clingo.Control, assumptions: list[int], on_last: Callable[[clingo.Model], None] | None = None
) -> clingo.SolveResult:
    """`ctl.solve(assumptions=assumptions, on_last=on_last)`: the literals handed over at once, no handler."""
    if not ENABLED:
        return ctl.solve(assumptions=assumptions, on_last=on_last)
    with _handle(ctl, assumptions, 0) as handle:
        result = handle.get()
        if on_last is not None:
            model = handle.last()
            if model is not None:
                on_last(model)
        return result


def models(ctl: clingo.Control, assumptions: list[int]) -> Iterator[clingo.Model]:
    """`ctl.solve(assumptions=assumptions, yield_=True)`: each model read in turn, the literals handed over at
    once. A model is valid until the next is asked for."""
    if not ENABLED:
        with ctl.solve(assumptions=assumptions, yield_=True) as handle:
            yield from handle
        return
    with _handle(ctl, assumptions, _lib.clingo_solve_mode_yield) as handle:
        yield from handle


def _handle(ctl: clingo.Control, assumptions: list[int], mode: int) -> _solving.SolveHandle:
    ctl._error.clear()
    data = _Data(_Handler(None, None, None, None), ctl._error)  # where a failing call's error is read from
    literals = _ffi.new("clingo_literal_t[]", assumptions) if assumptions else _ffi.NULL
    rep = _c_call(
        "clingo_solve_handle_t*",
        _SOLVE,
        ctl._rep,
        mode,
        literals,
        len(assumptions),
        _ffi.NULL,  # no event handler: nothing is called back while clasp solves
        _ffi.NULL,
        handler=data,
    )
    return _solving.SolveHandle(rep, data)


def shown_ids(model: clingo.Model) -> list[int]:
    """The ids of a model's shown atoms (`Symbol._rep`: clingo keeps one symbol for equal terms), read in one
    call: `Model.symbols` makes a Python `Symbol` of each, which a reader that knows most atoms by their id
    does not need (solver.solve.shaped)."""
    if not ENABLED:
        return [s._rep for s in model.symbols(shown=True)]
    show = _lib.clingo_show_type_shown
    size = _c_call("size_t", _lib.clingo_model_symbols_size, model._rep, show)
    found = _ffi.new("clingo_symbol_t[]", size)
    _handle_error(_lib.clingo_model_symbols(model._rep, show, found, size))
    return _ffi.unpack(found, size)
