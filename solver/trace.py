"""The atoms of one case's explanation program, decoded to plain values.

Brave atoms hold in some completion of the case's unknown facts, cautious ones
in all. Symbols stay here: what leaves is tuples of str, int and Unknown.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from clingo import Number, Symbol, SymbolType

from grammar.checked import CheckedPolicy
from solver.answer import Decision
from solver.case import Case
from solver.decide import with_missing
from solver.emit import AspProgram
from solver.names import Unknown
from solver.readout import by_case, decode_case
from solver.run import Consequences, consequences, control

Value = str | int | Unknown | tuple["Value", ...]
Atom = tuple[str, tuple[Value, ...]]

# Where the case stands among an atom's arguments, when not first.
CASE_AT = {"_cond": 1, "_app": 1, "_def": 1, "_fired": 1, "_violated": 1, "_exc": 2, "_pre": 3}
DROPPED = ("_tv", "_ask", "_case")


def plain(s: Symbol) -> Value:
    if s.type == SymbolType.Number:
        return s.number
    if s.type == SymbolType.String:
        return s.string
    if s.name == "" and s.arguments:
        return tuple(plain(a) for a in s.arguments)
    if not s.arguments:
        return s.name
    return Unknown(str(s))


@dataclass(frozen=True)
class Trace:
    certain: frozenset[Atom]
    possible: frozenset[Atom]

    @cached_property
    def _index(self) -> dict[str, list[tuple[Value, ...]]]:
        out: dict[str, list[tuple[Value, ...]]] = {}
        for name, args in sorted(self.possible, key=repr):
            out.setdefault(name, []).append(args)
        return out

    def atoms(self, name: str) -> list[tuple[Value, ...]]:
        """Arguments of every possible atom of that name, in a stable order."""
        return self._index.get(name, [])

    def holds(self, name: str, args: tuple[Value, ...]) -> bool:
        return (name, args) in self.certain

    def may_hold(self, name: str, args: tuple[Value, ...]) -> bool:
        return (name, args) in self.possible


def _decode(atoms: set[Symbol]) -> frozenset[Atom]:
    out = set()
    for s in atoms:
        if s.name.startswith(DROPPED):
            continue
        args = s.arguments
        at = CASE_AT.get(s.name, 0)
        out.add((s.name, tuple(plain(a) for i, a in enumerate(args) if i != at)))
    return frozenset(out)


def _indexed(cons: Consequences) -> dict:
    brave = [str(s) for s in cons.brave]
    return by_case(brave, brave if cons.brave is cons.cautious else [str(s) for s in cons.cautious])


def trace(program: AspProgram, chain_text: str, policy: CheckedPolicy, case: Case) -> tuple[Trace, Decision]:
    """One solve of the explanation program: the case's trace, and its decision with missing facts."""
    cid = Number(0)
    ctl = control(program, policy, [(cid, case)], extra=chain_text, show=None)
    cons = consequences(ctl)
    decision = with_missing(program, policy, case, decode_case(policy, case, _indexed(cons)[0]))
    certain = _decode(cons.cautious)
    possible = certain if cons.brave is cons.cautious else _decode(cons.brave)
    return Trace(certain, possible), decision
