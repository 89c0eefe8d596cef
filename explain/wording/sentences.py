"""Conditions as sentences an analyst would write: no variable names, no logic showing through.

A fact reads as its predicate's template, a comparison as the fact with how its
value compares ("MIFI received the answer on 29 June 2026, on or before 3 July
2026"), a computed value with how it was computed ("1 May 2026 (60 days after
2 March 2026)"), and a quantified condition names its instances: `every` the
ones that satisfy it (or, when it fails, the ones that do not), `some` the one
that does, `number of` those it counts. A `some` clause's conditions share the
entity they are about ("no letter concerns app1 and is a rejection letter").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

from explain.derivation.graph import Graph
from explain.derivation.truth import truth, var_type
from explain.derivation.values import Plain, evaluate
from explain.wording.i18n import N_
from explain.wording.phrases import FLIP, IT, Phrases, uncap
from grammar.checks.checked import BUILTINS, CheckedPolicy
from grammar.typed import nodes as n
from grammar.typed.normal import walk_conds

Env = Mapping[str, Plain]
BUILTIN_WORDS = {
    "years_since": N_("completed years since %(start)s"),
    "months_since": N_("completed months since %(start)s"),
    "days_since": N_("days since %(start)s"),
    "years_between": N_("completed years from %(start)s to %(end)s"),
    "days_between": N_("days from %(start)s to %(end)s"),
}


class Sentences:
    def __init__(self, policy: CheckedPolicy, graph: Graph, ph: Phrases) -> None:
        self.policy, self.graph, self.ph = policy, graph, ph
        self._ = ph._
        self.sources: dict[str, n.Call] = {}  # a rule's variables and the facts that gave them their values
        self._sources_by_rule: dict[str, dict[str, n.Call]] = {}
        # An explanation words the same condition many times; the node is kept with its words, so that its id
        # stays its own.
        self._worded: dict[tuple[object, ...], tuple[n.Cond, str]] = {}

    @contextmanager
    def rule(self, rule_id: str) -> Iterator[None]:
        """While a rule's conditions are worded: `N <= 5` reads as the fact N came from."""
        saved = self.sources
        if rule_id not in self._sources_by_rule:
            self._sources_by_rule[rule_id] = sources_of(self.graph.rules[rule_id].rule)
        self.sources = self._sources_by_rule[rule_id]
        try:
            yield
        finally:
            self.sources = saved

    def value(self, t: n.Term, env: Env) -> Plain:
        g = self.graph
        return evaluate(t, env, g.policy, g.trace, g.today)

    # ------------------------------------------------------------ conditions
    def sentence(self, c: n.Cond, env: Env, *, failing: bool = False) -> str:
        """The condition as a sentence; `failing`: it does not hold, so `every` names the instances it fails on."""
        # The node, its variables' values (True is not 1 here) and the rule whose facts name its variables.
        key = (id(c), failing, id(self.sources), *((k, v, type(v)) for k, v in env.items()))
        found = self._worded.get(key)
        if found is None:
            found = self._worded[key] = (c, self._sentence(c, env, failing))
        return found[1]

    def _sentence(self, c: n.Cond, env: Env, failing: bool) -> str:
        if isinstance(c, n.Atom):
            return self.ph.fact(c.name, self.args(c.name, c.args, env), clause=True)
        if isinstance(c, n.Not):
            if isinstance(c.cond, n.Atom):
                return self.ph.not_fact(c.cond.name, self.args(c.cond.name, c.cond.args, env))
            if isinstance(c.cond, n.Some):
                return self.some(c.cond, env, negative=True)
            if (said := self.other_than(c, env)) is not None:
                return said
            return self.ph.negative(self.sentence(c.cond, env, failing=not failing))
        if isinstance(c, n.Compare):
            # `f(X) != v` that holds reads as compared ("a foreign national, not a Canadian citizen"); one that does
            # not, or is not known, as the value it excludes ("other than a permanent resident").
            if c.op == "!=" and truth(self.graph, c, env) is not True and (said := self.other_than(c, env)) is not None:
                return said
            return self.compare(c, env)
        if isinstance(c, n.And | n.Or):
            joiner = " " + (self._("and") if isinstance(c, n.And) else self._("or")) + " "
            first, *rest = self.items(c, env, failing)
            return joiner.join([first, *map(uncap, rest)])  # "… and the MIFI sent …", not "… and The MIFI sent …"
        if isinstance(c, n.Some):
            return self.some(c, env)
        return self.every(c, env, failing)

    def items(self, c: n.And | n.Or, env: Env, failing: bool) -> list[str]:
        """The items of `and` as sentences; those that each exclude a value of one fact said once, at the first:
        "MIFI's decision on app1: other than refused or rejected"."""
        excluded = {i: self.excluded(item, env) for i, item in enumerate(c.items)} if isinstance(c, n.And) else {}
        values: dict[tuple[str, tuple[Plain, ...]], list[Plain]] = {}
        for found in excluded.values():
            if found is not None:
                values.setdefault(found[:2], []).append(found[2])
        merged = {key: self.ph.fact_other_than(*key, found) for key, found in values.items() if len(found) > 1}
        out: list[str] = []
        said: set[tuple[str, tuple[Plain, ...]]] = set()
        for i, item in enumerate(c.items):
            found = excluded.get(i)
            key = found[:2] if found is not None else None
            text = merged.get(key) if key is not None else None
            if key is None or text is None:
                out.append(self.sentence(item, env, failing=failing))
            elif key not in said:
                out.append(text)
                said.add(key)
        return out

    def other_than(self, c: n.Cond, env: Env) -> str | None:
        """`not f(X) = v` or `f(X) != v` as the value it excludes: "MIFI's decision on app1: other than refused"."""
        excluded = self.excluded(c, env)
        return None if excluded is None else self.ph.fact_other_than(*excluded[:2], [excluded[2]])

    def excluded(self, c: n.Cond, env: Env) -> tuple[str, tuple[Plain, ...], Plain] | None:
        """`not f(X) = v`, or `f(X) != v`, v a value written in the rule: (f, X's value, v)."""
        if isinstance(c, n.Not) and isinstance(c.cond, n.Compare) and c.cond.op == "=":
            compared = c.cond
        elif isinstance(c, n.Compare) and c.op == "!=":
            compared = c
        else:
            return None
        for call, other in ((compared.left, compared.right), (compared.right, compared.left)):
            if is_fact(self.policy, call) and isinstance(other, n.Name):
                assert isinstance(call, n.Call)
                if self.policy.predicates[call.name].is_bool:
                    return None
                return call.name, self.args(call.name, call.args, env), self.value(other, env)
        return None

    def args(self, pred: str, terms: tuple[n.Term, ...], env: Env) -> tuple[Plain, ...]:
        """Arguments' values; a variable with none reads as "a letter" (see `said_of` for "that letter")."""
        params = self.policy.predicates[pred].params
        out: list[Plain] = []
        for t, p in zip(terms, params, strict=True):
            v = self.value(t, env)
            out.append(self.ph.some(p.type.name) if v is None else v)
        return tuple(out)

    # ------------------------------------------------------------ quantifiers
    def instances(self, var: n.Var, cond: n.Cond, env: Env) -> tuple[list[str], list[str]]:
        """The entities of the variable's type for which `cond` surely holds, and those for which it may."""
        kind = var_type(self.policy, cond, var.name)
        sure, maybe = [], []
        for e in self.graph.case.entities:
            if e.type != kind:
                continue
            holds = truth(self.graph, cond, {**env, var.name: e.id})
            if holds:
                sure.append(e.id)
            elif holds is None:
                maybe.append(e.id)
        return sure, maybe

    def names(self, ids: list[str]) -> str:
        return self.ph.listed([self.ph.value(i) for i in ids])

    def some(self, c: n.Some, env: Env, *, negative: bool = False) -> str:
        """`some L where …`, of the letter that satisfies it, named; `negative` (`not some`): "no letter …", and
        the letter that does when there is one."""
        return self.said_of(c, env, self.graph.witness(c, env), negative=negative)

    def said_of(self, c: n.Some, env: Env, entity: str | None, *, negative: bool) -> str:
        """A `some` clause, of the entity that satisfies it or, with none, of one of its type. When each of its
        conditions is said of that entity, they share it as their subject: "Letter 4 concerns app1 and is a
        rejection letter", "no letter concerns app1, is … and is dated …"; otherwise a nameless one is named once,
        then referred to: "the principal applicant of an application is Reza Karimi and MIFI sent the invitation
        for that application"."""
        items = c.cond.items if isinstance(c.cond, n.And) else (c.cond,)
        kind = var_type(self.policy, c.cond, c.var.name)
        if entity is not None and negative:  # "no letter …" as written, then the one there is
            return self.ph.one_is(self.said_of(c, env, None, negative=True), kind, self.ph.value(entity))
        if entity is not None:
            named = {**env, c.var.name: entity}
            subject = self.ph.value(entity)
            said = [self.sentence(item, named) for item in items]
            if len(said) > 1 and all(s.startswith(subject + " ") for s in said):
                return self.ph.finish(f"{subject} {self.ph.listed([s[len(subject) + 1 :] for s in said])}")
            return self.sentence(c.cond, named)
        nameless = {**{k: v for k, v in env.items() if k != c.var.name}, c.var.name: IT}
        said = [self.sentence(item, nameless) for item in items]
        positive = all(isinstance(item, n.Atom | n.Compare) for item in items)
        if all(s.startswith(IT + " ") and s.count(IT) == 1 for s in said) and (positive or not negative):
            return self.ph.shared_subject(kind, [s[len(IT) + 1 :] for s in said], negative=negative)
        text = self.sentence(c.cond, nameless)
        return self.ph.none_such(kind, text) if negative else self.ph.referred(kind, text)

    def every(self, c: n.Every, env: Env, failing: bool) -> str:
        inside, _ = self.instances(c.var, c.cond, env)
        if failing:
            missed = [i for i in inside if truth(self.graph, c.then, {**env, c.var.name: i}) is False]
            chosen = missed or inside
        else:
            chosen = inside
        if not chosen:
            condition = self.sentence(c.cond, {k: v for k, v in env.items() if k != c.var.name})
            return self._("none: %(condition)s") % {"condition": condition}
        if len(chosen) == 1:
            one = {**env, c.var.name: chosen[0]}
            return self.sentence(self.failed_part(c.then, one) if failing else c.then, one)
        return self.sentence(c.then, {**env, c.var.name: self.names(chosen)})

    def failed_part(self, c: n.Cond, env: Env) -> n.Cond:
        """Of a conjunction that fails, the conditions that do (the others hold and need no mention)."""
        if not isinstance(c, n.And):
            return c
        bound = dict(env)
        found = [(item, truth(self.graph, item, bound)) for item in c.items]
        failed = [item for item, t in found if t is False] or [item for item, t in found if t is None]
        return failed[0] if len(failed) == 1 else n.And(tuple(failed), c.span) if failed else c

    # ------------------------------------------------------------ comparisons
    def compare(self, c: n.Compare, env: Env) -> str:
        for call, other in ((c.left, c.right), (c.right, c.left)):
            if c.op == "=" and is_fact(self.policy, call):
                assert isinstance(call, n.Call)
                if (none := self.no_version(call, env)) is not None:
                    return none
                return self.ph.fact(
                    call.name, self.args(call.name, call.args, env), self.value(other, env), clause=True
                )
        c = n.Compare(c.op, self.source(c.left), self.source(c.right), c.span)
        left, right = self.value(c.left, env), self.value(c.right, env)
        dates = isinstance(left, dt.date) or isinstance(right, dt.date)
        for side, value, other, known, op in (
            (c.left, left, c.right, right, c.op),
            (c.right, right, c.left, left, FLIP[c.op]),
        ):
            # A fact of a `some` clause's entity has no value: "a letter is dated after 2 March 2026". Of two
            # facts with values, the first is said: "MIFI received the answer on 29 June 2026, on or before 3 July
            # 2026", not "29 June 2026 is on or before 3 July 2026".
            unvalued = is_fact(self.policy, other) and value is None and known is not None
            valued = value is not None and known is not None
            if is_fact(self.policy, side) and (not is_fact(self.policy, other) or unvalued or valued):
                assert isinstance(side, n.Call)
                if (none := self.no_version(side, env)) is not None:
                    return none
                args = self.args(side.name, side.args, env)
                # A value written in the rule is said as the fact's own values are: "not a Canadian citizen".
                said = self.ph.value(known, side.name) if isinstance(other, n.Name) else self.term(other, env)
                bound = f"{self.ph.relation(op, dates)} {said}"
                if unvalued and dates and (within := self.ph.fact_within(side.name, args, bound)) is not None:
                    return within
                fact = self.ph.fact(side.name, args, value, blank="…" if unvalued else None, clause=True)
                return self.ph.finish(f"{fact}, {bound}")
        return self.ph.finish(f"{self.term(c.left, env)} {self.ph.verb(c.op, dates)} {self.term(c.right, env)}")

    def no_version(self, call: n.Call, env: Env) -> str | None:
        """A value no rule gives because none of the versions concluding it is in force on the date they are
        chosen by: that, in words, instead of a value "not known"."""
        if self.value(call, env) is not None or self.policy.predicates[call.name].is_input:
            return None
        rules = [self.graph.rules[rid].rule for rid in self.graph.concluding.get(call.name, ())]
        windows = [r.in_force for r in rules]
        if not rules or any(w is None or (w.start is None and w.end is None) for w in windows):
            return None
        first = rules[0]
        head_env = {a.name: self.value(t, env) for a, t in zip(first.head.args, call.args, strict=True)}
        as_of = windows[0].as_of if windows[0] else None
        day = self.graph.today if as_of is None else self.value(as_of, head_env)
        if not isinstance(day, dt.date) or any(w is not None and w.covers(day) for w in windows):
            return None
        blank = self.ph.fact(call.name, self.args(call.name, call.args, env), blank="…", clause=True)
        parts = {"fact": blank, "rule": first.cited_as, "day": self.ph.the(day)}
        return self.ph.finish(self._("%(fact)s: no version of rule %(rule)s is in force on %(day)s") % parts)

    def source(self, t: n.Term) -> n.Term:
        """A variable that a fact gave its value: that fact, so that a comparison can say what it compares."""
        return self.sources.get(t.name, t) if isinstance(t, n.Var) else t

    def term(self, t: n.Term, env: Env) -> str:
        """A term as a reviewer reads it: its value, and how it was computed when it was."""
        if isinstance(t, n.AssessmentDate):
            return self.ph.assessment(self.graph.today)
        value = self.value(t, env)
        shown = self.ph.the(value) if value is not None else ""
        if isinstance(t, n.Var):
            return shown or "…"
        return self.ph.computed(shown, self.how(t, env)) if shown else self.how(t, env)

    def how(self, t: n.Term, env: Env) -> str:
        """How a computed value is obtained: "60 days after 2 March 2026", "completed years since ...", "…"."""
        if isinstance(t, n.BinOp) and isinstance(t.right, n.Duration):
            amount = t.right.amount if isinstance(t.right.amount, int) else self.value(t.right.amount, env)
            parts = {"span": self.ph.duration(amount if isinstance(amount, int) else None, t.right.unit)}
            parts["base"] = self.short(t.left, env)
            if t.op == "+":
                return self._("%(span)s after %(base)s") % parts
            return self._("%(span)s before %(base)s") % parts
        if isinstance(t, n.BinOp):
            return f"{self.short(t.left, env)} {t.op} {self.short(t.right, env)}"
        if isinstance(t, n.Call) and t.name in BUILTINS:
            return self.builtin(t, env)
        if isinstance(t, n.Count):
            found, _ = self.instances(t.var, t.cond, env)
            return self.names(found)
        return ""

    def short(self, t: n.Term, env: Env) -> str:
        if isinstance(t, n.AssessmentDate):
            return self.ph.assessment()
        value = self.value(t, env)
        return self.ph.the(value) if value is not None else self.how(t, env)

    def builtin(self, t: n.Call, env: Env) -> str:
        dates = [self.short(a, env) for a in t.args]
        return self._(BUILTIN_WORDS[t.name]) % {"start": dates[0], "end": dates[-1]}


def sources_of(rule: n.Rule) -> dict[str, n.Call]:
    """`f(X) = V` anywhere in the rule's conditions: V comes from the fact f(X)."""
    found: dict[str, n.Call] = {}
    for cond in (rule.body, *rule.exceptions):
        for c in walk_conds(cond) if cond is not None else ():
            if isinstance(c, n.Compare) and c.op == "=":
                for var, other in ((c.left, c.right), (c.right, c.left)):
                    if isinstance(var, n.Var) and isinstance(other, n.Call) and var.name not in found:
                        found[var.name] = other
    return found


def is_fact(policy: CheckedPolicy, t: n.Term) -> bool:
    return isinstance(t, n.Call) and t.name in policy.predicates
