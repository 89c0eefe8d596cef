"""The derivation graph: what justifies each verdict, read back from the support atoms.

For a conclusion: the rule instance that concluded it, its conditions with
their values, the inputs they read (and where each came from), the derived
facts they rest on (recursively), the exceptions checked, and the rules it
prevailed over. For "why not": per rule that could have concluded it, the
first condition that failed, the exception that applied, or the rule that took
priority. Only what justifies the verdict is kept.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from explain.derivation.depths import MAX_DEPTH, NESTED_DEPTH, Depths, Kept
from explain.derivation.rules import RuleTables
from explain.derivation.truth import truth, var_type
from explain.derivation.values import Plain, as_value, evaluate
from grammar.checks.checked import CheckedPolicy, CheckedRule
from grammar.typed import nodes as n
from grammar.typed.normal import Branch
from solver.cases.case import Case
from solver.solve.trace import Trace, Value

Origin = Literal["stated", "finding", "default", "list", "unknown"]


@dataclass(frozen=True, slots=True)
class Input:
    pred: str
    args: tuple[str, ...]
    value: Plain  # True/False for yes/no inputs
    origin: Origin


@dataclass(frozen=True, slots=True)
class Condition:
    literal: n.Cond
    env: tuple[tuple[str, Plain], ...]
    holds: bool
    inputs: tuple[Input, ...] = ()
    because: tuple[Derivation, ...] = ()
    failures: tuple[Failure, ...] = ()  # for a failed condition on a derived fact: why that failed
    unmet: tuple[Condition, ...] = ()  # for an unmet condition on a derived fact: every condition it does not meet

    @property
    def values(self) -> dict[str, Plain]:
        return dict(self.env)


@dataclass(frozen=True, slots=True)
class Derivation:
    rule: str
    predicate: str
    subject: tuple[str, ...]
    value: Plain
    conditions: tuple[Condition, ...]
    exceptions: tuple[Condition, ...]  # checked, did not apply
    prevailed_over: tuple[str, ...]  # rules that applied too, but this one has priority
    way: tuple[int, int] = (0, 1)  # which branch of an `or` in the rule's conditions held, of how many
    computed: Condition | None = None  # a value computed from facts (`age(P) = years_since(birth_date(P))`)


@dataclass(frozen=True, slots=True)
class Failure:
    rule: str
    reason: Literal["condition", "exception", "priority"]
    condition: Condition | None  # the condition that failed, or the exception that applied
    by: str | None = None  # the rule that took priority


class Graph:
    """Builds derivations and failures for one case from its trace."""

    def __init__(self, policy: CheckedPolicy, trace: Trace, case: Case, tables: RuleTables) -> None:
        self.policy, self.trace, self.case, self.tables = policy, trace, case, tables
        self.chains = tables.chains
        self.today: dt.date = case.assessment_date
        self.rules = tables.rules
        self.concluding = tables.concluding
        self.stated = {(f.pred, f.args): f.value for f in case.facts}
        self.closed = {(c.pred, c.first) for c in case.closed}
        # A verdict's explanation reads the same derived facts again and again, at many depths: each is worked out
        # once for every depth it reads the same at (explain.derivation.depths).
        self._depths = Depths()
        self._derived: dict[object, list[Kept[tuple[Derivation, ...]]]] = {}
        self._failed: dict[object, list[Kept[tuple[Failure, ...]]]] = {}

    # ------------------------------------------------------------ conclusions
    def derive(
        self, pred: str, subject: tuple[str, ...], value: Plain = True, depth: int = 0, *, possible: bool = False
    ) -> tuple[Derivation, ...]:
        """Every rule instance that concluded `pred(subject) = value` in every completion (in some, if `possible`)."""
        key = (pred, subject, type(value), value, possible)  # True is not 1
        return self._depths.kept(self._derived, key, depth, lambda: self._derive(pred, subject, value, depth, possible))

    def _derive(
        self, pred: str, subject: tuple[str, ...], value: Plain, depth: int, possible: bool
    ) -> tuple[Derivation, ...]:
        out = []
        holds = self.trace.may_hold if possible else self.trace.holds
        fired = [a for rid in self.concluding.get(pred, ()) for a in self.trace.atoms_from("_fired", rid, subject)]
        for rule, key, raw in sorted(fired, key=lambda a: repr(("_fired", a))):
            cr = self.rules[str(rule)]
            if not holds("_fired", (rule, key, raw)):
                continue
            if self._value(cr, raw) != value:
                continue
            derivation = self._derivation(cr, subject, raw, depth, possible)
            if derivation is not None:
                out.append(derivation)
        return tuple(out)

    def branches(self, cr: CheckedRule) -> list[Branch]:
        """The ways a rule's conditions can hold (its `or` parts spread out), as the compiler numbers them."""
        return self.tables.branches[cr.id]

    def _value(self, cr: CheckedRule, raw: Value) -> Plain:
        decl = self.policy.predicates[cr.rule.head.name]
        return True if decl.is_bool else as_value(raw, decl.value)

    def _derivation(
        self, cr: CheckedRule, subject: tuple[str, ...], raw: Value, depth: int, possible: bool = False
    ) -> Derivation | None:
        rule = cr.rule
        branches = self.branches(cr)
        holds = self.trace.may_hold if possible else self.trace.holds
        for args in self.trace.atoms_from("_cond", cr.id, subject):
            _, _, value, b, bindings = args
            if value != raw or not holds("_cond", args):
                continue
            names = self.tables.layouts[(cr.id, int(b))]  # type: ignore[arg-type]
            env = self._env(cr, dict(zip(names, bindings, strict=True)))  # type: ignore[arg-type]
            conditions = tuple(self.condition(lit, env, cr, depth) for lit in branches[int(b)])  # type: ignore[arg-type]
            head_env = {a.name: env[a.name] for a in rule.head.args}
            exceptions = tuple(self.condition(e, head_env, cr, depth, holds=False) for e in rule.exceptions)
            beaten = tuple(
                low for low in self.tables.below.get(cr.id, ()) if self.trace.atoms_from("_app", low, subject)
            )
            value = self._value(cr, raw)
            way = (int(b), len(branches))  # type: ignore[arg-type]
            computed = self._computed(cr, env, depth)
            return Derivation(cr.id, rule.head.name, subject, value, conditions, exceptions, beaten, way, computed)
        return None

    def _computed(self, cr: CheckedRule, env: Mapping[str, Plain], depth: int) -> Condition | None:
        """A conclusion's value computed from facts, as a condition reading them (their inputs, their rules)."""
        reading = self.tables.readings.get(cr.id)
        return None if reading is None else self.condition(reading, env, cr, depth)

    def _env(self, cr: CheckedRule, raw: Mapping[str, Value]) -> dict[str, Plain]:
        return {v: as_value(x, cr.var_types.get(v)) for v, x in raw.items()}

    # ------------------------------------------------------------ conditions
    def condition(
        self, lit: n.Cond, env: Mapping[str, Plain], cr: CheckedRule, depth: int, holds: bool = True
    ) -> Condition:
        shown = tuple((v, env[v]) for v in sorted(env))
        self._depths.condition(depth)
        if depth >= MAX_DEPTH:
            return Condition(lit, shown, holds)
        inputs: list[Input] = []
        because: list[Derivation] = []
        negated = isinstance(lit, n.Not)
        target = lit.cond if isinstance(lit, n.Not) else lit
        if isinstance(target, n.Atom):
            args = tuple(evaluate(a, env, self.policy, self.trace, self.today) for a in target.args)
            self._read(target.name, args, None, not negated if holds else negated, inputs, because, depth)
        if isinstance(target, n.Atom | n.Compare):
            for t in self.tables.calls(target):
                args = tuple(evaluate(a, env, self.policy, self.trace, self.today) for a in t.args)
                value = evaluate(t, env, self.policy, self.trace, self.today)
                self._read(t.name, args, value, True, inputs, because, depth)
        if isinstance(target, n.Some) and holds != negated:  # there is one (a `not some` fails): its facts
            found = self.witness(target, env)
            if found is not None:
                named = {**env, target.var.name: found}
                for item in target.cond.items if isinstance(target.cond, n.And) else (target.cond,):
                    part = self.condition(item, named, cr, depth)
                    inputs += part.inputs
                    because += part.because
        return Condition(lit, shown, holds, tuple(dict.fromkeys(inputs)), tuple(because))

    def witness(self, c: n.Some, env: Mapping[str, Plain]) -> str | None:
        """The first entity of the case (in its order) for which the `some` clause surely holds."""
        kind = var_type(self.policy, c.cond, c.var.name)
        for e in self.case.entities:
            if e.type == kind and truth(self, c.cond, {**env, c.var.name: e.id}):
                return e.id
        return None

    def _read(
        self,
        pred: str,
        args: tuple[Plain, ...],
        value: Plain,
        present: bool,
        inputs: list[Input],
        because: list[Derivation],
        depth: int,
    ) -> None:
        decl = self.policy.predicates[pred]
        if not all(isinstance(a, str) for a in args):
            return
        key: tuple[str, ...] = tuple(a for a in args if isinstance(a, str))
        if decl.is_input:
            inputs.append(self.input(pred, key, value if not decl.is_bool else present))
        elif present:
            because.extend(self.derive(pred, key, True if decl.is_bool else value, depth + 1))

    def input(self, pred: str, args: tuple[str, ...], value: Plain) -> Input:
        decl = self.policy.predicates[pred]
        if (pred, args) in self.stated:
            return Input(pred, args, self.stated[(pred, args)], "finding" if decl.kind == "judged" else "stated")
        if decl.is_bool and len(args) > 1 and (pred, args[0]) in self.closed:
            return Input(pred, args, False, "list")
        if decl.default_false:
            return Input(pred, args, False, "default")
        return Input(pred, args, value, "unknown")

    # ------------------------------------------------------------ why not
    def why_not(self, pred: str, subject: tuple[str, ...], value: Plain = None, depth: int = 0) -> tuple[Failure, ...]:
        """For each rule that could conclude `pred(subject)` (= value), why it did not."""
        key = (pred, subject, type(value), value)
        return self._depths.kept(self._failed, key, depth, lambda: self._why_not(pred, subject, value, depth))

    def _why_not(self, pred: str, subject: tuple[str, ...], value: Plain, depth: int) -> tuple[Failure, ...]:
        out: list[Failure] = []
        for rule_id in self.concluding.get(pred, ()):
            cr = self.rules[rule_id]
            if self._could_give(cr.rule.head, value):
                out.extend(self._rule_failures(cr, subject, depth))
        return tuple(out)

    def _could_give(self, head: n.Head, value: Plain) -> bool:
        return value is None or value is True or not isinstance(head.value, n.Name) or head.value.name == value

    def _rule_failures(self, cr: CheckedRule, subject: tuple[str, ...], depth: int) -> list[Failure]:
        # Only a rule under a priority can be defeated (its `_app` layer: solver.compile.emit).
        defeated = bool(cr.overridden_by) and self.trace.holds("_def", (cr.id, subject))
        if defeated and self.trace.atoms_from("_app", cr.id, subject):
            by = next(
                (h for h in cr.overridden_by if self.trace.atoms_from("_app", h, subject)),
                None,
            )
            return [Failure(cr.id, "priority", None, by)]
        head_env = dict(zip((a.name for a in cr.rule.head.args), subject, strict=True))
        conds = [c for c in self.trace.atoms_from("_cond", cr.id, subject) if self.trace.holds("_cond", c)]
        if conds:
            for j, exc in enumerate(cr.rule.exceptions, 1):
                if self.trace.holds("_exc", (cr.id, j, subject)):
                    return [Failure(cr.id, "exception", self.condition(exc, head_env, cr, depth))]
            return []  # its conditions hold: it concluded, or it depends on unknown facts
        found = [f for b in range(len(self.branches(cr))) if (f := self._first_failed(cr, b, subject, depth))]
        # Branches of an `or` often fail at the same condition: say it once.
        return list({(f.condition.literal.span, f.condition.env) if f.condition else f.rule: f for f in found}.values())

    def furthest(self, cr: CheckedRule, branch: int, subject: tuple[str, ...]) -> tuple[int, list[dict[str, Plain]]]:
        """The first condition of a branch that no completion gets past, with the values of those before it
        (one set of values per way of getting there); -1 when the branch does not fail."""
        chain = self.chains[(cr.id, branch)]
        reached = [a for a in self.trace.atoms_from("_prelast", cr.id, branch) if a[3] == subject]
        if not reached and len(set(chain.head_vars)) == len(chain.head_vars):
            reached = [(cr.id, branch, 0, subject, subject)]  # step 0, not shown: it holds for every subject
        furthest = max((int(a[2]) for a in reached), default=-1)  # type: ignore[arg-type]
        if furthest < 0 or furthest >= len(chain.steps):
            return -1, []
        names = chain.steps[furthest - 1].vars if furthest else chain.head_vars
        envs = [
            self._env(cr, dict(zip(names, a[4], strict=True)))  # type: ignore[arg-type]
            for a in reached
            if int(a[2]) == furthest  # type: ignore[arg-type]
        ]
        return furthest, envs

    def _first_failed(self, cr: CheckedRule, branch: int, subject: tuple[str, ...], depth: int) -> Failure | None:
        furthest, envs = self.furthest(cr, branch, subject)
        if furthest < 0:
            return None
        step = self.chains[(cr.id, branch)].steps[furthest]
        env = envs[0]
        failed = self.condition(step.literal, env, cr, depth, holds=False)
        nested = self._nested_failures(step.literal, env, depth)
        # Kept: how the derived facts it reads hold (`because`: X where `not X` failed, a value compared); a failed
        # X is explained in turn (`nested`).
        kept = Condition(failed.literal, failed.env, False, failed.inputs, failed.because, nested)
        return Failure(cr.id, "condition", kept)

    def _nested_failures(self, lit: n.Cond, env: Mapping[str, Plain], depth: int) -> tuple[Failure, ...]:
        """A failed condition on a derived fact is explained in turn, a few levels deep."""
        if not isinstance(lit, n.Atom):
            return ()
        self._depths.nested(depth)
        if depth >= NESTED_DEPTH:
            return ()
        decl = self.policy.predicates[lit.name]
        if decl.is_input:
            return ()
        args = tuple(evaluate(a, env, self.policy, self.trace, self.today) for a in lit.args)
        if not all(isinstance(a, str) for a in args):
            return ()
        return self.why_not(lit.name, tuple(str(a) for a in args), None, depth + 1)
