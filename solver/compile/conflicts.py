"""Conflicts as answers: two values of a single-valued fact, and what rests on them.

    _clash(p,C,Key)   :- p(C,Key..,V), p(C,Key..,W), V < W.          two known values at once
    _onclash(p,C,Key) :- _clash(p,C,Key).
    _onclash(h,C,Key) :- _cond(R,C,Key,_,B,Vars), _onclash(q,C,Args).  R concluded h from q

A value that depends on unknown facts is a term naming its computation: two
such terms may stand for the same number, so only known values can clash.
"""

from __future__ import annotations

from collections.abc import Iterator

from grammar.checks.checked import CheckedPolicy, CheckedRule
from grammar.typed import nodes as n
from grammar.typed.normal import dnf, walk_conds, walk_terms
from solver.compile.body import layout_vars
from solver.compile.names import CASE, rule_term


def _tuple(items: list[str]) -> str:
    return "(" + ",".join(items) + ("," if len(items) == 1 else "") + ")"


def clash_rules(policy: CheckedPolicy) -> list[str]:
    out: list[str] = []
    for pred in policy.predicates.values():
        if pred.is_input or pred.is_bool:
            continue
        xs = [f"X{i}" for i in range(1, len(pred.params) + 1)]
        args = ",".join([CASE, *xs])
        known = ", @distinct(V,W) = 1" if isinstance(pred.value, n.IntType | n.DateType) else ""
        out.append(
            f"_clash({pred.name},{CASE},{_tuple(xs)}) :- {pred.name}({args},V), {pred.name}({args},W), V < W{known}."
        )
    return out


def _reads(lit: n.Cond) -> Iterator[tuple[str, tuple[n.Term, ...]]]:
    """The facts a condition reads: atoms and value look-ups, nested ones included."""
    for c in walk_conds(lit):
        if isinstance(c, n.Atom):
            yield c.name, c.args
    for t in walk_terms(lit):
        if isinstance(t, n.Call):
            yield t.name, t.args


def rests_on_program(policy: CheckedPolicy) -> str:
    """The rules that say what rests on a conflict: grounded only for the cases that have one."""
    lines = [f"_onclash(P,{CASE},K) :- _clash(P,{CASE},K)."]
    lines += [line for cr in policy.rules for line in rests_on_rules(policy, cr)]
    return "\n".join(lines) + "\n"


def rests_on_rules(policy: CheckedPolicy, cr: CheckedRule) -> list[str]:
    """How a conclusion of the rule rests on a conflicting fact it read."""
    rule, rid = cr.rule, rule_term(cr.id)
    head_vars = [a.name for a in rule.head.args]
    out: list[str] = []
    for i, branch in enumerate(dnf(rule.body)):
        names = layout_vars(head_vars, branch)
        cond = f"_cond({rid},{CASE},{_tuple(head_vars)},_,{i},{_tuple(names)})"
        seen: set[str] = set()
        for lit in branch:
            for pred, args in _reads(lit):
                decl = policy.predicates.get(pred)
                if decl is None or decl.is_input:
                    continue
                shown = [a.name if isinstance(a, n.Var) and a.name in names else "_" for a in args]
                read = f"_onclash({pred},{CASE},{_tuple(shown)})"
                if read not in seen:
                    seen.add(read)
                    out.append(f"_onclash({rule.head.name},{CASE},{_tuple(head_vars)}) :- {cond}, {read}.")
    return out
