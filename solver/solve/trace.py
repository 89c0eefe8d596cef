"""The atoms of one case's explanation program, decoded to plain values as they are asked for.

Brave atoms hold in some completion of the case's unknown facts, cautious ones
in all. What leaves is tuples of str, int and Unknown.
"""

from __future__ import annotations

import functools
import re
from collections import defaultdict
from collections.abc import Callable, Sequence
from collections.abc import Set as AbstractSet
from concurrent.futures import Future, wait
from dataclasses import dataclass, field
from functools import cached_property, partial

from grammar.checks.checked import CheckedPolicy
from solver.cases.case import Case
from solver.compile import terms
from solver.compile.emit import AspProgram
from solver.compile.names import Unknown
from solver.compile.terms import Fn, Term
from solver.solve import shaped
from solver.solve.answer import Decision
from solver.solve.decide import EXPLAINING_BUDGET, decided_soon, solved_in_chunks, with_missing
from solver.solve.missing import finder_soon
from solver.solve.readout import by_case, decode_case
from solver.solve.run import show_predicate

Value = str | int | Unknown | tuple["Value", ...]
Atom = tuple[str, tuple[Value, ...]]

# Where the case stands among an atom's arguments, when not first.
CASE_AT = {"_cond": 1, "_app": 1, "_def": 1, "_fired": 1, "_violated": 1, "_exc": 2, "_pre": 3, "_prelast": 3}
DROPPED = ("_tv", "_ask", "_case")
READ_KEPT = 50_000  # atoms read from their text kept in a process: a few dozen cases' traces
# What explanations read besides the predicates and what deciding shows (see solver.compile.emit, solver.compile.chain).
SUPPORT_SHOWS = ("#show _cond/6.", "#show _exc/4.", "#show _app/4.", "#show _def/3.", "#show _prelast/6.")


Key = tuple[str, str | None]  # an atom's name, and its first argument's text (after the case) when a plain token


@dataclass(eq=False)
class Trace:
    """One case's atoms, kept as their texts grouped by name and first argument: a group is read (see `_read`)
    when first asked for. An explanation asks for about a quarter of what the explanation program shows: the
    why-not chains of the rules it words, the facts of the subjects it names. A trace fills itself as it is
    asked, so one thread reads it (as one explanation does)."""

    groups: dict[Key, list[str]]  # the possible (brave) atoms' texts not read yet
    sure: AbstractSet[str] | None  # the certain (cautious) atoms' texts; None: every possible atom is certain
    _firsts: set[tuple[object, ...]] = field(default_factory=set, init=False, repr=False)  # (name, first) read
    _possible: set[Atom] = field(default_factory=set, init=False, repr=False)  # the groups read so far
    _certain: set[Atom] = field(default_factory=set, init=False, repr=False)
    _by_name: dict[str, list[tuple[Value, ...]]] = field(
        default_factory=lambda: defaultdict(list), init=False, repr=False
    )
    _sorted: dict[str, list[tuple[Value, ...]]] = field(default_factory=dict, init=False, repr=False)
    _by_prefix: dict[tuple[object, ...], list[tuple[Value, ...]]] = field(
        default_factory=lambda: defaultdict(list), init=False, repr=False
    )

    def atoms(self, name: str) -> list[tuple[Value, ...]]:
        """Arguments of every possible atom of that name, in a stable order."""
        found = self._sorted.get(name)
        if found is None:
            for key in self._keys_of.get(name, ()):
                self._read_group(key)
            found = self._sorted[name] = sorted(self._by_name.get(name, ()), key=repr)
        return found

    def atoms_from(self, name: str, *prefix: Value) -> list[tuple[Value, ...]]:
        """As `atoms`, only those whose arguments start with `prefix`."""
        if not prefix:
            return self.atoms(name)
        first = (name, prefix[0])
        if first not in self._firsts:
            self._read_first(first)
        found = self._by_prefix.get((name, *prefix[:2]), [])
        return found if len(prefix) <= 2 else [a for a in found if a[: len(prefix)] == prefix]

    def holds(self, name: str, args: tuple[Value, ...]) -> bool:
        first = (name, args[0]) if args else (name,)
        if first not in self._firsts:
            self._read_first(first)
        return (name, args) in self._certain

    def may_hold(self, name: str, args: tuple[Value, ...]) -> bool:
        first = (name, args[0]) if args else (name,)
        if first not in self._firsts:
            self._read_first(first)
        return (name, args) in self._possible

    @property
    def possible(self) -> frozenset[Atom]:
        for key in list(self.groups):
            self._read_group(key)
        return frozenset(self._possible)

    @property
    def certain(self) -> frozenset[Atom]:
        for key in list(self.groups):
            self._read_group(key)
        return frozenset(self._certain)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Trace) and (self.certain, self.possible) == (other.certain, other.possible)

    __hash__ = None  # type: ignore[assignment]

    @cached_property
    def _keys_of(self) -> dict[str, list[Key]]:
        out: dict[str, list[Key]] = defaultdict(list)
        for key in self.groups:
            out[key[0]].append(key)
        return out

    def _read_first(self, first: tuple[object, ...]) -> None:
        self._firsts.add(first)
        for key in _keys(*first):  # type: ignore[arg-type]
            self._read_group(key)

    def _read_group(self, key: Key) -> None:
        texts = self.groups.pop(key, None)
        if texts is None:
            return
        name, sure, possible, certain = key[0], self.sure, self._possible, self._certain
        touched = set()
        for text in texts:
            found = _read(text)
            if found is None or found[1] in possible:  # an atom in two groups (a string and a constant alike)
                continue
            atom = found[1]
            possible.add(atom)
            if sure is None or text in sure:
                certain.add(atom)
            args = atom[1]
            self._by_name[name].append(args)
            for size in (1, 2)[: len(args)]:
                self._by_prefix[(name, *args[:size])].append(args)
                touched.add((name, *args[:size]))
        for prefix in touched:
            self._by_prefix[prefix].sort(key=repr)


