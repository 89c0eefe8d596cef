"""Whether a condition holds on a case's facts, read from the trace: yes, no, or unknown (None).

Explanations name instances and unmet conditions from it; the verdicts themselves
always come from the solver.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from explain.derivation.values import Plain, evaluate
from grammar.checks.checked import CheckedPolicy
from grammar.typed import nodes as n
from grammar.typed.normal import walk_conds, walk_terms

if TYPE_CHECKING:  # the graph reads truths too (`Graph.witness`)
    from explain.derivation.graph import Graph

Truth = bool | None  # None: it depends on unknown facts


def truth(graph: Graph, lit: n.Cond, env: dict[str, Plain]) -> Truth:
    """Whether a literal holds on the case's facts; a binding (`f(X) = D`) gives its variable a value."""
    if isinstance(lit, n.Not):
        inner = truth(graph, lit.cond, dict(env))
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
    if isinstance(lit, n.And):
        found = [truth(graph, item, env) for item in lit.items]  # in order: bindings serve the items after them
        return False if False in found else None if None in found else True
    if isinstance(lit, n.Or):
        found = [truth(graph, item, dict(env)) for item in lit.items]
        return True if True in found else None if None in found else False
    if isinstance(lit, n.Some | n.Every):
        return _quantified(graph, lit, env)
    return None


def _quantified(graph: Graph, lit: n.Some | n.Every, env: dict[str, Plain]) -> Truth:
    """`some`: one entity satisfies it; `every`: none satisfies the condition without the consequence."""
    kind = var_type(graph.policy, lit.cond, lit.var.name)
    found: list[Truth] = []
    for e in graph.case.entities:
        if e.type != kind:
            continue
        inner = {**env, lit.var.name: e.id}
        holds = truth(graph, lit.cond, inner)
        if isinstance(lit, n.Every) and holds is not False:
            then = truth(graph, lit.then, inner)
            holds = None if holds is None and then is False else (not then if then is not None else None)
            holds = None if holds is None else not holds  # the entity keeps `every` from holding: a counterexample
        found.append(holds)
    if isinstance(lit, n.Some):
        return True if True in found else None if None in found else False
    return False if False in found else None if None in found else True


def var_type(policy: CheckedPolicy, cond: n.Cond, var: str) -> str | None:
    """The entity type of a quantified variable: the parameter it stands for in the condition."""
    calls: list[n.Atom | n.Call] = [c for c in walk_conds(cond) if isinstance(c, n.Atom)]
    calls += [t for t in walk_terms(cond) if isinstance(t, n.Call) and t.name in policy.predicates]
    for call in calls:
        for arg, param in zip(call.args, policy.predicates[call.name].params, strict=False):
            if isinstance(arg, n.Var) and arg.name == var:
                return param.type.name
    for t in walk_terms(cond):  # `f(X) = V`: V has f's value type
        if isinstance(t, n.Call) and t.name in policy.predicates:
            value = policy.predicates[t.name].value
            if isinstance(value, n.EntityType):
                return value.name
    return None


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
