"""Safety: every value a rule uses must come from somewhere.

Entity variables are always safe: they range over the case's entities of
their type. A number, date or enumeration value must be given by a
condition such as `notice_date(A) = D` outside any `not`, `some`, `every`
or `number of`.
"""

from __future__ import annotations

from grammar.checks.checked import CheckedRule
from grammar.diagnostics import Diagnostic, error
from grammar.typed import nodes as n
from grammar.typed.normal import Branch, branch_vars, cond_vars, dnf, first_use, is_group, term_vars, unique

Types = dict[str, n.Type]


def is_entity(name: str, types: Types) -> bool:
    return isinstance(types.get(name), n.EntityType)


def bound_by(branch: Branch, types: Types, outer: set[str]) -> set[str]:
    """Variables a conjunction gives values to, given those bound outside it."""
    bound = set(outer) | {v for v, t in types.items() if isinstance(t, n.EntityType)}
    changed = True
    while changed:
        changed = False
        for lit in branch:
            if isinstance(lit, n.Compare) and lit.op == "=":
                for var, other in ((lit.left, lit.right), (lit.right, lit.left)):
                    if isinstance(var, n.Var) and var.name not in bound and set(term_vars(other)) <= bound:
                        bound.add(var.name)
                        changed = True
    return bound


def _unsafe(var: str, types: Types, where: n.Cond | n.Head | n.Rule, uses: object) -> Diagnostic:
    """Points at the variable's first use, else at the whole condition."""
    kind = types.get(var)
    what = f"a {kind}" if kind in (n.INT, n.DATE) else "a value"
    return error(
        "unsafe-variable",
        first_use(var, uses) or where.span,
        f"`{var}` is {what} that no condition gives a value to",
        f"give `{var}` a value with a condition such as `some_date(A) = {var}`; "
        "a value set inside `not`, `some`, `every` or `number of` does not count outside it",
    )


def check_branch(branch: Branch, types: Types, outer: set[str], where: n.Cond | n.Head | n.Rule) -> list[Diagnostic]:
    bound = bound_by(branch, types, outer)
    diags = [_unsafe(v, types, where, branch) for v in branch_vars(branch) if v not in bound]
    for lit in branch:
        for inner, local_outer in _nested(lit, bound):
            for sub in dnf(inner):
                diags.extend(check_branch(sub, types, local_outer, inner))
    return diags


def _nested(lit: n.Cond, bound: set[str]) -> list[tuple[n.Cond, set[str]]]:
    """Conditions nested in a literal, with the variables bound around them."""
    found: list[tuple[n.Cond, set[str]]] = []
    if is_group(lit):  # an `or` kept whole (see grammar.typed.normal): its branches are checked on their own
        found.append((lit, bound))
    elif isinstance(lit, n.Not | n.Some):
        found.append((lit.cond, bound))
    elif isinstance(lit, n.Every):
        found.append((n.And((lit.cond, lit.then), lit.span), bound))
    terms = lit.args if isinstance(lit, n.Atom) else (lit.left, lit.right) if isinstance(lit, n.Compare) else ()
    for t in terms:
        found.extend((c.cond, bound) for c in _counts(t))
    return found


def _counts(t: n.Term) -> list[n.Count]:
    if isinstance(t, n.Count):
        return [t]
    if isinstance(t, n.Call):
        return [c for a in t.args for c in _counts(a)]
    if isinstance(t, n.BinOp):
        return _counts(t.left) + _counts(t.right)
    return []


def check_rule(cr: CheckedRule) -> list[Diagnostic]:
    rule, types = cr.rule, cr.var_types
    diags: list[Diagnostic] = []
    head_vars = {a.name for a in rule.head.args}
    value_vars = set(term_vars(rule.head.value)) if rule.head.value is not None else set()
    body_vars: set[str] = set(cond_vars(rule.body)) if rule.body else set()
    for branch in dnf(rule.body):
        diags.extend(check_branch(branch, types, set(), rule.body or rule.head))
        bound = bound_by(branch, types, set())
        for v in sorted(value_vars - bound):
            diags.append(_unsafe(v, types, rule.head, rule.head.value))
    head_list = ", ".join(a.name for a in rule.head.args)
    for exc in rule.exceptions:
        stray = [v for v in unique(cond_vars(exc)) if v in body_vars and v not in head_vars]
        for v in stray:
            diags.append(
                error(
                    "bad-exception",
                    exc.span,
                    f"`unless` may only use the variables of the conclusion ({head_list}); "
                    f"`{v}` comes from the conditions",
                    "state the exception about the conclusion's subjects, or move it into the conditions as `and not`",
                )
            )
        for branch in dnf(exc):
            diags.extend(check_branch(branch, types, head_vars, exc))
    return diags
