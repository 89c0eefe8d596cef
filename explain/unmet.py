"""Every condition a case does not meet, not only the first: what a refusal leads with.

A rule's "why not" names the first condition no completion gets past. A
reviewer reading a refusal needs all of them: from that first failure on, each
later condition of the branch is judged on the case's facts with the values
bound so far. A condition that depends on unknown facts is left out; one on a
derived fact that fails is explained by the conditions it does not meet in turn.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from explain.graph import Condition, Graph
from explain.values import Plain, evaluate
from grammar import nodes as n
from grammar.checked import CheckedRule
from grammar.normal import dnf

MAX_DEPTH = 3
Truth = bool | None  # None: it depends on unknown facts


def unmet(graph: Graph, pred: str, subject: tuple[str, ...], depth: int = 0) -> tuple[Condition, ...]:
    """The conditions found unmet by every rule that could conclude `pred(subject)`; none if one concluded it."""
    if graph.derive(pred, subject, possible=True):
        return ()
    found: list[Condition] = []
    for cr in graph.policy.rules:
        if cr.rule.head.name != pred:
            continue
        for b in range(len(dnf(cr.rule.body))):
            found += _branch(graph, cr, b, subject, depth)
    return tuple({(c.literal.span, c.env): c for c in found}.values())  # an `or` may fail twice at one place


def outside(graph: Graph, cond: n.Cond, env: dict[str, Plain]) -> list[n.Cond]:
    """Why a subject is outside a verdict's `applies if`: the conditions of its first way in that fail."""
    for branch in dnf(cond):
        bound = dict(env)
        failed = [lit for lit in branch if _truth(graph, lit, bound) is False]
        if failed:
            return failed
    return []


def _branch(graph: Graph, cr: CheckedRule, b: int, subject: tuple[str, ...], depth: int) -> list[Condition]:
    furthest, envs = graph.furthest(cr, b, subject)
    steps = graph.chains[(cr.id, b)].steps
    out: list[Condition] = []
    for start in envs[:1]:  # the values of one way of getting there: the sentences name them
        env = dict(start)
        for k in range(furthest, len(steps)):
            lit = steps[k].literal
            truth = _truth(graph, lit, env)
            if truth is False:
                out.append(_explained(graph, cr, lit, env, depth))
    return out


def _explained(graph: Graph, cr: CheckedRule, lit: n.Cond, env: Mapping[str, Plain], depth: int) -> Condition:
    shown = graph.condition(lit, env, cr, depth, holds=False)
    nested: tuple[Condition, ...] = ()
    if isinstance(lit, n.Atom) and not graph.policy.predicates[lit.name].is_input and depth < MAX_DEPTH:
        args = tuple(evaluate(a, env, graph.policy, graph.trace, graph.today) for a in lit.args)
        if all(isinstance(a, str) for a in args):
            nested = unmet(graph, lit.name, tuple(str(a) for a in args), depth + 1)
    return Condition(shown.literal, shown.env, False, shown.inputs, unmet=nested)


def _truth(graph: Graph, lit: n.Cond, env: dict[str, Plain]) -> Truth:
    """Whether a literal holds on the case's facts; a binding (`f(X) = D`) gives its variable a value."""
    if isinstance(lit, n.Not):
        inner = _truth(graph, lit.cond, dict(env))
        return None if inner is None else not inner
    if isinstance(lit, n.Atom):
        args = tuple(evaluate(a, env, graph.policy, graph.trace, graph.today) for a in lit.args)
        if any(a is None for a in args):
            return None
        key = tuple(a for a in args if isinstance(a, str | int))
        if graph.trace.holds(lit.name, key):
            return True
        return None if graph.trace.may_hold(lit.name, key) else False
    if isinstance(lit, n.Compare):
        return _compare(graph, lit, env)
    return None  # `some`, `every` and counts are read from the solver's own answer elsewhere


def _compare(graph: Graph, lit: n.Compare, env: dict[str, Plain]) -> Truth:
    for var, other in ((lit.left, lit.right), (lit.right, lit.left)):
        if lit.op == "=" and isinstance(var, n.Var) and var.name not in env:
            value = evaluate(other, env, graph.policy, graph.trace, graph.today)
            if value is None:
                return None
            env[var.name] = value
            return True
    left = evaluate(lit.left, env, graph.policy, graph.trace, graph.today)
    right = evaluate(lit.right, env, graph.policy, graph.trace, graph.today)
    if left is None or right is None or type(left) is not type(right):
        return None
    return _holds(lit.op, left, right)


def _holds(op: str, left: str | int | bool | dt.date, right: str | int | bool | dt.date) -> bool:
    if op == "=":
        return left == right
    if op == "!=":
        return left != right
    a, b = left, right
    assert isinstance(a, int | dt.date) and isinstance(b, int | dt.date)
    return {"<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[op]  # type: ignore[operator]
