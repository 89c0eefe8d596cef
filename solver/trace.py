"""The atoms of one case's explanation program, decoded to plain values.

Brave atoms hold in some completion of the case's unknown facts, cautious ones
in all. What leaves is tuples of str, int and Unknown.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from clingo import Number

from grammar.checked import CheckedPolicy
from solver import terms
from solver.answer import Decision
from solver.case import Case
from solver.decide import with_missing
from solver.emit import AspProgram
from solver.names import Unknown
from solver.readout import by_case, decode_case
from solver.run import consequence_texts, control
from solver.terms import Fn, Term

Value = str | int | Unknown | tuple["Value", ...]
Atom = tuple[str, tuple[Value, ...]]

# Where the case stands among an atom's arguments, when not first.
CASE_AT = {"_cond": 1, "_app": 1, "_def": 1, "_fired": 1, "_violated": 1, "_exc": 2, "_pre": 3}
DROPPED = ("_tv", "_ask", "_case")


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


def _plain(term: Term) -> Value:
    if isinstance(term, int | str):
        return term
    if isinstance(term, Fn):  # before tuple: Fn is a named tuple
        return Unknown(terms.text(term)) if term.args else term.name
    return tuple(_plain(a) for a in term)


def _decode(texts: list[str]) -> frozenset[Atom]:
    """Atoms from their texts (see solver.terms), without the case number."""
    out = set()
    for text in texts:
        name = text[: text.find("(")] if "(" in text else text
        if name.startswith(DROPPED):
            continue
        atom = terms.parse(text)
        assert isinstance(atom, Fn)
        at = CASE_AT.get(name, 0)
        out.add((name, tuple(_plain(a) for i, a in enumerate(atom.args) if i != at)))
    return frozenset(out)


def trace(program: AspProgram, chain_text: str, policy: CheckedPolicy, case: Case) -> tuple[Trace, Decision]:
    """One solve of the explanation program: the case's trace, and its decision with missing facts."""
    ctl = control(program, policy, [(Number(0), case)], extra=chain_text, show=None)
    brave, cautious = consequence_texts(ctl)
    decision = with_missing(program, policy, case, decode_case(policy, case, by_case(brave, cautious)[0]))
    certain = _decode(cautious)
    possible = certain if brave is cautious else _decode(brave)
    return Trace(certain, possible), decision
