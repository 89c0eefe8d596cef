"""Consistency checking for testers: conflicts, gaps, broken invariants, dead rules, uncited sources.

The two static analyses (`unused-input`, `unused-source`) read the AST. All
the others run on ONE grounding of the compiled program over the symbolic
universe (solver/universe.py), with helper atoms:

    _h_fires(R)    :- _fired(R,C,K,V).                             dead-rule when impossible
    _h_blocks(R,J) :- _cond(R,C,K,_,_,_), _exc(R,J,C,K).            dead-exception when impossible
    _h_both(H,L)   :- _h_prio(H,L), _app(H,C,K,_), _app(L,C,K,_).   dead-priority when impossible
    _h_alone(R)    :- _fired(R,C,K,V), not _h_other(R,C,K,V).       never-decisive when impossible
    _h_conflict(v) :- <subject>, 2 #count { V : v(C,X..,V) }.
    _h_violated(I) :- _violated(I,C,B).
    _h_gap(v)      :- _applies(v,C,K), not _h_hasval(v,C,K).

One brave-consequence solve says which helper atoms are possible at all. For
each possible conflict, broken invariant and gap, an optimising solve with a
time limit finds a small witness (few entities, few true facts, values near
the boundaries). The witness is written as a complete case, decided through
the normal path (`decide_many`), and reported only if the problem shows there.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import clingo
from clingo import Function, Number, String, Symbol, SymbolType

from grammar import nodes as n
from grammar import pretty
from grammar.checked import CheckedPolicy
from grammar.normal import walk_conds, walk_terms
from grammar.source import Span
from solver.answer import Decision
from solver.case import Case, CaseError
from solver.context import Context
from solver.decide import decide_many
from solver.emit import AspProgram, tuple_text
from solver.names import CASE, decode, rule_term, show_value
from solver.run import add_case, consequences, control, new_control
from solver.universe import (
    Universe,
    Witness,
    case_document,
    case_of,
    expectations,
    smallness,
    universe_program,
)

CODES = (
    "conflict",
    "invariant-broken",
    "gap",
    "dead-rule",
    "dead-exception",
    "dead-priority",
    "never-decisive",
    "unused-input",
    "unused-source",
)
EXISTENTIAL = ("conflict", "invariant-broken", "gap")
CID = Number(0)


@dataclass(frozen=True)
class Finding:
    code: str
    severity: str  # error: a case decides wrongly; warning: dead or redundant text
    message: str
    subject: str  # the verdict, invariant, rule, `HIGH over LOW`, input, source or provision concerned
    rule: str | None
    span: Span | None
    case: Case | None = None
    document: dict[str, Any] | None = field(default=None, compare=False)  # the case as a case file
    expect: tuple[dict[str, Any], ...] = field(default=(), compare=False)  # fail while the problem is there
    note: str = ""  # what those expectations mean


def _finding(code: str, message: str, subject: str, rule: str | None, span: Span | None, **kw: Any) -> Finding:
    return Finding(code, "error" if code in EXISTENTIAL else "warning", message, subject, rule, span, **kw)


def analyse(
    program: AspProgram,
    policy: CheckedPolicy,
    *,
    universe: Universe | None = None,
    extra: str = "",
    timings: dict[str, float] | None = None,
) -> list[Finding]:
    """Every finding, by code then place. `extra`: hand-written rules to add (e.g. `_scope` rules)."""
    universe = universe or Universe()
    clock = _Clock({} if timings is None else timings)
    found = unused_inputs(policy) + unused_sources(policy)
    clock.lap("static")
    scoped = _scoped(program.text + extra)
    ctl = _ground(program, policy, universe, extra, scoped)
    clock.lap("ground")
    possible = _brave(ctl)
    clock.lap("brave")
    found += _dead(policy, possible, universe)
    witnesses = []
    for code, subject, target in _targets(policy, scoped):
        if target in possible and (atoms := _witness(ctl, target, universe.witness_seconds)) is not None:
            w = _decode(policy, code, subject, atoms, universe)
            witnesses += [w] if w is not None else []
    clock.lap("witness")
    found += _reproduced(program, policy, witnesses, extra)
    clock.lap("verify")
    order = {c: i for i, c in enumerate(CODES)}
    return sorted(found, key=lambda f: (order[f.code], f.span.file if f.span else "", f.span.line if f.span else 0))


class _Clock:
    def __init__(self, into: dict[str, float]) -> None:
        self.into, self.last = into, time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.into[name] = self.into.get(name, 0.0) + now - self.last
        self.last = now


# ---------------------------------------------------------------- static


def _reads(cond: n.Cond) -> set[str]:
    names = {c.name for c in walk_conds(cond) if isinstance(c, n.Atom)}
    return names | {t.name for t in walk_terms(cond) if isinstance(t, n.Call)}


def unused_inputs(policy: CheckedPolicy) -> list[Finding]:
    """Inputs no rule reads (invariants and scopes do not count: they never change a verdict)."""
    read: set[str] = set()
    for cr in policy.rules:
        r = cr.rule
        for c in (r.body, *r.exceptions):
            read |= _reads(c) if c is not None else set()
        if r.head.value is not None:
            read |= _reads(n.Compare("=", r.head.value, r.head.value, r.head.span))
    return [
        _finding("unused-input", f"{p.kind} `{p.name}` is read by no rule", p.name, None, p.span)
        for p in policy.inputs()
        if p.name not in read
    ]


def unused_sources(policy: CheckedPolicy) -> list[Finding]:
    """Sources cited nowhere, and provisions no rule, priority or invariant cites (citing a source covers only it)."""
    decls = policy.policy.declarations()
    cited = {c.id for d in decls if isinstance(d, n.Rule | n.Priority | n.Invariant) for c in d.cites}
    out = []
    for src in (d for d in decls if isinstance(d, n.Source)):
        if src.id not in cited and not any(p.id in cited for p in src.provisions):
            out.append(_finding("unused-source", f"source `{src.id}` is cited nowhere", src.id, None, src.span))
            continue
        for p in src.provisions:
            if p.id not in cited:
                msg = f"provision `{p.id}` of `{src.id}` is cited by no rule, priority or invariant"
                out.append(_finding("unused-source", msg, p.id, None, p.span))
    return out


# ---------------------------------------------------------------- the universe program


def _scoped(text: str) -> set[str]:
    """The verdicts with `applies if`: `_applies(v,C,Key) :- ...` rules, compiled or written by hand."""
    return set(re.findall(r"^_applies\((\w+),", text, re.M))


def _helpers(policy: CheckedPolicy, scoped: set[str]) -> str:
    lines = [
        "_h_fires(R) :- _fired(R,C,K,V).",
        "_h_cond(R) :- _cond(R,C,K,V,B,X).",
        "_h_blocks(R,J) :- _cond(R,C,K,_,_,_), _exc(R,J,C,K).",
        "_h_both(H,L) :- _h_prio(H,L), _app(H,C,K,_), _app(L,C,K,_).",
        "_h_other(R,C,K,V) :- _fired(R,C,K,V), _h_head(R,P), _h_head(R2,P), R2 != R, _fired(R2,C,K,V).",
        "_h_alone(R) :- _fired(R,C,K,V), not _h_other(R,C,K,V).",
        "_h_violated(I) :- _violated(I,C,B).",
    ]
    lines += [f"_h_prio({rule_term(p.high.id)},{rule_term(p.low.id)})." for p in policy.priorities]
    lines += [f"_h_head({rule_term(cr.id)},{cr.rule.head.name})." for cr in policy.rules]
    for pred in policy.verdicts():
        if pred.is_bool:
            continue
        xs = [f"X{i}" for i in range(len(pred.params))]
        dom = ", ".join(f"_entity({CASE},{p.type.name},{x})" for p, x in zip(pred.params, xs, strict=True))
        args = ",".join([CASE, *xs])
        # A count, not a pair of values: proving that no two values exist is then easy for the solver.
        count = f"2 #count {{ V : {pred.name}({args},V) }}"
        lines.append(f"_h_conflict({pred.name}) :- {dom or f'_case({CASE})'}, {count}.")
        if pred.name in scoped:
            lines.append(f"_h_hasval({pred.name},{CASE},{tuple_text(xs)}) :- {pred.name}({args},_).")
            lines.append(f"_h_gap({pred.name}) :- _applies({pred.name},{CASE},K), not _h_hasval({pred.name},{CASE},K).")
    shows = ["fires/1", "cond/1", "blocks/2", "both/2", "alone/1", "violated/1", "conflict/1", "gap/1"]
    return "\n".join([*lines, *(f"#show _h_{s}." for s in shows)]) + "\n"


def _ground(
    program: AspProgram, policy: CheckedPolicy, universe: Universe, extra: str, scoped: set[str]
) -> clingo.Control:
    ctl, messages = new_control(["--heuristic=Domain"])  # see `smallness`: first guesses are small ones
    # Every number and date of the universe is a concrete candidate: no comparison is ever asked for as a free
    # choice, so the demand rules (`_ask`), which repeat their rule's body, are left out of the grounding.
    # Conflicts are searched for with helpers of their own: the rules that report them to a reader are left out.
    dropped = ("_ask(", "_clash(", "_onclash(")
    text = "\n".join(line for line in program.text.splitlines() if not line.startswith(dropped))
    parts = [text, universe_program(policy, universe), smallness(policy), extra, _helpers(policy, scoped)]
    try:
        ctl.add("base", [], "\n".join(parts))
        with ctl.backend() as backend:
            add_case(backend, policy, Case("universe", universe.assessment_date, (), ()), CID)
        ctl.ground([("base", [])], context=Context())
    except RuntimeError as err:
        raise messages.fail("analysis program", err) from None
    return ctl


def _brave(ctl: clingo.Control) -> set[Symbol]:
    conf = ctl.configuration.solve
    conf.enum_mode, conf.opt_mode, conf.models = "brave", "ignore", 0  # type: ignore[union-attr]
    last: list[Symbol] = []
    with ctl.solve(yield_=True) as handle:
        for model in handle:
            last = model.symbols(shown=True)
    return set(last)


def _solve(
    ctl: clingo.Control, assumptions: list[tuple[Symbol, bool]], seconds: float, opt: bool
) -> list[Symbol] | None:
    """The last model found within the time (the best one when optimising); None if none was found."""
    conf = ctl.configuration.solve
    conf.enum_mode, conf.opt_mode, conf.models = "auto", "opt" if opt else "ignore", 0 if opt else 1  # type: ignore[union-attr]
    best: list[list[Symbol]] = []

    def on_model(model: clingo.Model) -> None:
        best[:] = [model.symbols(atoms=True)]

    with ctl.solve(assumptions=assumptions, on_model=on_model, async_=True) as handle:  # type: ignore[call-overload]
        if not handle.wait(max(seconds, 0.05)):
            handle.cancel()
        handle.get()
    return best[0] if best else None


def _witness(ctl: clingo.Control, target: Symbol, seconds: float) -> list[Symbol] | None:
    """A model with the target, made small: entities dropped one by one while the target stays possible,
    then an optimising solve (fewest true facts, values nearest the boundaries) in the time left."""
    deadline = time.perf_counter() + seconds
    atoms = _solve(ctl, [(target, True)], seconds, opt=False)
    if atoms is None:
        return None
    entities = [a.symbol for a in ctl.symbolic_atoms.by_signature("_entity", 3)]
    present = set(atoms)
    assume = [(target, True), *((e, False) for e in entities if e not in present)]
    for e in sorted((e for e in entities if e in present), reverse=True):
        smaller = _solve(ctl, [*assume, (e, False)], min(0.5, deadline - time.perf_counter()), opt=False)
        if smaller is not None:
            atoms, assume = smaller, [*assume, (e, False)]
    best = _solve(ctl, assume, deadline - time.perf_counter(), opt=True)
    return best if best is not None else atoms


# ---------------------------------------------------------------- universal findings


def _dead(policy: CheckedPolicy, possible: set[Symbol], universe: Universe) -> list[Finding]:
    def has(name: str, *args: str | int) -> bool:
        return Function(name, [String(a) if isinstance(a, str) else Number(a) for a in args]) in possible

    where = f"in the analysis universe ({universe.describe(policy)})"
    out: list[Finding] = []
    fires = {cr.id for cr in policy.rules if has("_h_fires", cr.id)}
    for cr in policy.rules:
        r = cr.rule
        if cr.id not in fires:  # its exceptions and priorities are then dead too: one finding says it
            why = "an exception or a priority always stops it" if has("_h_cond", cr.id) else "its conditions never hold"
            out.append(_finding("dead-rule", f"rule {cr.id} concludes nothing {where}: {why}", cr.id, cr.id, r.span))
            continue
        for j, exc in enumerate(r.exceptions, 1):
            if not has("_h_blocks", cr.id, j):
                msg = f"`unless {pretty.cond(exc)}` never blocks rule {cr.id}: it never holds where the rule's do"
                out.append(_finding("dead-exception", msg, cr.id, cr.id, exc.span))
        if not has("_h_alone", cr.id):
            others = sorted(o.id for o in policy.rules if o.rule.head.name == r.head.name and o.id != cr.id)
            msg = (
                f"rule {cr.id} never decides anything: whenever it concludes, another rule concludes the same "
                f"(rules concluding {r.head.name}: {', '.join(others)})"
            )
            out.append(_finding("never-decisive", msg, cr.id, cr.id, r.span))
    for p in policy.priorities:
        if p.high.id in fires and p.low.id in fires and not has("_h_both", p.high.id, p.low.id):
            subject = f"{p.high.id} over {p.low.id}"
            msg = f"priority {subject} never decides: the two rules never apply to the same subject {where}"
            out.append(_finding("dead-priority", msg, subject, p.low.id, p.span))
    return out


# ---------------------------------------------------------------- existential findings


def _targets(policy: CheckedPolicy, scoped: set[str]) -> Iterator[tuple[str, str, Symbol]]:
    valued = [p.name for p in policy.verdicts() if not p.is_bool]
    yield from (("conflict", v, Function("_h_conflict", [Function(v)])) for v in valued)
    for ci in policy.invariants:
        yield "invariant-broken", ci.invariant.id, Function("_h_violated", [String(ci.invariant.id)])
    yield from (("gap", v, Function("_h_gap", [Function(v)])) for v in valued if v in scoped)


def _text(s: Symbol) -> str:
    return s.string if s.type == SymbolType.String else str(s)


def _decode(policy: CheckedPolicy, code: str, subject: str, atoms: list[Symbol], universe: Universe) -> Witness | None:
    key: tuple[str, ...] = ()
    values: list[Symbol] = []
    bindings: tuple[str, ...] = ()
    if code == "invariant-broken":
        broken = sorted(s for s in atoms if s.name == "_violated" and s.arguments[0] == String(subject))
        if not broken:
            return None
        bindings = tuple(_text(a) for a in broken[0].arguments[2].arguments)
    else:
        by_key: dict[tuple[str, ...], list[Symbol]] = {}
        arity = len(policy.predicates[subject].params)
        for s in atoms:
            if s.name == subject and len(s.arguments) == arity + 2:
                by_key.setdefault(tuple(_text(a) for a in s.arguments[1:-1]), []).append(s.arguments[-1])
        if code == "conflict":
            key, values = next(((k, sorted(v)) for k, v in sorted(by_key.items()) if len(v) > 1), ((), []))
        else:
            scoped = (s.arguments[2] for s in atoms if s.name == "_applies" and s.arguments[0] == Function(subject))
            key = next((k for k in sorted(tuple(_text(a) for a in t.arguments) for t in scoped) if k not in by_key), ())
        if not key:
            return None
    heads = {cr.id: cr.rule.head.name for cr in policy.rules}
    rules: dict[str, set[str]] = {}
    pred = policy.predicates.get(subject)
    for s in atoms:
        if s.name == "_fired" and heads.get(s.arguments[0].string) == subject and pred is not None:  # noqa: SIM102
            if tuple(_text(a) for a in s.arguments[2].arguments) == key:
                rules.setdefault(_shown(s.arguments[3], pred), set()).add(s.arguments[0].string)
    case_id = re.sub(r"[^A-Za-z0-9._-]+", "-", "-".join([code, subject, *key])).strip("-")
    doc = case_document(policy, atoms, case_id, universe.assessment_date)
    shown = tuple(show_value(decode(v, pred.value)) for v in values) if pred is not None else ()
    rule_sets = {k: tuple(sorted(v)) for k, v in rules.items()}
    try:
        case = case_of(policy, doc, f"<{case_id}>")
    except CaseError:  # a model a case file cannot state: no counterexample to show
        return None
    return Witness(code, subject, key, shown, rule_sets, doc, case, bindings)


def _shown(v: Symbol, pred: n.Predicate) -> str:
    return str(show_value(decode(v, pred.value)))


def _reproduced(program: AspProgram, policy: CheckedPolicy, witnesses: list[Witness], extra: str) -> list[Finding]:
    """Each witness decided through the normal path; only those that show the problem there are findings."""
    if not witnesses:
        return []
    decisions = decide_many(program, policy, [w.case for w in witnesses], missing=False)
    in_scope = _applicable(program, policy, witnesses, extra)
    found = (_confirm(policy, w, d, i in in_scope) for i, (w, d) in enumerate(zip(witnesses, decisions, strict=True)))
    return [f for f in found if f is not None]


def _applicable(program: AspProgram, policy: CheckedPolicy, witnesses: list[Witness], extra: str) -> set[int]:
    """The gap witnesses whose subject is in scope in every completion of their case."""
    gaps = [(i, w) for i, w in enumerate(witnesses) if w.code == "gap"]
    if not gaps:
        return set()
    ctl = control(program, policy, [(Number(i), w.case) for i, w in gaps], extra=extra, show=["#show _applies/3."])
    cautious = consequences(ctl).cautious
    subject = lambda w: clingo.Tuple_([String(x) for x in w.key])  # noqa: E731
    return {i for i, w in gaps if Function("_applies", [Function(w.subject), Number(i), subject(w)]) in cautious}


def _confirm(policy: CheckedPolicy, w: Witness, d: Decision, in_scope: bool) -> Finding | None:
    label = f"{w.subject}({', '.join(w.key)})"
    if w.code == "conflict":
        if not any((c[0], c[1]) == (w.subject, w.key) for c in d.conflicts):
            return None
        shown = [f"{v} ({', '.join(w.rules.get(str(v), ())) or 'no rule'})" for v in w.values]
        msg, span = f"{label} gets two values: {' and '.join(shown)}", policy.predicates[w.subject].span
    elif w.code == "gap":
        if not in_scope or d.get(w.subject, *w.key).status != "fails":
            return None
        msg = f"{label} is in scope and every fact is known, but no rule gives it a value"
        span = policy.predicates[w.subject].span
    else:
        if not any(v.invariant == w.subject and v.certain for v in d.violations):
            return None
        inv = next(ci.invariant for ci in policy.invariants if ci.invariant.id == w.subject)
        msg, span = f'a case breaks invariant {inv.id} "{inv.title}" ({", ".join(w.bindings)})', inv.span
    expect, note = expectations(policy, w, d)
    return _finding(w.code, msg, w.subject, None, span, case=w.case, document=w.document, expect=expect, note=note)
