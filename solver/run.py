"""Grounding and solving: many cases in one clingo call, three-valued verdicts."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import clingo
from clingo import Function, Number, String, Symbol, SymbolType, Tuple_

from grammar import nodes as n
from grammar.checked import CheckedPolicy
from solver import calendar
from solver.answer import Decision, Verdict, Violation, fact_text
from solver.case import Case
from solver.context import Context
from solver.emit import AspProgram
from solver.names import args_tuple, decode, encode


class InternalError(Exception):
    """A fault in generated code, never in the user's input: names the stage and cause."""


class Messages:
    """Collects clingo's messages: raising inside its logger would abort the process."""

    def __init__(self) -> None:
        self.errors: list[str] = []

    def __call__(self, code: clingo.MessageCode, message: str) -> None:
        if code == clingo.MessageCode.RuntimeError:
            self.errors.append(message)

    def fail(self, stage: str, err: RuntimeError) -> InternalError:
        detail = "; ".join(self.errors) or str(err)
        return InternalError(f"clingo rejected the {stage}: {detail}")


def new_control(arguments: list[str]) -> tuple[clingo.Control, Messages]:
    messages = Messages()
    return clingo.Control([*arguments, "--warn=none"], logger=messages, message_limit=20), messages


def add_case(backend: clingo.Backend, policy: CheckedPolicy, case: Case, cid: Symbol) -> None:
    """A case's facts, as symbols through the backend: nothing is pasted as text."""

    def fact(name: str, *args: Symbol) -> None:
        backend.add_rule([backend.add_atom(Function(name, [cid, *args]))])

    fact("_case")
    fact("_today", Number(calendar.to_day(case.assessment_date)))
    for e in case.entities:
        fact("_entity", Function(e.type), String(e.id))
    for f in case.facts:
        pred = policy.predicates[f.pred]
        fact("_given", Function(f.pred), args_tuple(f.args))
        if pred.is_bool:
            if f.value is True:
                fact(f.pred, *(String(a) for a in f.args))
        else:
            fact(f.pred, *(String(a) for a in f.args), encode(f.value, pred.value))
    for c in case.closed:
        fact("_closed", Function(c.pred), String(c.first))


def show_directives(policy: CheckedPolicy, extra: Iterable[str] = ()) -> str:
    shows = [f"#show {p.name}/{len(p.params) + 1 + (0 if p.is_bool else 1)}." for p in policy.verdicts()]
    shows += ["#show _fired/4.", "#show _unknown/3.", "#show _violated/3.", *extra]
    return "\n".join(shows)


@dataclass
class Consequences:
    brave: set[Symbol]
    cautious: set[Symbol]


def control(
    program: AspProgram,
    policy: CheckedPolicy,
    cases: Sequence[tuple[Symbol, Case]],
    extra: str = "",
    show: Iterable[str] | None = (),
) -> clingo.Control:
    ctl, messages = new_control([])
    shows = "" if show is None else show_directives(policy, show)  # None: every atom is shown
    try:
        ctl.add("base", [], program.text + shows + "\n" + extra)
        with ctl.backend() as backend:
            for cid, case in cases:
                add_case(backend, policy, case, cid)
        ctl.ground([("base", [])], context=Context())
    except RuntimeError as err:
        raise messages.fail("compiled program", err) from None
    return ctl


def consequences(ctl: clingo.Control) -> Consequences:
    """Brave and cautious consequences; one solve when the cases have no unknowns."""
    first: list[Symbol] = []
    with ctl.solve(yield_=True) as handle:
        for model in handle:
            first = model.symbols(shown=True)
            break
    has_choices = any(s.name in ("_unknown",) for s in first) or any(
        a.symbol.name == "_ask" for a in ctl.symbolic_atoms.by_signature("_ask", 2)
    )
    if not has_choices:
        certain = set(first)
        return Consequences(certain, certain)
    result = []
    for mode in ("brave", "cautious"):
        ctl.configuration.solve.enum_mode = mode  # type: ignore[union-attr]
        ctl.configuration.solve.models = 0  # type: ignore[union-attr]
        last: list[Symbol] = []
        with ctl.solve(yield_=True) as handle:
            for model in handle:
                last = model.symbols(shown=True)
        result.append(set(last))
    return Consequences(result[0], result[1])


def _strings(t: Symbol) -> tuple[str, ...]:
    return tuple(a.string for a in t.arguments)


CASE_SECOND = frozenset({"_fired", "_violated", "_cond", "_app", "_exc", "_def"})


@dataclass
class _Index:
    """One case's atoms from brave and cautious consequences, by predicate."""

    brave: dict[str, list[Symbol]] = field(default_factory=lambda: defaultdict(list))
    cautious: dict[str, list[Symbol]] = field(default_factory=lambda: defaultdict(list))


