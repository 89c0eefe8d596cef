"""What a predicate can depend on: the predicates its rules read, through priorities, transitively; and the
part of a policy that decides some verdicts (`narrowed`, compiled once per process by `narrowed_program`): a
smaller program to ground when only they are asked."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Collection
from dataclasses import replace

from grammar.checks.checked import CheckedPolicy, CheckedRule
from grammar.checks.stratify import rule_deps
from grammar.typed import nodes as n
from grammar.typed.normal import walk_conds, walk_terms
from solver.compile.emit import AspProgram, emit

# Kept per policy hash: bounded by the policies a process loads.
_CONES: dict[tuple[str, str], frozenset[str]] = {}
_GRAPHS: dict[str, dict[str, set[str]]] = {}
_NARROWED: dict[tuple[str, frozenset[str]], CheckedPolicy] = {}
_PROGRAMS: dict[str, AspProgram] = {}  # by the part's hash: verdicts with the same part share one
_PROGRAMS_LOCK = threading.Lock()


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


def reads(cond: n.Cond) -> set[str]:
    """The predicates and functions a condition reads."""
    names = {c.name for c in walk_conds(cond) if isinstance(c, n.Atom)}
    return names | {t.name for t in walk_terms(cond) if isinstance(t, n.Call)}


def _conditions(pred: n.Predicate) -> list[n.Cond]:
    """What deciding a verdict reads besides its rules: whom it applies to, and what its values' grounds are."""
    return ([pred.applies] if pred.applies is not None else []) + [g.cond for g in pred.grounds]


def decided_with(policy: CheckedPolicy, verdicts: Collection[str]) -> frozenset[str]:
    """Every predicate the verdicts can depend on, their applicability and grounds included."""
    keep: set[str] = set()
    todo = list(verdicts)
    while todo:
        name = todo.pop()
        if name in keep or name not in policy.predicates:
            continue
        cone = dependency_cone(policy, name)
        keep |= cone
        for p in cone:
            if p in policy.predicates:
                todo += [r for c in _conditions(policy.predicates[p]) for r in reads(c) if r not in keep]
    return frozenset(p for p in keep if p in policy.predicates)


def narrowed(policy: CheckedPolicy, verdicts: Collection[str]) -> CheckedPolicy:
    """The policy cut down to what decides the verdicts: their predicates, the rules concluding them, the
    priorities between those rules and the invariants over them. Its verdicts are decided as in the whole."""
    asked = frozenset(verdicts)
    key = (policy.hash, asked)
    if key not in _NARROWED:
        keep = decided_with(policy, asked)
        rules = tuple(cr for cr in policy.rules if cr.rule.head.name in keep)
        ids = {cr.id for cr in rules}
        declared = policy.predicates.keys()
        digest = hashlib.sha256("\n".join(sorted(keep)).encode()).hexdigest()[:12]
        _NARROWED[key] = replace(
            policy,
            hash=f"{policy.hash}-{digest}",
            part_of=policy.shown_hash,
            predicates={k: p for k, p in policy.predicates.items() if k in keep},
            rules=rules,
            priorities=tuple(p for p in policy.priorities if p.high.id in ids and p.low.id in ids),
            invariants=tuple(i for i in policy.invariants if reads(i.invariant.cond) & declared <= keep),
            applies={k: v for k, v in policy.applies.items() if k in keep},
            grounds={k: v for k, v in policy.grounds.items() if k[0] in keep},
            summary=tuple(v for v in policy.summary if v in keep),
        )
    return _NARROWED[key]


def narrowed_program(policy: CheckedPolicy, verdicts: Collection[str]) -> tuple[CheckedPolicy, AspProgram]:
    """The part that decides the verdicts (`narrowed`) and its program, compiled once per process: the
    missing-facts search's parts and the narrowed policies of the API share them."""
    part = narrowed(policy, verdicts)
    with _PROGRAMS_LOCK:
        if part.hash not in _PROGRAMS:
            _PROGRAMS[part.hash] = emit(part)
        return part, _PROGRAMS[part.hash]
