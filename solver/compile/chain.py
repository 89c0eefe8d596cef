"""Prefix chains for "why not": one atom per condition of a rule branch.

    _pre(R, B, 0, C, Key, Vars0) :- <the conclusion's subjects>.
    _pre(R, B, k, C, Key, Varsk) :- _pre(R, B, k-1, C, Key, Varsk-1), <condition k>.

The first step k with no `_pre` atom names the condition that failed, with
the values of the conditions before it. Only the explanation program has
these rules; deciding does not pay for them. Explanations read `_prelast`,
the furthest steps of a model past step 0: the same first failures from far
fewer atoms. Step 0 holds for every subject of the right types, so it is
written only when asked for (coverage reads it); otherwise step 1 starts from
the subjects itself, and the grounder has a quarter fewer rules to go through.

A chain whose subjects are of a type the cases have no entity of has no step
to ground there, yet clingo would still prepare its rules, for about as long
as it grounds the others: `chain_program` leaves such chains out.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from grammar.checks.checked import CheckedPolicy
from grammar.typed import nodes as n
from grammar.typed.normal import Branch, branch_vars, cond_vars, dnf, is_group, term_vars, unique
from solver.compile.body import BranchCompiler
from solver.compile.emit import Emitter, tuple_text
from solver.compile.names import CASE, rule_term


@dataclass(frozen=True, slots=True)
class Step:
    literal: n.Cond
    vars: tuple[str, ...]  # the variables bound once this condition holds, in the atom's order


@dataclass(frozen=True, slots=True)
class Chain:
    rule: str
    branch: int
    head_vars: tuple[str, ...]
    steps: tuple[Step, ...]
    subject_types: tuple[str, ...]  # the entity types of the conclusion's subjects
    rules: str  # its rules as program text, the auxiliary ones they use included


def _binds(lit: n.Cond, bound: set[str], types: dict[str, n.Type]) -> bool:
    """Whether the literal can be evaluated with the variables bound so far."""
    needed = [v for v in cond_vars(lit) if v not in bound and not isinstance(types.get(v), n.EntityType)]
    if not needed:
        return True
    if isinstance(lit, n.Compare) and lit.op == "=":
        for var, other in ((lit.left, lit.right), (lit.right, lit.left)):
            if isinstance(var, n.Var) and needed == [var.name]:
                return all(v in bound or isinstance(types.get(v), n.EntityType) for v in term_vars(other))
    return False


def order(branch: Branch, head_vars: list[str], types: dict[str, n.Type]) -> list[n.Cond]:
    """Positive conditions and bindings first, each group in the order written; a condition waits for its values."""
    first = [c for c in branch if isinstance(c, n.Atom) or (isinstance(c, n.Compare) and c.op == "=")]
    pending = first + [c for c in branch if c not in first]
    bound, out = set(head_vars), []
    while pending:
        pick = next((c for c in pending if _binds(c, bound, types)), pending[0])
        pending.remove(pick)
        out.append(pick)
        bound |= set(cond_vars(pick))
    return out


Chains = tuple[str, tuple[Chain, ...]]  # the chains' rules as program text, and each chain's steps
CLOSING = (  # step 0 holds for every subject of the right types, so it is left out
    f"_prestep(R,B,K,{CASE},Key) :- _pre(R,B,K,{CASE},Key,_), K > 1.\n"
    f"_prelast(R,B,K,{CASE},Key,V) :- _pre(R,B,K,{CASE},Key,V), K > 0, not _prestep(R,B,K+1,{CASE},Key).\n"
)


def chain_program(found: Sequence[Chain], types: Collection[str] | None = None) -> str:
    """The chains' rules: all of them, or those whose subjects can be entities of these types (the types of a
    case's entities: no other chain has a step there)."""
    kept = found if types is None else [c for c in found if all(t in types for t in c.subject_types)]
    return "".join(c.rules for c in kept) + CLOSING


def chains(policy: CheckedPolicy, *, starts: bool = False) -> Chains:
    """The chains' rules, with step 0's when `starts`, and each chain's steps."""
    em = Emitter(policy, aux_prefix="_chain_aux")  # added to the program, so apart from its `_auxN`
    found: list[Chain] = []
    for cr in policy.rules:
        head_vars = [a.name for a in cr.rule.head.args]
        rid, key = rule_term(cr.id), tuple_text(head_vars)
        types = unique(t.name for v in head_vars if isinstance(t := cr.var_types.get(v), n.EntityType))
        em.site = rid
        for b, branch in enumerate(dnf(cr.rule.body)):
            lines = [f"% chain {cr.id} branch {b}"]
            start = BranchCompiler(em, cr.var_types)
            start.compile((), head_vars)
            if starts:
                lines.append(f"_pre({rid},{b},0,{CASE},{key},{key}) :- {start.body()}.")
            bound = list(head_vars)
            steps: list[Step] = []
            shared = set(branch_vars(branch))
            for k, lit in enumerate(order(branch, head_vars, cr.var_types), 1):
                before = f"_pre({rid},{b},{k - 1},{CASE},{key},{tuple_text(bound)})"
                previous = start.body() if k == 1 and not starts else before
                bc = BranchCompiler(em, cr.var_types, [previous])
                bc.grounded = set(bound)
                # A group (see grammar.typed.normal) gives the branch only the variables it shares with it.
                gives = [v for v in cond_vars(lit) if v in shared] if is_group(lit) else list(cond_vars(lit))
                bc.compile((lit,), unique([*bound, *gives]) if is_group(lit) else list(bound))
                bound = unique([*bound, *gives])
                lines.extend(bc.rules(f"_pre({rid},{b},{k},{CASE},{key},{tuple_text(bound)})"))
                lines.extend(em.pending)
                em.pending = []
                steps.append(Step(lit, tuple(bound)))
            text = "\n".join(lines) + "\n"
            found.append(Chain(cr.id, b, tuple(head_vars), tuple(steps), tuple(types), text))
    return chain_program(found), tuple(found)
