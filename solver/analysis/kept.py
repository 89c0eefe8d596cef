"""Proofs kept between runs of the checker: each question the search settled one by one, named by what its
answer depends on, so that it is not asked again while that part of the policy reads the same.

Whether a helper atom is possible depends only on the rules its subjects depend on, with their priorities,
exceptions, applicability and invariants (`narrowed`): nothing outside that part concludes anything inside
it, so a model of the whole program is one of the part (the splitting set theorem), and the rest of the
compiled program, free of constraints once the checker's comparisons are concrete, extends any model of
the part. An atom's key is a digest of that part as compiled (comments, which name files and lines, left
out), its helper rules, the universe's program and what else the search was given. An edit elsewhere
leaves the key as it was; an edit inside the part, or one that adds a candidate date or number to the
universe, makes a new one.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, MutableMapping

from clingo import Symbol, SymbolType

from grammar.checks.checked import CheckedPolicy
from grammar.typed import nodes as n
from solver.compile.cone import narrowed, reads
from solver.compile.emit import emit
from solver.compile.names import rule_term

# What the search concluded about an atom asked about alone. Not settled in time once, it is asked again at
# the next check (a busy machine can leave unsettled what settles in time otherwise); twice, it is not asked
# again while its key stays the same.
IMPOSSIBLE, POSSIBLE, UNSETTLED, UNSETTLED_ONCE = "impossible", "possible", "unsettled", "unsettled once"
OUTCOMES = (IMPOSSIBLE, POSSIBLE, UNSETTLED, UNSETTLED_ONCE)
Proofs = MutableMapping[str, str]  # key -> outcome


def proof_keys(
    policy: CheckedPolicy, atoms: Iterable[Symbol], shared: str, helpers: Callable[[CheckedPolicy], str]
) -> dict[Symbol, str]:
    """The key of each atom whose subjects are rules, predicates or invariants of the policy. `shared`: the
    universe's program and whatever else every proof is given; `helpers`: the helper rules of a part."""
    texts: dict[frozenset[str], str] = {}
    keys = {}
    for atom, (subjects, part) in parts(policy, atoms).items():
        if subjects not in texts:
            compiled = "\n".join(line for line in emit(part).text.splitlines() if not line.startswith("%"))
            texts[subjects] = f"{compiled}\n{helpers(part)}"
        text = "\0".join((str(atom), shared, texts[subjects]))
        keys[atom] = hashlib.sha256(text.encode()).hexdigest()
    return keys


def parts(policy: CheckedPolicy, atoms: Iterable[Symbol]) -> dict[Symbol, tuple[frozenset[str], CheckedPolicy]]:
    """The part of the policy that decides each atom, and the predicates it was cut to; an atom with an argument
    naming nothing known has none."""
    heads = {rule_term(cr.id): cr.rule.head.name for cr in policy.rules}
    invariants = {rule_term(ci.invariant.id): ci.invariant for ci in policy.invariants}
    out = {}
    for atom in atoms:
        subjects = _subjects(policy, atom, heads, invariants)
        if subjects is not None:
            out[atom] = (subjects, narrowed(policy, subjects))
    return out


def _subjects(
    policy: CheckedPolicy, atom: Symbol, heads: dict[str, str], invariants: dict[str, n.Invariant]
) -> frozenset[str] | None:
    """The predicates whose part of the policy decides the atom; None when an argument names nothing known.
    `heads`: each rule's head by its term; `invariants` by theirs."""
    out: set[str] = set()
    for arg in atom.arguments:
        text = str(arg)
        if arg.type == SymbolType.Function and not arg.arguments and arg.name in policy.predicates:
            out.add(arg.name)
        elif atom.name == "_h_violated" and text in invariants:
            out |= reads(invariants[text].cond) & policy.predicates.keys()
        elif text in heads:
            out.add(heads[text])
        elif atom.name != "_h_blocks":  # its second argument names an exception of the first's rule
            return None
    return frozenset(out) if out else None
