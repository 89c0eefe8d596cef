"""Conditions in disjunctive normal form: the shape both the checks and the compiler use.

A branch is a conjunction of literals. Literals are atoms, comparisons, and
`Not`, `Some`, `Every` or `Count`-bearing nodes kept whole (they become
auxiliary predicates when compiled).

Distributing `and` over `or` multiplies branches: 16 conjuncts of `(a or b)`
make 65,536. So a conjunction whose branches would number more than
MAX_PRODUCT keeps each of its parts with several branches whole, as a
literal (`Or`, `And`, or a double `Not`) compiled to an auxiliary predicate:
the number of branches then grows with the size of the condition, never
faster. A value given inside such a part is not seen outside it (see
`outer_vars`); the checks say so when a rule relies on it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

from grammar.typed import nodes as n
from grammar.typed.source import Span

Branch = tuple[n.Cond, ...]
MAX_PRODUCT = 16  # branches of one conjunction before its `or` parts are kept whole; the shipped policy needs 4


def dnf(cond: n.Cond | None) -> list[Branch]:
    if cond is None:
        return [()]
    if isinstance(cond, n.And):
        parts = [dnf(item) for item in cond.items]
        product = 1
        for part in parts:
            product = min(product * len(part), MAX_PRODUCT + 1)
        if product > MAX_PRODUCT:
            parts = [part if len(part) == 1 else [(item,)] for part, item in zip(parts, cond.items, strict=True)]
        growing: list[list[n.Cond]] = [[]]
        for part in parts:
            if len(part) == 1:  # most parts: extend in place, not a new tuple each time (quadratic in long rules)
                for b in growing:
                    b.extend(part[0])
            else:
                growing = [[*b, *c] for b in growing for c in part]
        return [tuple(b) for b in growing]
    if isinstance(cond, n.Or):
        return [b for item in cond.items for b in dnf(item)]
    if isinstance(cond, n.Not) and isinstance(cond.cond, n.Not):
        return dnf(cond.cond.cond)
    return [(cond,)]


def is_group(lit: n.Cond) -> bool:
    """A literal that is a whole `or` (or a conjunction or double negation holding one) kept by `dnf`."""
    return isinstance(lit, n.Or | n.And) or (isinstance(lit, n.Not) and isinstance(lit.cond, n.Not))


def branch_vars(branch: Branch) -> list[str]:
    """The variables a branch gives values to, in order: those of its ordinary literals, and of a group's
    those another literal uses too (a group's other variables are its own, like those of `some`)."""
    seen: dict[str, int] = {}
    for lit in branch:
        for v in unique(cond_vars(lit)):
            seen[v] = seen.get(v, 0) + 1
    return unique(v for lit in branch for v in cond_vars(lit) if not is_group(lit) or seen[v] > 1)


def term_vars(term: n.Term) -> Iterator[str]:
    """Free variables of a term (a count's own variable is bound inside it)."""
    if isinstance(term, n.Var):
        yield term.name
    elif isinstance(term, n.Duration) and isinstance(term.amount, n.Var):
        yield term.amount.name
    elif isinstance(term, n.Call):
        for a in term.args:
            yield from term_vars(a)
    elif isinstance(term, n.BinOp):
        yield from term_vars(term.left)
        yield from term_vars(term.right)
    elif isinstance(term, n.Count):
        yield from (v for v in cond_vars(term.cond) if v != term.var.name)


def cond_vars(cond: n.Cond) -> Iterator[str]:
    """Free variables of a condition."""
    if isinstance(cond, n.Atom):
        for a in cond.args:
            yield from term_vars(a)
    elif isinstance(cond, n.Compare):
        yield from term_vars(cond.left)
        yield from term_vars(cond.right)
    elif isinstance(cond, n.Not):
        yield from cond_vars(cond.cond)
    elif isinstance(cond, n.And | n.Or):
        for c in cond.items:
            yield from cond_vars(c)
    elif isinstance(cond, n.Some):
        yield from (v for v in cond_vars(cond.cond) if v != cond.var.name)
    elif isinstance(cond, n.Every):
        inner = list(cond_vars(cond.cond)) + list(cond_vars(cond.then))
        yield from (v for v in inner if v != cond.var.name)


def unique(names: Iterator[str] | list[str]) -> list[str]:
    return list(dict.fromkeys(names))


def term_parts(t: n.Term) -> Iterator[n.Term]:
    """A term and the terms inside it, not entering a count's condition."""
    yield t
    if isinstance(t, n.Call):
        for a in t.args:
            yield from term_parts(a)
    elif isinstance(t, n.BinOp):
        yield from term_parts(t.left)
        yield from term_parts(t.right)


def walk_terms(cond: n.Cond) -> Iterator[n.Term]:
    """Every term in a condition, nested ones (inside counts too) included."""

    def terms(t: n.Term) -> Iterator[n.Term]:
        for part in term_parts(t):
            yield part
            if isinstance(part, n.Count):
                yield from walk_terms(part.cond)

    if isinstance(cond, n.Atom):
        for a in cond.args:
            yield from terms(a)
    elif isinstance(cond, n.Compare):
        yield from terms(cond.left)
        yield from terms(cond.right)
    elif isinstance(cond, n.Not):
        yield from walk_terms(cond.cond)
    elif isinstance(cond, n.And | n.Or):
        for c in cond.items:
            yield from walk_terms(c)
    elif isinstance(cond, n.Some):
        yield from walk_terms(cond.cond)
    elif isinstance(cond, n.Every):
        yield from walk_terms(cond.cond)
        yield from walk_terms(cond.then)


def walk_conds(cond: n.Cond) -> Iterator[n.Cond]:
    """Every condition node, nested ones (inside counts too) included."""
    yield cond
    if isinstance(cond, n.Not):
        yield from walk_conds(cond.cond)
    elif isinstance(cond, n.And | n.Or):
        for c in cond.items:
            yield from walk_conds(c)
    elif isinstance(cond, n.Some):
        yield from walk_conds(cond.cond)
    elif isinstance(cond, n.Every):
        yield from walk_conds(cond.cond)
        yield from walk_conds(cond.then)
    for t in _direct_terms(cond):
        for sub in term_parts(t):
            if isinstance(sub, n.Count):
                yield from walk_conds(sub.cond)


def _direct_terms(cond: n.Cond) -> tuple[n.Term, ...]:
    if isinstance(cond, n.Atom):
        return cond.args
    if isinstance(cond, n.Compare):
        return (cond.left, cond.right)
    return ()


def var_uses(node: object) -> Iterator[n.Var]:
    """Every variable occurrence in a node, bound ones included."""
    if isinstance(node, n.Var):
        yield node
    elif isinstance(node, tuple):
        for item in node:
            yield from var_uses(item)
    elif dataclasses.is_dataclass(node) and not isinstance(node, Span):
        for f in dataclasses.fields(node):
            yield from var_uses(getattr(node, f.name))


def first_use(name: str, nodes: object) -> Span | None:
    """Where a variable first appears in the nodes, in the order of the text."""
    spans = [v.span for v in var_uses(nodes) if v.name == name]
    return min(spans, key=lambda s: (s.line, s.column)) if spans else None
