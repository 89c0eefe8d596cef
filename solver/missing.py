"""The smallest sets of unknown facts that would decide an undetermined verdict.

A set S decides a verdict when any two completions of the case that agree on
S agree on the verdict. We look for such sets with clingo alone, as an
implicit hitting-set search:

- the case is grounded twice (copies 0 and 1) with the facts in S tied
  between the copies; an optimising solve finds two completions that differ
  on the verdict with as few differing unknown facts as possible;
- those differing facts form a set that every deciding S must hit; a second
  small optimisation proposes every smallest S hitting all sets found so far;
- a proposal with no counterexample decides the verdict.
"""

from __future__ import annotations

from clingo import Function, Number, Symbol

from grammar import nodes as n
from grammar.checked import CheckedPolicy, CheckedRule
from grammar.stratify import rule_deps
from solver.answer import fact_text
from solver.case import Case
from solver.emit import AspProgram
from solver.run import control, new_control, subject_tuple

MAX_ROUNDS = 40
MAX_SETS = 6


def _meta(policy: CheckedPolicy) -> str:
    lines = ["#external _inS((P,A)) : _unknown(0,P,A)."]
    for pred in policy.inputs():
        xs = ",".join(f"X{i}" for i in range(len(pred.params)))
        tup = f"({xs},)" if len(pred.params) == 1 else f"({xs})"
        u = f"_unknown(0,{pred.name},{tup})"
        if pred.is_bool:
            for a, b in ((0, 1), (1, 0)):
                lines.append(f"_din(({pred.name},{tup})) :- {u}, {pred.name}({a},{xs}), not {pred.name}({b},{xs}).")
        elif isinstance(pred.value, n.EnumType | n.EntityType):
            lines.append(f"_din(({pred.name},{tup})) :- {u}, {pred.name}(0,{xs},V), not {pred.name}(1,{xs},V).")
    lines += [
        "_tdif(T) :- _ask(0,T), _ask(1,T), _tv(0,T), not _tv(1,T).",
        "_tdif(T) :- _ask(0,T), _ask(1,T), _tv(1,T), not _tv(0,T).",
        "_tdep(T,U) :- _ask(C,T), C = 0..1, U = @unknowns(T).",
        "_tfree(T) :- _tdep(T,U), not _inS(U).",
        ":- _tdif(T), not _tfree(T).",
        ":- _din(U), _inS(U).",
        "_dU(U) :- _din(U).",
        "_dU(U) :- _tdif(T), _tdep(T,U), not _inS(U).",
        ":- not _odiff.",
        "#minimize { 1,U : _dU(U) }.",
        "#show _dU/1.",
    ]
    for pred in policy.verdicts():
        xs = ",".join(f"X{i}" for i in range(len(pred.params)))
        tup = f"({xs},)" if len(pred.params) == 1 else f"({xs})"
        dom = ", ".join(f"_entity(0,{p.type.name},X{i})" for i, p in enumerate(pred.params))
        target = f"_target({pred.name},{tup})"
        lines.append(f"#external {target} : {dom}.")
        if pred.is_bool:
            lines.append(f"_odiff :- {target}, {pred.name}(0,{xs}), not {pred.name}(1,{xs}).")
        else:
            lines.append(f"_odiff :- {target}, {pred.name}(0,{xs},V), not {pred.name}(1,{xs},V).")
            lines.append(f"_odiff :- {target}, {pred.name}(0,{xs},V), U = @unknowns(V), not _inS(U).")
            lines.append(f"_dU(U) :- {target}, {pred.name}(C,{xs},V), C = 0..1, U = @unknowns(V), not _inS(U).")
    return "\n".join(lines) + "\n"


def inputs_read(policy: CheckedPolicy, verdict: str) -> frozenset[str]:
    """The input predicates a verdict can depend on, through its rules, exceptions and priorities."""
    by_head: dict[str, list[CheckedRule]] = {}
    for cr in policy.rules:
        by_head.setdefault(cr.rule.head.name, []).append(cr)
    by_id = {cr.id: cr for cr in policy.rules}
    seen, stack = set(), [verdict]
    while stack:
        pred = stack.pop()
        if pred in seen:
            continue
        seen.add(pred)
        for cr in by_head.get(pred, []):
            rules = [cr.rule, *(by_id[h].rule for h in cr.overridden_by)]
            stack.extend(p for r in rules for p, _ in rule_deps(r))
    return frozenset(p for p in seen if p in policy.predicates and policy.predicates[p].is_input)