@functools.lru_cache(maxsize=4096)
def _keys(name: str, *first: Value) -> tuple[Key, ...]:
    """The groups an atom whose first argument is `first` can be in (none given: an atom without arguments)."""
    if not first:
        return ((name, None),)
    value = first[0]
    if isinstance(value, int):
        return ((name, str(value)),)
    if isinstance(value, str):
        quoted = terms.text(value)
        return ((name, quoted), (name, value)) if _IDENTIFIER.fullmatch(value) else ((name, quoted),)
    return ((name, None),)


def _plain(term: Term) -> Value:
    if isinstance(term, int | str):
        return term
    if isinstance(term, Fn):  # before tuple: Fn is a named tuple
        return Unknown(terms.text(term)) if term.args else term.name
    return tuple(_plain(a) for a in term)


def traces(brave: list[str], cautious: list[str]) -> dict[int, Trace]:
    """Each case's trace, from the brave and cautious atom texts of the cases solved together."""
    groups: dict[int, dict[Key, list[str]]] = defaultdict(lambda: defaultdict(list))
    for text in brave:
        found = _placed(text)
        if found is not None:
            groups[found[0]][found[1]].append(text)
    sure = None if cautious is brave else frozenset(cautious)
    return {case: Trace(dict(found), sure) for case, found in groups.items()}


_SIMPLE = r'"[^"\\]*"|-?\d+|[a-z_][A-Za-z0-9_\']*'
_IDENTIFIER = re.compile(r"[a-z_][A-Za-z0-9_']*")
# The case and the first other argument, by where the case stands (see CASE_AT); a first argument that is a
# tuple or a function has no text of its own to be found by (None). What does not match is read whole.
_CASE_FIRST = re.compile(r"\((-?\d+)(?:\)|,(?:(" + _SIMPLE + r")(?=[,)])|(?=[a-z_(])))")
_CASE_AFTER = {k: re.compile(r"\((" + _SIMPLE + r"),(?:-?\d+,){" + str(k - 1) + r"}(-?\d+)[,)]") for k in (1, 2, 3)}


