"""A verdict's part of a policy: the rules it can depend on, and the input facts one subject's verdict can read.

Enters: a checked policy and a verdict (and a subject). Leaves: the policy cut down to the verdict, compiled
(kept per policy hash), and the patterns of the input facts the subject's verdict can read. The patterns follow
each rule's head: a rule concluding `v(P)` for the subject reads `status(P)` of that subject, and a variable the
head does not bind (a join, a quantifier, a value) reads every entity. What-if changes no fact outside them: such
a change can never change the verdict.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace

from grammar.checks.checked import CheckedPolicy
from grammar.typed import nodes as n
from grammar.typed.normal import walk_conds, walk_terms
from solver.compile.cone import dependency_cone
from solver.compile.emit import AspProgram, emit

Pattern = tuple[str | None, ...]  # a fact's arguments: an entity id, or None for any
_Reading = tuple[str, tuple[n.Term, ...]]  # a predicate a rule reads, with the terms of its arguments

# A verdict's part of a policy, compiled: the searches of one explanation ask for many verdicts, and a server
# for the same ones again. Keyed by the policy's hash, which names its text.
_PARTS: dict[tuple[str, str], tuple[CheckedPolicy, AspProgram]] = {}
MAX_PARTS = 1024


def part(policy: CheckedPolicy, verdict: str) -> tuple[CheckedPolicy, AspProgram]:
    """The policy cut down to the verdict, the rules it can depend on and the predicates they read; compiled."""
    key = (policy.hash, verdict)
    found = _PARTS.get(key)
    if found is None:
        if len(_PARTS) >= MAX_PARTS:
            _PARTS.clear()
        part = _restricted(policy, verdict)
        found = _PARTS[key] = (part, emit(part))
    return found


# For each rule: its head's variables, every predicate its body, exceptions and value read (with their terms),
# and the variables bound inside it; by the predicate it concludes.
_RuleReads = tuple[tuple[str, ...], tuple[_Reading, ...], frozenset[str]]
_RULE_READS: dict[str, dict[str, list[_RuleReads]]] = {}


def subject_reads(policy: CheckedPolicy, verdict: str, subject: tuple[str, ...]) -> dict[str, list[Pattern]]:
    """For each input the verdict of this subject can read, the patterns of the facts it can read."""
    concluding = _rule_reads(policy)
    out: dict[str, list[Pattern]] = defaultdict(list)
    seen: set[tuple[str, Pattern]] = set()
    todo: list[tuple[str, Pattern]] = [(verdict, subject)]
    while todo:
        pred, pattern = todo.pop()
        if (pred, pattern) in seen:
            continue
        seen.add((pred, pattern))
        decl = policy.predicates.get(pred)
        if decl is None:  # a builtin (`years_since`): the terms inside it are read on their own
            continue
        if decl.is_input:
            out[pred].append(pattern)
            continue
        for head, reads, bound_inside in concluding.get(pred, ()):
            env: dict[str, str] = {}
            if not _bind(head, pattern, env):
                continue
            for name in bound_inside:  # a head's variable bound again inside: any entity, to be safe
                env.pop(name, None)
            todo += [(read, tuple(_arg(t, env) for t in terms)) for read, terms in reads]
    return out


def may_read(patterns: dict[str, list[Pattern]], pred: str, args: tuple[str, ...]) -> bool:
    """Whether a fact matches one of the patterns read of its predicate."""
    return any(all(p in (None, a) for p, a in zip(pattern, args, strict=True)) for pattern in patterns.get(pred, ()))


def _bind(head: tuple[str, ...], pattern: Pattern, env: dict[str, str]) -> bool:
    for var, value in zip(head, pattern, strict=True):
        if value is None:
            continue
        if env.setdefault(var, value) != value:
            return False  # `v(P, P)` asked for two different entities
    return True


def _arg(t: n.Term, env: dict[str, str]) -> str | None:
    return env.get(t.name) if isinstance(t, n.Var) else None


def _rule_reads(policy: CheckedPolicy) -> dict[str, list[_RuleReads]]:
    """Rules with priority over a rule conclude the same predicate (grammar.checks.resolve): they are read as
    rules of that predicate, for the same subject."""
    found = _RULE_READS.get(policy.hash)
    if found is None:
        found = defaultdict(list)
        for cr in policy.rules:
            rule = cr.rule
            reads: list[_Reading] = []
            inside: set[str] = set()
            conds = [c for c in (rule.body, *rule.exceptions) if c is not None]
            if rule.head.value is not None:
                conds.append(n.Compare("=", rule.head.value, rule.head.value, rule.span))
            for cond in (c for top in conds for c in walk_conds(top)):
                if isinstance(cond, n.Atom):
                    reads.append((cond.name, cond.args))
                if isinstance(cond, n.Some | n.Every):
                    inside.add(cond.var.name)
                for t in walk_terms(cond):
                    if isinstance(t, n.Call):
                        reads.append((t.name, t.args))
                    elif isinstance(t, n.Count):
                        inside.add(t.var.name)
            found[rule.head.name].append((tuple(a.name for a in rule.head.args), tuple(reads), frozenset(inside)))
        if len(_RULE_READS) >= MAX_PARTS:
            _RULE_READS.clear()
        _RULE_READS[policy.hash] = found
    return found


def _restricted(policy: CheckedPolicy, verdict: str) -> CheckedPolicy:
    cone = dependency_cone(policy, verdict)
    return replace(
        policy,
        hash=f"{policy.hash}/{verdict}",  # another program: nothing cached by hash may mix the two
        predicates={k: p for k, p in policy.predicates.items() if k in cone},
        rules=tuple(cr for cr in policy.rules if cr.rule.head.name in cone),
        invariants=(),
        applies={},  # may read predicates outside the cone
        grounds={},
        summary=(),
    )
