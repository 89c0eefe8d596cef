"""Which inputs of a case a ground atom can depend on, read from the rules the grounder hands to the solver.

The missing-facts search (solver.solve.missing) ties between its two copies every fact a verdict cannot read:
by predicate (solver.compile.cone), every `hc_approved_in_principle` fact counts for every person's verdict.
Grounded, a verdict about one person reads the facts of that person (and of those a rule joins to them):
tying the others makes the search's universe the few facts that matter, and a set holding all of those
decides the verdict without a solve.

Enters: the rules of a grounding, recorded while it is made (`Recorder`, a clingo observer). Leaves: for a
verdict and its subject, the (input, arguments) keys its atoms can reach through rule bodies, positive or
negative, in copy 0; a fact's key is reached through its own atoms and `_given`, and a number or date through
the terms `u(input, Args)` of the values and comparisons reached.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence

import clingo
from clingo import Number, Symbol, SymbolType

Key = tuple[str, tuple[str, ...]]  # an input fact: (predicate, arguments), ids pooled
ZERO = Number(0)
_VALUE = re.compile(r"\bu\((\w+),\(([^()]*)\)\)")  # a number or a date of the case: u(input, Args)
_QUOTED = re.compile(r'"([^"]*)"')  # a pooled id


class Recorder(clingo.Observer):
    """The head atoms of the ground rules with the body atoms each is derived from (constraints derive none)."""

    def __init__(self) -> None:
        self.reads: dict[int, list[int]] = {}

    def rule(self, choice: bool, head: Sequence[int], body: Sequence[int]) -> None:
        atoms = [abs(literal) for literal in body]
        for atom in head:
            self.reads.setdefault(atom, []).extend(atoms)

    def weight_rule(self, choice: bool, head: Sequence[int], lower_bound: int, body: Sequence[tuple[int, int]]) -> None:
        atoms = [abs(literal) for literal, _ in body]
        for atom in head:
            self.reads.setdefault(atom, []).extend(atoms)


class Cones:
    """The input keys each verdict atom of copy 0 can reach; computed once per verdict and subject, and kept."""

    def __init__(self, recorder: Recorder, ctl: clingo.Control, arities: dict[str, int], inputs: set[str]) -> None:
        """`arities`: each predicate's number of arguments (the copy and the value left out); `inputs`: which are
        the case's."""
        self._reads = recorder.reads
        self._ctl = ctl
        self._arities = arities
        self._inputs = inputs
        self._keyed: dict[int, set[Key]] | None = None
        self._kept: dict[tuple[str, tuple[str, ...]], frozenset[Key]] = {}
        self._lock = threading.Lock()

    def of(self, verdict: str, subject: tuple[str, ...]) -> frozenset[Key]:
        """The input facts the verdict's atoms for this (pooled) subject can read, whether it applies too."""
        with self._lock:
            if (verdict, subject) not in self._kept:
                self._kept[(verdict, subject)] = self._reached(self._starts(verdict, subject))
            return self._kept[(verdict, subject)]

    def _starts(self, verdict: str, subject: tuple[str, ...]) -> list[int]:
        atoms = self._ctl.symbolic_atoms
        arity = self._arities[verdict]
        return [
            a.literal
            for a in [*atoms.by_signature(verdict, arity + 1), *atoms.by_signature(verdict, arity + 2)]
            if a.symbol.arguments[0] == ZERO and _strings(a.symbol.arguments[1 : 1 + arity]) == subject
        ] + [
            a.literal
            for a in atoms.by_signature("_applies", 3)
            if a.symbol.arguments[0].name == verdict
            and a.symbol.arguments[1] == ZERO
            and _strings(a.symbol.arguments[2].arguments) == subject
        ]

    def _reached(self, starts: list[int]) -> frozenset[Key]:
        seen = set(starts)
        stack = list(starts)
        reads = self._reads
        while stack:
            for atom in reads.get(stack.pop(), ()):
                if atom not in seen:
                    seen.add(atom)
                    stack.append(atom)
        keyed = self._keys()
        return frozenset(key for atom in seen for key in keyed.get(atom, ()))

    def _keys(self) -> dict[int, set[Key]]:
        """The input facts an atom of copy 0 stands for: its own, what `_given` states, and the numbers and dates
        its terms are made of. A date's own atom is a fact, which the grounder leaves out of the rules reading
        it: a date read is seen in the values and comparisons made of it."""
        if self._keyed is None:
            keyed: dict[int, set[Key]] = {}
            for a in self._ctl.symbolic_atoms:
                symbol = a.symbol
                text = str(symbol)  # one call into clingo: terms are read from the text
                name = text.split("(", 1)[0]
                if name in self._inputs or name == "_given" or "u(" in text:
                    args = symbol.arguments
                    if args[0].type == SymbolType.Number and args[0] != ZERO:
                        continue  # another copy's
                    keys = {(u, tuple(_QUOTED.findall(inner))) for u, inner in _VALUE.findall(text)}
                    if name in self._inputs:
                        keys.add((name, _strings(args[1 : 1 + self._arities[name]])))
                    elif name == "_given":
                        keys.add((args[1].name, _strings(args[2].arguments)))
                    keyed[a.literal] = keys
            self._keyed = keyed
        return self._keyed


def _strings(symbols: Sequence[Symbol]) -> tuple[str, ...]:
    return tuple(s.string if s.type == SymbolType.String else str(s) for s in symbols)
