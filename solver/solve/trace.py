"""The atoms of one case's explanation program, decoded to plain values.

Brave atoms hold in some completion of the case's unknown facts, cautious ones
in all. What leaves is tuples of str, int and Unknown.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Sequence
from concurrent.futures import Future, wait
from dataclasses import dataclass, field
from functools import cached_property

from clingo import Number

from grammar.checks.checked import CheckedPolicy
from solver.cases.case import Case
from solver.compile import terms
from solver.compile.emit import AspProgram
from solver.compile.names import Unknown
from solver.compile.terms import Fn, Term
from solver.solve import shaped
from solver.solve.answer import Decision
from solver.solve.decide import decided_soon, in_chunks, with_missing
from solver.solve.missing import MissingFinder, finder_soon
from solver.solve.readout import by_case, decode_case
from solver.solve.run import consequence_texts, control, show_predicate

Value = str | int | Unknown | tuple["Value", ...]
Atom = tuple[str, tuple[Value, ...]]

# Where the case stands among an atom's arguments, when not first.
CASE_AT = {"_cond": 1, "_app": 1, "_def": 1, "_fired": 1, "_violated": 1, "_exc": 2, "_pre": 3, "_prelast": 3}
DROPPED = ("_tv", "_ask", "_case")
READ_KEPT = 50_000  # atoms read from their text kept in a process: a few dozen cases' traces
# What explanations read besides the predicates and what deciding shows (see solver.compile.emit, solver.compile.chain).
SUPPORT_SHOWS = ("#show _cond/6.", "#show _exc/4.", "#show _app/4.", "#show _def/3.", "#show _prelast/6.")


@dataclass(frozen=True)
class Trace:
    certain: frozenset[Atom]
    possible: frozenset[Atom]
    # A name's atoms in a stable order, and by their first arguments: made when the name is first asked for.
    _sorted: dict[str, list[tuple[Value, ...]]] = field(default_factory=dict, init=False, repr=False, compare=False)
    _by_prefix: dict[tuple[object, ...], list[tuple[Value, ...]]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    @cached_property
    def _by_name(self) -> dict[str, list[tuple[Value, ...]]]:
        out: dict[str, list[tuple[Value, ...]]] = defaultdict(list)
        for name, args in self.possible:
            out[name].append(args)
        return out

    def atoms(self, name: str) -> list[tuple[Value, ...]]:
        """Arguments of every possible atom of that name, in a stable order."""
        found = self._sorted.get(name)
        if found is None:
            found = self._sorted[name] = sorted(self._by_name.get(name, ()), key=repr)
            prefixes = self._by_prefix
            for args in found:
                if args:
                    prefixes.setdefault((name, args[0]), []).append(args)
                if len(args) > 1:
                    prefixes.setdefault((name, args[0], args[1]), []).append(args)
        return found

    def atoms_from(self, name: str, *prefix: Value) -> list[tuple[Value, ...]]:
        """As `atoms`, only those whose arguments start with `prefix`."""
        whole = self.atoms(name)  # indexes the name's prefixes the first time
        if not prefix:
            return whole
        found = self._by_prefix.get((name, *prefix[:2]), [])
        return found if len(prefix) <= 2 else [a for a in found if a[: len(prefix)] == prefix]

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


def _split(texts: list[str]) -> dict[int, list[Atom]]:
    """Atoms from their texts (see solver.compile.terms), by case number, without it."""
    out: dict[int, list[Atom]] = defaultdict(list)
    for text in texts:
        found = _read(text)
        if found is not None:
            out[found[0]].append(found[1])
    return out


# Reading an atom's text is most of a warm trace's cost. The atoms read are kept: a case explained again, or
# changed by a fact, reads most of its atoms from here (about 100 bytes an atom).
@functools.lru_cache(maxsize=READ_KEPT)
def _read(text: str) -> tuple[int, Atom] | None:
    name = text[: text.find("(")] if "(" in text else text
    if name.startswith(DROPPED):
        return None
    atom = terms.parse(text)
    assert isinstance(atom, Fn)
    at = CASE_AT.get(name, 0)
    case = atom.args[at]
    if not isinstance(case, int):
        return None
    return case, (name, tuple(_plain(a) for i, a in enumerate(atom.args) if i != at))


def trace_many(
    program: AspProgram, chain_text: str, policy: CheckedPolicy, cases: Sequence[Case], *, missing: bool = True
) -> list[tuple[Trace, Decision]]:
    """The cases grounded and solved together in the explanation program: each one's trace and decision. For one
    case, its missing facts are looked for on another thread meanwhile (solver.solve.decide.decided_soon)."""
    soon = finder_soon(program, policy, cases[0]) if missing and len(cases) == 1 else None
    ahead = decided_soon(program, policy, cases[0]) if missing and len(cases) == 1 and soon is None else None
    try:
        return _traced_with_missing(program, chain_text, policy, cases, missing, soon, ahead)
    finally:
        if ahead is not None and not ahead.cancel():
            wait([ahead])  # not needed (nothing was undetermined) or failed: nothing of this call runs on after it


def _traced_with_missing(
    program: AspProgram,
    chain_text: str,
    policy: CheckedPolicy,
    cases: Sequence[Case],
    missing: bool,
    soon: Future[MissingFinder] | None,
    ahead: Future[Decision] | None,
) -> list[tuple[Trace, Decision]]:
    out = _traced(program, chain_text, policy, cases)
    clashing = [i for i, (_, d) in enumerate(out) if d.conflicts]  # see solver.solve.decide: only those pay for it
    if clashing:
        again = _traced(program, chain_text + program.rests_on, policy, [cases[i] for i in clashing])
        for i, found in zip(clashing, again, strict=True):
            out[i] = found
    if missing:
        out = [
            (t, with_missing(program, policy, case, d, soon=soon, ahead=ahead))
            for case, (t, d) in zip(cases, out, strict=True)
        ]
    return out


def _traced(
    program: AspProgram, extra: str, policy: CheckedPolicy, cases: Sequence[Case]
) -> list[tuple[Trace, Decision]]:
    shows = (*(show_predicate(p) for p in policy.predicates.values() if p.kind != "verdict"), *SUPPORT_SHOWS)
    texts = shaped.solve_shaped(program, policy, cases[0], extra, shows) if len(cases) == 1 and shaped.ENABLED else None
    if texts is not None:
        return _read_back(policy, cases, texts)
    out: list[tuple[Trace, Decision] | None] = [None] * len(cases)
    for chunk in in_chunks(policy, cases):
        part = [cases[k] for k in chunk]
        ctl = control(program, policy, [(Number(i), c) for i, c in enumerate(part)], extra=extra, show=shows)
        for k, found in zip(chunk, _read_back(policy, part, consequence_texts(ctl)), strict=True):
            out[k] = found
    return [found for found in out if found is not None]


def _read_back(
    policy: CheckedPolicy, cases: Sequence[Case], texts: tuple[list[str], list[str]]
) -> list[tuple[Trace, Decision]]:
    brave, cautious = texts
    indexed = by_case(brave, cautious)
    certain = _split(cautious)
    possible = certain if brave is cautious else _split(brave)
    out = []
    for i, case in enumerate(cases):
        sure = frozenset(certain.get(i, ()))
        trace = Trace(sure, sure if brave is cautious else frozenset(possible.get(i, ())))
        out.append((trace, decode_case(policy, case, indexed[i])))
    return out
