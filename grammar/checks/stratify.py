"""Stratification: no predicate may depend on itself through `not`.

A cycle through negation would give a complete case no single answer (or
none), so it is a policy error naming the rules on the cycle.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator

from grammar.checks.checked import CheckedRule
from grammar.diagnostics import Diagnostic, error
from grammar.typed import nodes as n
from grammar.typed.normal import term_parts, unique, walk_conds, walk_terms

Edge = tuple[str, str, bool, str]  # head, body predicate, through negation, rule id


def _deps(c: n.Cond, negative: bool) -> Iterator[tuple[str, bool]]:
    if isinstance(c, n.Atom):
        yield c.name, negative
    elif isinstance(c, n.Not):
        yield from _deps(c.cond, True)
    elif isinstance(c, n.And | n.Or):
        for item in c.items:
            yield from _deps(item, negative)
    elif isinstance(c, n.Some):
        yield from _deps(c.cond, negative)
    elif isinstance(c, n.Every):
        yield from _deps(c.cond, True)
        yield from _deps(c.then, True)
    if isinstance(c, n.Atom | n.Compare):
        for t in walk_terms(c):
            if isinstance(t, n.Call):
                yield t.name, negative
            elif isinstance(t, n.Count):
                yield from _deps(t.cond, True)


def rule_deps(rule: n.Rule) -> list[tuple[str, bool]]:
    deps = list(_deps(rule.body, False)) if rule.body else []
    if rule.head.value is not None:
        for t in term_parts(rule.head.value):
            if isinstance(t, n.Call):
                deps.append((t.name, False))
            elif isinstance(t, n.Count):  # counting needs its condition settled first
                deps += [(p, True) for p, _ in _deps(t.cond, True)]
    for exc in rule.exceptions:
        deps += [(p, True) for p, _ in _deps(exc, True)]
    return deps


def edges(rules: tuple[CheckedRule, ...]) -> list[Edge]:
    by_id = {r.id: r.rule for r in rules}
    out: list[Edge] = []
    for cr in rules:
        head = cr.rule.head.name
        out += [(head, p, neg, cr.id) for p, neg in rule_deps(cr.rule)]
        for high in cr.overridden_by:  # defeat reads the higher rule's conditions
            out += [(head, p, True, cr.id) for p, _ in rule_deps(by_id[high])]
    return out


def check(rules: tuple[CheckedRule, ...], spans: dict[str, n.Rule]) -> list[Diagnostic]:
    graph: dict[str, list[Edge]] = {}
    for e in edges(rules):
        graph.setdefault(e[0], []).append(e)
    diags: list[Diagnostic] = []
    reported: set[frozenset[str]] = set()
    for head, body, negative, rule_id in (e for es in graph.values() for e in es):
        if not negative:
            continue
        path = _path(graph, body, head)
        if path is None:
            continue
        names = frozenset([head, body])
        if names in reported:
            continue
        reported.add(names)
        diags.append(_cycle_error(head, body, rule_id, path, spans))
    return diags


def _path(graph: dict[str, list[Edge]], start: str, goal: str) -> list[Edge] | None:
    """Edges from start to goal, or None; an empty list when start is goal."""
    if start == goal:
        return []
    queue: deque[tuple[str, list[Edge]]] = deque([(start, [])])
    seen = {start}
    while queue:
        node, path = queue.popleft()
        for e in graph.get(node, []):
            if e[1] == goal:
                return [*path, e]
            if e[1] not in seen:
                seen.add(e[1])
                queue.append((e[1], [*path, e]))
    return None


def _cycle_error(head: str, body: str, rule_id: str, path: list[Edge], spans: dict[str, n.Rule]) -> Diagnostic:
    span = spans[rule_id].span
    if not path:
        return error(
            "negative-cycle",
            span,
            f"rule `{rule_id}` concludes `{head}` from `not {head}`",
            "a conclusion cannot rest on its own absence; state the condition positively",
        )
    back = ", and ".join(f"rule `{e[3]}` concludes `{e[0]}` from `{'not ' if e[2] else ''}{e[1]}`" for e in path)
    return error(
        "negative-cycle",
        span,
        f"`{head}` and `{body}` depend on each other through `not`: rule `{rule_id}` concludes `{head}` "
        f"from `not {body}`, and {back}",
        "break the cycle: one of the two must not depend on the other",
    )


def priority_cycles(priorities: tuple[n.Priority, ...]) -> list[Diagnostic]:
    over: dict[str, set[str]] = {}
    for p in priorities:
        over.setdefault(p.high.id, set()).add(p.low.id)
    diags = []
    for p in priorities:
        stack, seen = [p.low.id], set()
        while stack:
            cur = stack.pop()
            if cur == p.high.id:
                diags.append(
                    error(
                        "priority-cycle",
                        p.span,
                        f"`{p.high.id}` over `{p.low.id}` closes a cycle of priorities",
                        "priorities must rank rules in one direction",
                    )
                )
                break
            if cur not in seen:
                seen.add(cur)
                stack.extend(over.get(cur, ()))
    return diags


def _computes(rule: n.Rule) -> bool:
    """Whether the rule's conclusion is a new value computed by arithmetic (not only copied or counted)."""
    if rule.head.value is None:
        return False
    computed: set[str] = set()
    binds = [c for c in walk_conds(rule.body) if isinstance(c, n.Compare) and c.op == "="] if rule.body else []
    changed = True
    while changed:
        changed = False
        for c in binds:
            for var, other in ((c.left, c.right), (c.right, c.left)):
                if isinstance(var, n.Var) and var.name not in computed and _arithmetic(other, computed):
                    computed.add(var.name)
                    changed = True
    return _arithmetic(rule.head.value, computed)


def _arithmetic(term: n.Term, computed: set[str]) -> bool:
    return any(isinstance(t, n.BinOp) or (isinstance(t, n.Var) and t.name in computed) for t in term_parts(term))


def unbounded(rules: tuple[CheckedRule, ...], spans: dict[str, n.Rule]) -> list[Diagnostic]:
    """A value computed from itself: grounding would make ever new numbers or dates and never end."""
    graph: dict[str, list[Edge]] = {}
    for e in edges(rules):
        graph.setdefault(e[0], []).append(e)
    diags: list[Diagnostic] = []
    for cr in rules:
        if not _computes(cr.rule):
            continue
        head = cr.rule.head.name
        for body, _neg in rule_deps(cr.rule):
            path = _path(graph, body, head)
            if path is None:
                continue
            through = unique([cr.id, *(e[3] for e in path)])
            names = ", ".join(f"`{r}`" for r in through)
            diags.append(
                error(
                    "unbounded-recursion",
                    spans[cr.id].span,
                    f"rule `{cr.id}` computes a new value of `{head}` from `{head}` itself (through {names}): "
                    "deciding a case would never end",
                    "compute the value from facts that do not depend on it, or count with `number of`",
                )
            )
            break
    return diags
