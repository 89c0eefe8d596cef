"""CheckedPolicy -> AspProgram: the policy as one ASP program over many cases.

Every generated predicate takes the case first. Each rule derives, per branch
of its conditions, a support atom `_cond(Rule, Case, Key, Value, Branch,
Bindings)`; exceptions, priorities and the conclusion are layered on it:

    _app(R,C,K,V)   :- _cond(R,C,K,V,_,_), not _exc(R,1,C,K), ...   conditions hold, no exception
    _def(R,C,K)     :- _app(H,C,K,_).                              for each H with priority over R
    _fired(R,C,K,V) :- _app(R,C,K,V), not _def(R,C,K).
    head(C,K..,V)   :- _fired(R,C,K,V).

A rule with no exception and no priority over or under another (most of
them) has no `_app` layer: `_fired(R,C,K,V) :- _cond(R,C,K,V,_,_).` Its
`_app` atoms would copy its `_fired` ones, and grounding them took a tenth of
the grounding of cases whose facts are all known.

Unknown inputs are free choices; see `inputs`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from grammar.checks.checked import CheckedPolicy, CheckedRule
from grammar.typed import nodes as n
from grammar.typed import pretty
from grammar.typed.normal import cond_vars, dnf, unique
from grammar.typed.source import Span
from solver.compile.body import BranchCompiler
from solver.compile.conflicts import clash_rules, rests_on_program
from solver.compile.names import CASE, TRUE, rule_term


@dataclass(frozen=True, slots=True)
class AspProgram:
    text: str
    policy_hash: str
    rule_spans: dict[str, Span] = field(hash=False)
    rests_on: str = ""  # what a conclusion rests on, added only for cases with a conflict (solver.compile.conflicts)


def tuple_text(items: list[str]) -> str:
    return "(" + ",".join(items) + ("," if len(items) == 1 else "") + ")"


# One unknown value U compared with several numbers answers them all alike: a completion where U < 5 holds
# and U < 9 does not is no completion. Each line: the answers that cannot go together, and how the two numbers
# A and B must compare for that. Terms order after numbers, so `A <= MAX` keeps A to numbers.
_TV, _NO = f"_tv({CASE},cmp({{}}))", f"_ask({CASE},cmp({{0}})), not _tv({CASE},cmp({{0}}))"
_EXCLUDED = [
    (_TV.format("lt,U,A"), _NO.format("lt,U,B"), "A < B"),  # U < A, yet not U < B
    (_TV.format("lt,A,U"), _NO.format("lt,B,U"), "B < A"),  # A < U, yet not B < U
    (_TV.format("lt,A,U"), _TV.format("lt,U,B"), "B <= A + 1"),  # A < U < B: no whole number between
    (_NO.format("lt,A,U"), _NO.format("lt,U,B"), "B > A"),  # B <= U <= A
    (_TV.format("eq,U,A"), _TV.format("eq,U,B"), "A < B"),
    (_TV.format("eq,U,A"), _TV.format("lt,U,B"), "A >= B"),
    (_TV.format("eq,U,A"), _NO.format("lt,U,B"), "A < B"),
    (_TV.format("eq,U,A"), _TV.format("lt,B,U"), "A <= B"),
    (_TV.format("eq,U,A"), _NO.format("lt,B,U"), "A > B"),
]
_NUMBERS = "A >= -2147483648, A <= 2147483647, B >= -2147483648, B <= 2147483647"
CONSISTENT = [
    "% ---- one unknown value compared with several numbers gives them consistent answers",
    *(f":- {one}, {other}, {order}, {_NUMBERS}." for one, other, order in _EXCLUDED),
]


class Emitter:
    def __init__(self, policy: CheckedPolicy, aux_prefix: str = "_aux") -> None:
        self.policy = policy
        self.aux_prefix = aux_prefix  # programs added to this one need names of their own
        self.site = '""'  # the rule being compiled, named in arithmetic calls (see solver.solve.context)
        self.counter = 0
        self.pending: list[str] = []  # auxiliary rules of the rule being compiled
        self.ranked = {r for pr in policy.priorities for r in (pr.high.id, pr.low.id)}  # layered on `_app`

    def fresh(self, prefix: str) -> str:
        self.counter += 1
        return f"{prefix}{self.counter}"

    def aux(
        self, inner: n.Cond, parent: BranchCompiler, head_extra: list[str], others: set[str]
    ) -> tuple[str, list[str]]:
        """An auxiliary predicate for a nested condition; returns its name and shared variables."""
        shared = [v for v in unique(cond_vars(inner)) if v in others and v not in head_extra]
        name = self.fresh(self.aux_prefix)
        needs_outer = any(not isinstance(parent.types.get(v), n.EntityType) for v in shared)
        for branch in dnf(inner):
            child = BranchCompiler(self, parent.types, parent.pos if needs_outer else None)
            if needs_outer:
                child.grounded = set(parent.grounded)
            child.compile(branch, [*head_extra, *shared])
            self.pending.extend(child.rules(f"{name}({','.join([CASE, *head_extra, *shared])})"))
        return name, shared

    # ------------------------------------------------------------ program
    def program(self) -> str:
        p = self.policy
        out = [
            f"% Havre policy {p.hash}: {len(p.rules)} rules",
            "",
            "% ---- comparisons with unknown values are free choices",
            f"_tv({CASE},1) :- _case({CASE}).",
            f"{{ _tv({CASE},T) }} :- _ask({CASE},T).",
            *CONSISTENT,
            "",
        ]
        out.append("% ---- inputs")
        for pred in p.inputs():
            out.extend(self.input(pred))
        out.append("% ---- rules")
        for cr in p.rules:
            out.extend(self.rule(cr))
        out.append("% ---- conflicts: two values of a single-valued fact")
        out.extend(clash_rules(p))
        out.append("")
        if p.applies:
            out.append("% ---- the subjects each verdict applies to (a verdict with a value must give them one)")
        for name, types in p.applies.items():
            pred = p.predicates[name]
            self.site = f'"{name}"'
            params = [q.var for q in pred.params]
            for branch in dnf(pred.applies):
                bc = BranchCompiler(self, types)
                bc.compile(branch, params)
                out.extend(bc.rules(f"_applies({name},{CASE},{tuple_text(params)})"))
            out.extend(self._flush())
        if p.invariants:
            out.append("% ---- invariants")
        for ci in p.invariants:
            inv = ci.invariant
            out.append(f"% invariant {inv.id} {inv.span}")
            self.site = rule_term(inv.id)
            for branch in dnf(inv.cond):
                bc = BranchCompiler(self, ci.var_types)
                bc.compile(branch, [])
                out.extend(bc.rules(f"_violated({rule_term(inv.id)},{CASE},{tuple_text(bc.branch_vars)})"))
            out.extend(self._flush())
        return "\n".join(out) + "\n"

    def _flush(self) -> list[str]:
        lines, self.pending = self.pending, []
        return lines

    def input(self, pred: n.Predicate) -> list[str]:
        xs = [f"X{i}" for i in range(1, len(pred.params) + 1)]
        tup = tuple_text(xs)
        lines = [f"% {pred.kind} {pred.name} {pred.span}"]
        if isinstance(pred.value, n.EnumType):
            lines += [f"_enumval({pred.name},{v})." for v in pred.value.values]
        if pred.default_false:
            return lines
        dom = [f"_entity({CASE},{p.type.name},{x})" for p, x in zip(pred.params, xs, strict=True)]
        if pred.is_bool and len(xs) > 1:
            dom += [f"{xs[0]} != {x}" for x in xs[1:]] + [f"not _closed({CASE},{pred.name},{xs[0]})"]
        lines.append(f"_unknown({CASE},{pred.name},{tup}) :- {', '.join(dom)}, not _given({CASE},{pred.name},{tup}).")
        lines.append(input_choice(pred, f"_unknown({CASE},{pred.name},{tup})"))
        return lines

    def rule(self, cr: CheckedRule) -> list[str]:
        rule, rid = cr.rule, rule_term(cr.id)
        self.site = rid
        head_vars = [a.name for a in rule.head.args]
        key = tuple_text(head_vars)
        out = [f"% rule {cr.id} {rule.span.file}:{rule.span.line}", f"% {pretty.head(rule.head)}"]
        for i, branch in enumerate(dnf(rule.body)):
            bc = BranchCompiler(self, cr.var_types)
            bc.compile(branch, head_vars)
            value = TRUE if rule.head.value is None else bc.term(rule.head.value)
            bindings = tuple_text(bc.branch_vars)
            out.extend(bc.rules(f"_cond({rid},{CASE},{key},{value},{i},{bindings})"))
        excs = []
        for j, exc in enumerate(rule.exceptions, 1):
            for branch in dnf(exc):
                bc = BranchCompiler(self, cr.var_types)
                bc.compile(branch, head_vars)
                out.extend(bc.rules(f"_exc({rid},{j},{CASE},{key})"))
            excs.append(f", not _exc({rid},{j},{CASE},K)")
        out.extend(self._flush())
        if excs or cr.id in self.ranked:  # a rule overridden is the low side of a priority
            out.append(f"_app({rid},{CASE},K,V) :- _cond({rid},{CASE},K,V,_,_){''.join(excs)}.")
            for high in cr.overridden_by:
                out.append(f"_def({rid},{CASE},K) :- _app({rule_term(high)},{CASE},K,_).")
            defeat = f", not _def({rid},{CASE},K)" if cr.overridden_by else ""
            out.append(f"_fired({rid},{CASE},K,V) :- _app({rid},{CASE},K,V){defeat}.")
        else:
            out.append(f"_fired({rid},{CASE},K,V) :- _cond({rid},{CASE},K,V,_,_).")
        value_arg = [] if rule.head.value is None else ["V"]
        out.append(
            f"{rule.head.name}({','.join([CASE, *head_vars, *value_arg])}) :- "
            f"_fired({rid},{CASE},{key},{'V' if value_arg else TRUE})."
        )
        out.append("")
        return out


def input_choice(pred: n.Predicate, condition: str) -> str:
    """The rule that chooses an input's value where `condition` holds: yes or no, one enumeration value, one
    entity, or, for a number or a date, the symbolic unknown `u(pred, Args)` (see solver.solve.context)."""
    xs = [f"X{i}" for i in range(1, len(pred.params) + 1)]
    args, value = ",".join(xs), pred.value
    if isinstance(value, n.BoolType):
        return f"{{ {pred.name}({CASE},{args}) }} :- {condition}."
    if isinstance(value, n.EnumType):
        return f"1 {{ {pred.name}({CASE},{args},V) : _enumval({pred.name},V) }} 1 :- {condition}."
    if isinstance(value, n.EntityType):
        return (
            f"1 {{ {pred.name}({CASE},{args},V) : _entity({CASE},{value.name},V) }} 1 :- "
            f"{condition}, _entity({CASE},{value.name},_)."
        )
    return f"{pred.name}({CASE},{args},u({pred.name},{tuple_text(xs)})) :- {condition}."


def emit(policy: CheckedPolicy) -> AspProgram:
    text = Emitter(policy).program()
    spans = {cr.id: cr.rule.span for cr in policy.rules}
    return AspProgram(text, policy.hash, spans, rests_on_program(policy))