def by_case(cons: Consequences) -> dict[Symbol, _Index]:
    """Consequences split by case, in one pass over them (one pass in all when they agree)."""
    out: dict[Symbol, _Index] = defaultdict(_Index)
    same = cons.brave is cons.cautious
    for kind, atoms in (("brave", cons.brave),) if same else (("brave", cons.brave), ("cautious", cons.cautious)):
        for s in atoms:
            args = s.arguments
            at = 1 if s.name in CASE_SECOND else 0
            if len(args) > at:
                getattr(out[args[at]], kind)[s.name].append(s)
    if same:
        for idx in out.values():
            idx.cautious = idx.brave
    return out


def decode_case(policy: CheckedPolicy, case: Case, idx: _Index) -> Decision:
    heads = {cr.id: cr.rule.head.name for cr in policy.rules}
    brave_fired = _fired(idx.brave["_fired"], heads)
    cautious_fired = brave_fired if idx.cautious is idx.brave else _fired(idx.cautious["_fired"], heads)
    verdicts: list[Verdict] = []
    conflicts = []
    for pred in policy.verdicts():
        brave = _by_subject(idx.brave[pred.name], pred)
        cautious = _by_subject(idx.cautious[pred.name], pred)
        subjects = set(brave)
        if len(pred.params) == 1:
            subjects |= {(e.id,) for e in case.entities if e.type == pred.params[0].type.name}
        fired_b, fired_c = brave_fired.get(pred.name, {}), cautious_fired.get(pred.name, {})
        for subject in sorted(subjects):
            v = _verdict(pred, subject, brave.get(subject, set()), cautious.get(subject, set()), fired_b, fired_c)
            verdicts.append(v)
            values = cautious.get(subject, set())
            if len(values) > 1:
                conflicts.append((pred.name, subject, tuple(sorted(str(x) for x in values))))
    unknowns = tuple(sorted(fact_text(s.arguments[1].name, _strings(s.arguments[2])) for s in idx.cautious["_unknown"]))
    violations = _violations(idx)
    return Decision(case.id, policy.hash, tuple(verdicts), unknowns, violations, tuple(conflicts))


Fired = dict[tuple[str, tuple[str, ...]], list[tuple[str, Symbol]]]


def _fired(atoms: list[Symbol], heads: dict[str, str]) -> dict[str, Fired]:
    """Support atoms by the predicate their rule concludes, then by (rule, subject)."""
    out: dict[str, Fired] = defaultdict(lambda: defaultdict(list))
    for s in atoms:
        rule, _, key, value = s.arguments
        rid = rule.string
        out[heads[rid]][(rid, _strings(key))].append((rid, value))
    return out


def _by_subject(atoms: list[Symbol], pred: n.Predicate) -> dict[tuple[str, ...], set[Symbol]]:
    out: dict[tuple[str, ...], set[Symbol]] = defaultdict(set)
    arity = len(pred.params)
    for s in atoms:
        subject = tuple(a.string for a in s.arguments[1 : 1 + arity])
        out[subject].add(s.arguments[1 + arity] if not pred.is_bool else Function("true"))
    return out


def _rules_for(fired: dict, pred: n.Predicate, subject: tuple[str, ...], value: Symbol | None) -> tuple[str, ...]:
    rules = set()
    for (_rule, key), entries in fired.items():
        if key != subject:
            continue
        for rid, v in entries:
            if value is None or v == value:
                rules.add(rid)
    return tuple(sorted(rules))


def _verdict(
    pred: n.Predicate, subject: tuple[str, ...], brave: set[Symbol], cautious: set[Symbol], fired_b: dict, fired_c: dict
) -> Verdict:
    concluders = {r for (r, k) in fired_b if k == subject}
    fb = {k: v for k, v in fired_b.items() if k[0] in concluders and k[1] == subject}
    fc = {k: v for k, v in fired_c.items() if k[0] in concluders and k[1] == subject}
    if not brave:
        return Verdict(pred.name, subject, "fails", None, ())
    if pred.is_bool:
        if cautious:
            return Verdict(pred.name, subject, "holds", True, _rules_for(fc, pred, subject, None))
        return Verdict(pred.name, subject, "undetermined", None, _rules_for(fb, pred, subject, None))
    if cautious and brave == cautious:
        value = sorted(cautious, key=str)[0]
        decoded = decode(value, pred.value)
        if value.type != SymbolType.Function or not value.arguments:
            return Verdict(pred.name, subject, "holds", decoded, _rules_for(fc, pred, subject, value))
    return Verdict(pred.name, subject, "undetermined", None, _rules_for(fb, pred, subject, None))


def _violations(idx: _Index) -> tuple[Violation, ...]:
    certain = set(idx.cautious["_violated"])
    out = []
    for s in sorted(set(idx.brave["_violated"]), key=str):
        inv, _, binds = s.arguments
        values = tuple(str(a.string if a.type == SymbolType.String else a) for a in binds.arguments)
        out.append(Violation(inv.string, values, s in certain))
    return tuple(out)


def case_symbol(index: int) -> Symbol:
    return Number(index)


def subject_tuple(subject: tuple[str, ...]) -> Symbol:
    return Tuple_([String(s) for s in subject])