class MissingFinder:
    """Grounds one case twice, then answers for any of its verdicts."""

    def __init__(self, program: AspProgram, policy: CheckedPolicy, case: Case) -> None:
        self.policy = policy
        # Only `_dU` is shown (the meta program's own #show): models stay small.
        self.ctl = control(program, policy, [(Number(0), case), (Number(1), case)], extra=_meta(policy), show=None)
        self.ctl.configuration.solve.opt_mode = "opt"  # type: ignore[union-attr]
        self.unknowns = sorted(
            Function("", [a.symbol.arguments[1], a.symbol.arguments[2]])
            for a in self.ctl.symbolic_atoms.by_signature("_unknown", 3)
            if a.symbol.arguments[0] == Number(0)
        )
        atoms = self.ctl.symbolic_atoms
        # Literals and names looked up once: symbol access through clingo's API is what costs here.
        self.pred_of = {u: u.arguments[0].name for u in self.unknowns}
        self.in_s = {u: atoms[Function("_inS", [u])].literal for u in self.unknowns}
        self.targets = {a.symbol: a.literal for a in atoms.by_signature("_target", 2)}
        self.state: dict[int, bool] = {}
        self.reads: dict[str, frozenset[str]] = {}

    def _assign(self, literal: int, value: bool) -> None:
        if self.state.get(literal) != value:
            self.ctl.assign_external(literal, value)
            self.state[literal] = value

    def find(self, verdict: str, subject: tuple[str, ...]) -> tuple[tuple[str, ...], ...]:
        target = Function("_target", [Function(verdict), subject_tuple(subject)])
        for t, literal in self.targets.items():
            self._assign(literal, t == target)
        # Facts the verdict cannot read are tied between the copies: they never make a difference.
        if verdict not in self.reads:
            self.reads[verdict] = inputs_read(self.policy, verdict)
        read = self.reads[verdict]
        relevant = [u for u in self.unknowns if self.pred_of[u] in read]
        tied = frozenset(u for u in self.unknowns if self.pred_of[u] not in read)
        found: list[frozenset[Symbol]] = []
        for _ in range(MAX_ROUNDS):
            proposals = _smallest_hitting_sets(relevant, found)
            fresh = [c for s in proposals if (c := self._counterexample(s | tied)) is not None]
            if not fresh:
                return tuple(sorted(tuple(sorted(_text(u) for u in s)) for s in proposals[:MAX_SETS]))
            found.extend(fresh)
        return ()

    def _counterexample(self, chosen: frozenset[Symbol]) -> frozenset[Symbol] | None:
        for u in self.unknowns:
            self._assign(self.in_s[u], u in chosen)
        best: frozenset[Symbol] | None = None
        with self.ctl.solve(yield_=True) as handle:
            for model in handle:
                best = frozenset(s.arguments[0] for s in model.symbols(shown=True))
        return best


def _text(u: Symbol) -> str:
    pred, args = u.arguments
    return fact_text(pred.name, tuple(a.string for a in args.arguments))


def _smallest_hitting_sets(universe: list[Symbol], sets: list[frozenset[Symbol]]) -> list[frozenset[Symbol]]:
    if not sets:
        return [frozenset()]
    ctl, _ = new_control(["--opt-mode=optN", "0"])
    ctl.add(
        "base",
        [],
        "{ s(U) : unk(U) }. hit(I) :- set(I,U), s(U). :- set(I,_), not hit(I). #minimize { 1,U : s(U) }. #show s/1.",
    )
    with ctl.backend() as b:
        for u in universe:
            b.add_rule([b.add_atom(Function("unk", [u]))])
        for i, s in enumerate(sets):
            for u in s:
                b.add_rule([b.add_atom(Function("set", [Number(i), u]))])
    ctl.ground([("base", [])])
    optimal: list[frozenset[Symbol]] = []
    with ctl.solve(yield_=True) as handle:
        for model in handle:
            if model.optimality_proven:
                optimal.append(frozenset(s.arguments[0] for s in model.symbols(shown=True)))
    return optimal
