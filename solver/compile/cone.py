"""What a predicate can depend on: the predicates its rules read, through priorities, transitively."""

from __future__ import annotations

from grammar.checked import CheckedPolicy, CheckedRule
from grammar.stratify import rule_deps

# Kept per policy hash: bounded by the policies a process loads.
_CONES: dict[tuple[str, str], frozenset[str]] = {}
_GRAPHS: dict[str, dict[str, set[str]]] = {}


def _graph(policy: CheckedPolicy) -> dict[str, set[str]]:
    if policy.hash not in _GRAPHS:
        by_id = {cr.id: cr for cr in policy.rules}
        reads: dict[str, set[str]] = {}
        for cr in policy.rules:
            rules: list[CheckedRule] = [cr, *(by_id[h] for h in cr.overridden_by)]
            reads.setdefault(cr.rule.head.name, set()).update(p for r in rules for p, _ in rule_deps(r.rule))
        _GRAPHS[policy.hash] = reads
    return _GRAPHS[policy.hash]


def dependency_cone(policy: CheckedPolicy, pred: str) -> frozenset[str]:
    """The predicate itself and every predicate it can depend on."""
    key = (policy.hash, pred)
    if key not in _CONES:
        graph = _graph(policy)
        seen, stack = {pred}, [pred]
        while stack:
            for p in graph.get(stack.pop(), ()):
                if p not in seen:
                    seen.add(p)
                    stack.append(p)
        _CONES[key] = frozenset(seen)
    return _CONES[key]


def inputs_read(policy: CheckedPolicy, pred: str) -> frozenset[str]:
    """The input predicates a verdict can depend on, through its rules, exceptions and priorities."""
    preds = policy.predicates
    return frozenset(p for p in dependency_cone(policy, pred) if p in preds and preds[p].is_input)  # not built-ins
