"""Every condition a case does not meet, not only the first: what a refusal leads with.

A rule's "why not" names the first condition no completion gets past. A
reviewer reading a refusal needs all of them: from that first failure on, each
later condition of the branch is judged on the case's facts with the values
bound so far. A condition that depends on unknown facts is left out; one on a
derived fact that fails is explained by the conditions it does not meet in turn.
"""

from __future__ import annotations

from collections.abc import Mapping

from explain.derivation.graph import Condition, Graph
from explain.derivation.truth import truth
from explain.derivation.values import Plain, evaluate
from grammar.checks.checked import CheckedRule
from grammar.typed import nodes as n
from grammar.typed.normal import dnf

MAX_DEPTH = 3


def unmet(graph: Graph, pred: str, subject: tuple[str, ...], depth: int = 0) -> tuple[Condition, ...]:
    """The conditions found unmet by every rule that could conclude `pred(subject)`; none if one concluded it."""
    if graph.derive(pred, subject, possible=True):
        return ()
    found: list[Condition] = []
    for rule_id in graph.concluding.get(pred, ()):
        cr = graph.rules[rule_id]
        for b in range(len(graph.branches(cr))):
            found += _branch(graph, cr, b, subject, depth)
    return tuple({(c.literal.span, c.env): c for c in found}.values())  # an `or` may fail twice at one place


def outside(graph: Graph, cond: n.Cond, env: dict[str, Plain]) -> list[n.Cond]:
    """Why a subject is outside a verdict's `applies if`: the conditions of its first way in that fail."""
    for branch in dnf(cond):
        bound = dict(env)
        failed = [lit for lit in branch if truth(graph, lit, bound) is False]
        if failed:
            return failed
    return []


def in_doubt(graph: Graph, cond: n.Cond, env: dict[str, Plain]) -> n.Cond:
    """What of a verdict's `applies if` the case leaves in doubt: of an `and`, the items not known to hold
    ("applies only if Yusuf is not a Canadian citizen", not "if Yusuf resides in Québec and is not …")."""
    if not isinstance(cond, n.And) or any(_binds(item, env) for item in cond.items):
        return cond
    doubtful = tuple(item for item in cond.items if truth(graph, item, dict(env)) is not True)
    if not doubtful or len(doubtful) == len(cond.items):
        return cond
    return doubtful[0] if len(doubtful) == 1 else n.And(doubtful, cond.span)


def _branch(graph: Graph, cr: CheckedRule, b: int, subject: tuple[str, ...], depth: int) -> list[Condition]:
    furthest, envs = graph.furthest(cr, b, subject)
    steps = graph.chains[(cr.id, b)].steps
    out: list[Condition] = []
    for start in envs[:1]:  # the values of one way of getting there: the sentences name them
        env = dict(start)
        for k in range(furthest, len(steps)):
            lit = steps[k].literal
            # The first step is the one no completion gets past: the solver says it fails.
            if truth(graph, lit, env) is False or (k == furthest and not _binds(lit, env)):
                out.append(_explained(graph, cr, lit, env, depth))
    return out


def _binds(lit: n.Cond, env: dict[str, Plain]) -> bool:
    """A binding (`f(X) = D`) that failed names no condition: its value is missing, not unmet."""
    return (
        isinstance(lit, n.Compare)
        and lit.op == "="
        and any(isinstance(side, n.Var) and side.name not in env for side in (lit.left, lit.right))
    )


def _explained(graph: Graph, cr: CheckedRule, lit: n.Cond, env: Mapping[str, Plain], depth: int) -> Condition:
    shown = graph.condition(lit, env, cr, depth, holds=False)
    nested: tuple[Condition, ...] = ()
    if isinstance(lit, n.Atom) and not graph.policy.predicates[lit.name].is_input and depth < MAX_DEPTH:
        args = tuple(evaluate(a, env, graph.policy, graph.trace, graph.today) for a in lit.args)
        if all(isinstance(a, str) for a in args):
            nested = unmet(graph, lit.name, tuple(str(a) for a in args), depth + 1)
    return Condition(shown.literal, shown.env, False, shown.inputs, unmet=nested)
