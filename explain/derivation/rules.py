"""The policy's rules as a derivation graph looks them up: worked out once per policy, shared by every case.

A graph is built for each case explained; what it asks of the rules (which rules conclude a predicate, the
ways a rule's conditions can hold, the order a support atom lists a branch's values in) does not depend on
the case.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from typing import Any

from grammar.checks.checked import CheckedPolicy, CheckedRule
from grammar.typed import nodes as n
from grammar.typed.normal import Branch, dnf, walk_terms
from solver.compile.body import layout_vars
from solver.compile.chain import Chain


@dataclass(frozen=True, slots=True)
class RuleTables:
    rules: dict[str, CheckedRule]  # by rule ID
    concluding: dict[str, tuple[str, ...]]  # rule IDs by the predicate they conclude
    below: dict[str, tuple[str, ...]]  # rule IDs by the rule that has priority over them
    branches: dict[str, list[Branch]]  # a rule's conditions spread into the ways they can hold, as compiled
    layouts: dict[tuple[str, int], list[str]]  # the variables of a rule's branch, in its support atom's order
    chains: dict[tuple[str, int], Chain]  # a branch's prefix chain, for "why not"
    predicates: frozenset[str]  # the policy's predicates (a call to anything else is a built-in)
    readings: dict[str, n.Compare]  # by rule, when its conclusion's value is computed from facts: `V = V`
    # The calls to the policy's predicates in the conditions above (branches, exceptions, chain steps,
    # readings), by the node's id: these nodes live as long as the policy, so their ids stay their own.
    _calls: dict[int, tuple[n.Call, ...]]

    def __reduce__(self) -> tuple[Any, ...]:
        # Another process gives the nodes other ids: the calls are found again there.
        return _with_calls, tuple(getattr(self, f.name) for f in fields(self) if f.name != "_calls")

    def calls(self, cond: n.Cond) -> tuple[n.Call, ...]:
        """The calls to the policy's predicates in an atom's or a comparison's terms (`age(P)` in `age(P) < 22`)."""
        found = self._calls.get(id(cond))
        return found if found is not None else _calls(cond, self.predicates)


def rule_tables(policy: CheckedPolicy, chains: Sequence[Chain]) -> RuleTables:
    """The look-ups of the policy's rules a derivation graph makes."""
    concluding: dict[str, list[str]] = {}
    below: dict[str, list[str]] = {}
    branches: dict[str, list[Branch]] = {}
    layouts: dict[tuple[str, int], list[str]] = {}
    for cr in policy.rules:
        concluding.setdefault(cr.rule.head.name, []).append(cr.id)
        for high in cr.overridden_by:
            below.setdefault(high, []).append(cr.id)
        branches[cr.id] = dnf(cr.rule.body)
        head_vars = [a.name for a in cr.rule.head.args]
        for b, branch in enumerate(branches[cr.id]):
            layouts[(cr.id, b)] = layout_vars(head_vars, branch)
    return _with_calls(
        {cr.id: cr for cr in policy.rules},
        {pred: tuple(ids) for pred, ids in concluding.items()},
        {high: tuple(ids) for high, ids in below.items()},
        branches,
        layouts,
        {(c.rule, c.branch): c for c in chains},
        frozenset(policy.predicates),
        {cr.id: reading for cr in policy.rules if (reading := _reading(cr)) is not None},
    )


def _with_calls(*fields: Any) -> RuleTables:
    """The tables with the calls of the conditions they hold, keyed by these nodes' ids."""
    tables = RuleTables(*fields, _calls={})
    conditions = [
        *(lit for found in tables.branches.values() for branch in found for lit in branch),
        *(exc for cr in tables.rules.values() for exc in cr.rule.exceptions),
        *(step.literal for c in tables.chains.values() for step in c.steps),
        *tables.readings.values(),
    ]
    for c in conditions:
        target = c.cond if isinstance(c, n.Not) else c
        if isinstance(target, n.Atom | n.Compare):
            tables._calls[id(target)] = _calls(target, tables.predicates)
    return tables


def _reading(cr: CheckedRule) -> n.Compare | None:
    """`V = V` for a conclusion's value V computed from facts (`years_since(birth_date(P))`), else None."""
    head = cr.rule.head.value
    if head is None:
        return None
    reading = n.Compare("=", head, head, head.span)
    return reading if any(isinstance(t, n.Call) for t in walk_terms(reading)) else None


def _calls(cond: n.Cond, predicates: frozenset[str]) -> tuple[n.Call, ...]:
    return tuple(t for t in walk_terms(cond) if isinstance(t, n.Call) and t.name in predicates)
