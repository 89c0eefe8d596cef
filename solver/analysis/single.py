"""Rules that give a subject one value by construction, so the search never asks whether they give it two.

A rule's value is single when every variable in it is fixed by the head's subject: through `X = term`
conditions whose term reads only fixed variables, constants, builtins and case inputs (an input has one value
per subject). Asking clasp the same question over the universe proves it too, but a date computed from a date
can take it longer than the check allows (`FAM-2.age-on-application`: minutes).
"""

from __future__ import annotations

from grammar.checks.checked import BUILTINS, CheckedPolicy
from grammar.typed import nodes as n


def single_valued(rule: n.Rule, policy: CheckedPolicy) -> bool:
    """True when the rule cannot give one subject two values, whatever the case."""
    if rule.head.value is None:
        return True
    fixed = {a.name for a in rule.head.args}
    compares = [c for c in conjuncts(rule.body) if isinstance(c, n.Compare) and c.op == "="]
    grew = True
    while grew:
        grew = False
        for c in compares:
            for var, term in ((c.left, c.right), (c.right, c.left)):
                if isinstance(var, n.Var) and var.name not in fixed and _fixed_by(term, fixed, policy):
                    fixed.add(var.name)
                    grew = True
    return _fixed_by(rule.head.value, fixed, policy)


def conjuncts(cond: n.Cond | None) -> list[n.Cond]:
    if cond is None:
        return []
    if isinstance(cond, n.And):
        return [c for item in cond.items for c in conjuncts(item)]
    return [cond]


def _fixed_by(term: n.Term, fixed: set[str], policy: CheckedPolicy) -> bool:
    """The term has one value once the `fixed` variables have theirs."""
    if isinstance(term, n.Var):
        return term.name in fixed
    if isinstance(term, n.IntLit | n.DateLit | n.Name | n.AssessmentDate):
        return True
    if isinstance(term, n.Duration):
        return not isinstance(term.amount, n.Var) or term.amount.name in fixed
    if isinstance(term, n.BinOp):
        return _fixed_by(term.left, fixed, policy) and _fixed_by(term.right, fixed, policy)
    if isinstance(term, n.Call):
        pred = policy.predicates.get(term.name)
        one_value = term.name in BUILTINS or (pred is not None and pred.is_input and not pred.is_bool)
        return one_value and all(_fixed_by(a, fixed, policy) for a in term.args)
    return False  # a count: its value depends on a search of its own