@functools.lru_cache(maxsize=READ_KEPT)  # as `_read`: a case explained again places its atoms from here
def _placed(text: str) -> tuple[int, Key] | None:
    """The case of an atom's text and the group it is kept in; None for an atom explanations do not read."""
    at = text.find("(")
    name = text[:at] if at >= 0 else text
    if name.startswith(DROPPED):
        return None
    k = CASE_AT.get(name, 0)
    m = (_CASE_FIRST if k == 0 else _CASE_AFTER[k]).match(text, at) if at >= 0 else None
    if m is not None:
        return (int(m[1]), (name, m[2])) if k == 0 else (int(m[2]), (name, m[1]))
    found = _read(text)
    if found is None:
        return None
    args = found[1][1]
    return found[0], _keys(name, *args[:1])[0]


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
    case, its missing facts are looked for on another thread meanwhile (see `trace_pending`)."""
    if missing and len(cases) == 1:
        trace, _, pending = trace_pending(program, chain_text, policy, cases[0])
        try:
            return [(trace, pending.decision())]
        finally:
            pending.close()
    out = _traced_settled(program, chain_text, policy, cases)
    if missing:
        out = [(t, with_missing(program, policy, case, d)) for case, (t, d) in zip(cases, out, strict=True)]
    return out


@dataclass
class Pending:
    """A case's decision with its missing facts, searched on another thread while the caller goes on (an
    explanation words the verdicts that are settled meanwhile). `decision` waits for it; `close`, which the
    caller calls whatever happens, makes sure nothing of the search runs on after it."""

    finish: Callable[[], Decision]
    ahead: Future[Decision] | None = None
    _done: Decision | None = field(default=None, init=False, repr=False)

    def decision(self) -> Decision:
        if self._done is None:
            self._done = self.finish()
        return self._done

    def close(self) -> None:
        _let_go(self.ahead)


def _let_go(ahead: Future[Decision] | None) -> None:
    if ahead is not None and not ahead.cancel():
        wait([ahead])  # not needed (nothing was undetermined) or failed: it ends before the caller goes on


def trace_pending(
    program: AspProgram, chain_text: str, policy: CheckedPolicy, case: Case
) -> tuple[Trace, Decision, Pending]:
    """One case's trace and its decision without missing facts, at once; the decision with them, pending: they
    are searched on another thread (solver.solve.missing.finder_soon, solver.solve.decide.decided_soon) while
    the explanation program is solved, and after it while the caller goes on."""
    soon = finder_soon(program, policy, case)
    settled: Future[Decision] = Future()
    ahead = decided_soon(program, policy, case, settled) if soon is None else None
    try:
        [(trace, decision)] = _traced_settled(program, chain_text, policy, [case], settled)
    except BaseException:
        _let_go(ahead)
        raise
    searched = partial(with_missing, program, policy, case, decision, soon=soon, ahead=ahead)
    return trace, decision, Pending(searched, ahead)


def _traced_settled(
    program: AspProgram,
    chain_text: str,
    policy: CheckedPolicy,
    cases: Sequence[Case],
    settled: Future[Decision] | None = None,
) -> list[tuple[Trace, Decision]]:
    """Traces and decisions without missing facts; the cases with a conflict solved again with what rests on it.
    `settled`: one case's decision, made on another thread (see `trace_pending`), taken when it is there."""
    out = _traced(program, chain_text, policy, cases, settled)
    clashing = [i for i, (_, d) in enumerate(out) if d.conflicts]  # see solver.solve.decide: only those pay for it
    if clashing:
        again = _traced(program, chain_text + program.rests_on, policy, [cases[i] for i in clashing])
        for i, found in zip(clashing, again, strict=True):
            out[i] = found
    return out


def _traced(
    program: AspProgram,
    extra: str,
    policy: CheckedPolicy,
    cases: Sequence[Case],
    settled: Future[Decision] | None = None,
) -> list[tuple[Trace, Decision]]:
    shows = (*(show_predicate(p) for p in policy.predicates.values() if p.kind != "verdict"), *SUPPORT_SHOWS)
    texts = shaped.solve_shaped(program, policy, cases[0], extra, shows) if len(cases) == 1 and shaped.ENABLED else None
    if texts is not None:
        return _read_back(policy, cases, texts, settled)
    out: list[tuple[Trace, Decision] | None] = [None] * len(cases)
    for chunk, solved in solved_in_chunks(program, policy, cases, extra, shows, budget=EXPLAINING_BUDGET):
        for k, found in zip(chunk, _read_back(policy, [cases[k] for k in chunk], solved), strict=True):
            out[k] = found
    return [found for found in out if found is not None]


def _read_back(
    policy: CheckedPolicy,
    cases: Sequence[Case],
    texts: tuple[list[str], list[str]],
    settled: Future[Decision] | None = None,
) -> list[tuple[Trace, Decision]]:
    found = traces(*texts)
    # The decision made on another thread, when it is there (one with a conflict is read again with what rests
    # on it: `_traced_settled`): reading it from these atoms as well cost amina-selected.yaml's explanation 3 ms
    # of Python beside the search.
    if settled is not None and settled.done():
        assert len(cases) == 1  # `settled` is one case's decision
        return [(found.get(0) or Trace({}, None), settled.result())]
    indexed = by_case(*texts)
    return [(found.get(i) or Trace({}, None), decode_case(policy, case, indexed[i])) for i, case in enumerate(cases)]
