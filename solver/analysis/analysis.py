"""Consistency checking for testers: conflicts, gaps, broken invariants, dead rules, uncited sources.

The two static analyses (`unused-input`, `unused-source`) read the AST. All
the others run on ONE grounding of the compiled program over the symbolic
universe (solver/analysis/universe.py), with helper atoms:

    _h_fires(R)      :- _fired(R,C,K,V).                             dead-rule when impossible
    _h_blocks(R,J)   :- _cond(R,C,K,_,_,_), _exc(R,J,C,K).            dead-exception when impossible
    _h_both(H,L)     :- _h_prio(H,L), _app(H,C,K,_), _app(L,C,K,_).   dead-priority when impossible
    _h_alone(R)      :- _fired(R,C,K,V), not _h_other(R,C,K,V).       never-decisive when impossible
    _h_clash(R1,R2)  :- R1 gives a subject a value, R2 another one.  conflict, per pair of rules
    _h_violated(I)   :- _violated(I,C,B).
    _h_gap(v)        :- _applies(v,C,K), not _h_hasval(v,C,K).

A brave-consequence enumeration, then a solve for each atom it left, says
which helper atoms are possible at all; an atom whose part of the policy only
compares its dates and numbers is solved first on that part over a few of them
(solver/analysis/order.py). For each possible pair of rules,
broken invariant and gap, solver/analysis/witness.py finds a small witness, written as
a complete case; it is decided through the normal path (`decide_many`) and
reported only if the problem shows there in every completion; then its case
keeps only the facts that matter (solver/analysis/minimize.py).
"""

from __future__ import annotations

import re
import threading
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from typing import Any

import clingo
from clingo import Function, Number, String, Symbol

from grammar.checks.checked import CheckedPolicy
from grammar.typed import nodes as n
from grammar.typed import pretty
from grammar.typed.source import Span
from solver.analysis.concrete import concrete, inlined
from solver.analysis.kept import IMPOSSIBLE, POSSIBLE, UNSETTLED, UNSETTLED_ONCE, Proofs, parts, proof_keys
from solver.analysis.minimize import Reproduction, kept_facts, readable
from solver.analysis.order import Candidates, fewer_candidates
from solver.analysis.single import single_valued
from solver.analysis.universe import (
    Universe,
    Witness,
    boundaries,
    date_candidates,
    document_of,
    expectations,
    int_candidates,
    pair_sides,
    smallness,
    universe_program,
)
from solver.analysis.witness import Target, pairs, targets, valued_rules, witnesses
from solver.cases.case import Case
from solver.compile.cone import reads
from solver.compile.emit import AspProgram, emit, tuple_text
from solver.compile.names import CASE, rule_term, show_value
from solver.solve.answer import Decision
from solver.solve.context import Context
from solver.solve.cores import cores, on_every_core
from solver.solve.run import Messages, add_case, add_text, new_control

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
# UNSETTLED (solver/analysis/kept.py) is also a finding's code: not a problem of the policy, a question the search
# could not answer in time
EXISTENTIAL = ("conflict", "invariant-broken", "gap")
CID = Number(0)
SHOWN = [(f"_h_{name}", arity) for name, arity in (("fires", 1), ("cond", 1), ("blocks", 2), ("both", 2))]
SHOWN += [(f"_h_{name}", arity) for name, arity in (("alone", 1), ("violated", 1), ("clash", 2), ("gap", 1))]
STALL_SECONDS = 0.5  # brave enumeration: past this without a new model, the atoms left are asked about one by one
# Earlier checks answered all but this many atoms: each is asked alone, without the brave enumeration (about 2 s
# on the shipped policy, where showing an atom possible alone takes about 0.07 s).
ASK_ALONE = 24
# Proving an atom impossible: clasp's "tweety" configuration (made for ASP programs) proves the shipped policy's
# 58 atoms in about 2 s against 12 s for the default one under the domain heuristic the witnesses need.
SETTLE_CONFIGURATION = "tweety"
# An atom not settled in this time is reported as such (`unsettled`), never taken as impossible: a dead rule
# is not claimed, a conflict, broken invariant or gap is not searched for.
SETTLE_SECONDS = 5.0
# Asking about atoms one by one, each solve starts afresh: what the solver learnt proving one atom impossible
# slows down the proofs of the others (on the shipped policy, minutes instead of seconds).
FORGET = "varScores,signs,lemmaScores,lemmas"
Progress = Callable[[str], None]


@dataclass(frozen=True)
class Finding:
    code: str
    severity: str  # error: a case decides wrongly; warning: dead or redundant text
    message: str
    subject: str  # the predicate, invariant, rule, `HIGH over LOW`, input, source or provision concerned
    rules: tuple[str, ...]  # the rules concerned: a conflict's two, a dead rule, a priority's HIGH and LOW
    span: Span | None
    case: Case | None = None
    document: dict[str, Any] | None = field(default=None, compare=False)  # the case as a case file
    expect: tuple[dict[str, Any], ...] = field(default=(), compare=False)  # fail while the problem is there
    note: str = ""  # what those expectations mean
    kept: tuple[str, ...] = field(default=(), compare=False)  # the facts the case states; the others are unknown


def _finding(code: str, message: str, subject: str, rules: tuple[str, ...], span: Span | None, **kw: Any) -> Finding:
    return Finding(code, "error" if code in EXISTENTIAL else "warning", message, subject, rules, span, **kw)


def analyse(
    program: AspProgram,
    policy: CheckedPolicy,
    *,
    universe: Universe | None = None,
    extra: str = "",
    timings: dict[str, float] | None = None,
    progress: Progress | None = None,
    kept: Proofs | None = None,
) -> list[Finding]:
    """Every finding, by code then place. `extra`: hand-written rules to add (e.g. `_applies` rules).
    `progress` hears a short line at each step of the search. `kept`: what earlier runs concluded about the
    atoms asked about one by one (solver/analysis/kept.py), read and added to."""
    universe = universe or Universe()
    say = progress or (lambda _: None)
    clock = _Clock({} if timings is None else timings)
    found = unused_inputs(policy) + unused_sources(policy)
    clock.lap("static")
    scoped = _scoped(program.text + extra)
    say(f"grounding the universe ({universe.describe(policy)})")
    ctl = _ground(program, policy, universe, extra, scoped)
    clock.lap("ground")
    known = None if kept is None else _Known(kept, policy, universe, extra, scoped)
    fewer = (lambda atoms: {}) if extra else (lambda atoms: _on_fewer(atoms, policy, universe, scoped))
    possible, unsettled = _brave(ctl, say, lambda: _ground(program, policy, universe, extra, scoped), fewer, known)
    clock.lap("brave")
    dead = _dead(policy, possible | unsettled, universe)
    earlier = known.recalled_unsettled() if known is not None else set()
    found += dead + _unsettled(policy, unsettled, {f.subject for f in dead if f.code == "dead-rule"}, earlier)
    chosen = list(targets(policy, scoped, possible))
    say(_counts(chosen))
    shown = witnesses(ctl, policy, chosen, universe, say)
    clock.lap("witness")
    found += _reproduced(Reproduction(program, policy, extra), shown, say, clock)
    order = {c: i for i, c in enumerate((*CODES, UNSETTLED))}
    return sorted(found, key=lambda f: (order[f.code], f.span.file if f.span else "", f.span.line if f.span else 0))


class _Clock:
    def __init__(self, into: dict[str, float]) -> None:
        self.into, self.last = into, time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.into[name] = self.into.get(name, 0.0) + now - self.last
        self.last = now


def _plural(count: int, one: str, many: str | None = None) -> str:
    return f"{count} {one if count == 1 else many or one + 's'}"


# ---------------------------------------------------------------- static


def unused_inputs(policy: CheckedPolicy) -> list[Finding]:
    """Inputs no rule reads (invariants and scopes do not count: they never change a verdict)."""
    read: set[str] = set()
    for cr in policy.rules:
        r = cr.rule
        for c in (r.body, *r.exceptions):
            read |= reads(c) if c is not None else set()
        if r.head.value is not None:
            read |= reads(n.Compare("=", r.head.value, r.head.value, r.head.span))
    return [
        _finding("unused-input", f"{p.kind} `{p.name}` is read by no rule", p.name, (), p.span)
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
            out.append(_finding("unused-source", f"source `{src.id}` is cited nowhere", src.id, (), src.span))
            continue
        for p in src.provisions:
            if p.id not in cited:
                msg = f"provision `{p.id}` of `{src.id}` is cited by no rule, priority or invariant"
                out.append(_finding("unused-source", msg, p.id, (), p.span))
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
    lines += _clash_helpers(policy)
    for pred in policy.verdicts():
        if pred.is_bool or pred.name not in scoped:
            continue
        xs = [f"X{i}" for i in range(len(pred.params))]
        args = ",".join([CASE, *xs])
        lines.append(f"_h_hasval({pred.name},{CASE},{tuple_text(xs)}) :- {pred.name}({args},_).")
        lines.append(f"_h_gap({pred.name}) :- _applies({pred.name},{CASE},K), not _h_hasval({pred.name},{CASE},K).")
    return "\n".join([*lines, *(f"#show {name}/{arity}." for name, arity in SHOWN)]) + "\n"


def _clash_helpers(policy: CheckedPolicy) -> list[str]:
    """`_h_clash(R1,R2)`: R1 gives a subject a value and R2 another one. Without a join on pairs of values: R2
    concludes for the subject but not R1's value (or the reverse), or either gives it two values (a count)."""
    clashes = [
        "_h_multi(R,C,K) :- _h_valued(R), _fired(R,C,K,_), 2 #count { V : _fired(R,C,K,V) }.",
        "_h_clash(R,R) :- _h_multi(R,C,K).",
        "_h_clash(A,B) :- _h_pair(A,B), _fired(A,C,K,V), _fired(B,C,K,_), not _fired(B,C,K,V).",
        "_h_clash(A,B) :- _h_pair(A,B), _fired(B,C,K,V), _fired(A,C,K,_), not _fired(A,C,K,V).",
        "_h_clash(A,B) :- _h_pair(A,B), _h_multi(A,C,K), _fired(B,C,K,_).",
        "_h_clash(A,B) :- _h_pair(A,B), _h_multi(B,C,K), _fired(A,C,K,_).",
    ]
    facts = [f"_h_pair({rule_term(a)},{rule_term(b)})." for _, a, b in pairs(policy) if a != b]
    rules = {cr.id: cr.rule for cr in policy.rules}
    several = [r for ids in valued_rules(policy).values() for r in ids if not single_valued(rules[r], policy)]
    return facts + [f"_h_valued({rule_term(r)})." for r in several] + clashes


def _ground(
    program: AspProgram, policy: CheckedPolicy, universe: Universe, extra: str, scoped: set[str]
) -> clingo.Control:
    ctl, messages = new_control(["--heuristic=Domain"])  # see `smallness`: first guesses are small ones
    # Every number and date of the universe is a concrete candidate: no comparison is ever asked for as a free
    # choice, so the demand rules (`_ask`) are left out of the grounding.
    # Conflicts are searched for with helpers of their own: the rules that report them to a reader are left out.
    texts = [_searched(program), universe_program(policy, universe), smallness(policy), extra, _helpers(policy, scoped)]
    return _grounded(ctl, messages, texts, policy, universe)


def _searched(program: AspProgram) -> str:
    dropped = ("_ask(", "_clash(", "_onclash(")
    kept = [line for line in program.text.splitlines() if not line.startswith(dropped)]
    return "\n".join(concrete(line) for line in inlined(kept))


def _grounded(
    ctl: clingo.Control, messages: Messages, texts: list[str], policy: CheckedPolicy, universe: Universe
) -> clingo.Control:
    try:
        add_text(ctl, "\n".join(texts))
        with ctl.backend() as backend:
            add_case(backend, policy, Case("universe", universe.assessment_date, (), ()), CID)
        ctl.ground([("base", [])], context=Context())
    except RuntimeError as err:
        raise messages.fail("analysis program", err) from None
    return ctl


@dataclass(frozen=True)
class _Fewer:
    """An atom's part of the policy over fewer candidate values (solver/analysis/order.py), asked first."""

    part: CheckedPolicy
    candidates: Candidates
    scoped: set[str]
    universe: Universe
    exact: bool  # the candidates are some of the universe's: a model over them is one of the universe

    def ground(self) -> clingo.Control:
        ctl, messages = new_control([])
        texts = [
            _searched(emit(self.part)),
            universe_program(self.part, self.universe, self.candidates),
            _helpers(self.part, self.scoped),
        ]
        return _grounded(ctl, messages, texts, self.part, self.universe)


def _on_fewer(atoms: list[Symbol], policy: CheckedPolicy, universe: Universe, scoped: set[str]) -> dict[Symbol, _Fewer]:
    """The atoms whose part of the policy needs fewer dates and numbers than the universe's, with that part."""
    b = boundaries(policy)
    dates, ints = date_candidates(b, universe.assessment_date), int_candidates(b)
    counts = {etype: len(ids) for etype, ids in universe.ids(policy).items()}
    out = {}
    for atom, (_, part) in parts(policy, atoms).items():
        chosen = fewer_candidates(part, atom, counts, dates, ints, universe.assessment_date)
        if chosen is not None and len(chosen[0]) + len(chosen[1]) < len(dates) + len(ints):
            exact = set(chosen[0]) <= set(dates) and set(chosen[1]) <= set(ints)
            out[atom] = _Fewer(part, chosen, scoped, universe, exact)
    return out


class _Known:
    """What earlier runs concluded about the atoms asked about one by one, under keys of this search."""

    def __init__(self, kept: Proofs, policy: CheckedPolicy, universe: Universe, extra: str, scoped: set[str]):
        self.kept, self.policy, self.scoped = kept, policy, scoped
        search = f"{SETTLE_CONFIGURATION} {SETTLE_SECONDS} {FORGET} clingo {clingo.__version__}"
        self.shared = "\0".join((universe_program(policy, universe), str(universe.assessment_date), extra, search))
        self.keys: dict[Symbol, str] = {}
        self.recalled: dict[Symbol, str] = {}
        self.once: set[Symbol] = set()  # not settled in time once: asked again

    def recall(self, atoms: list[Symbol]) -> dict[Symbol, str]:
        """The outcomes to take as they are; an atom unsettled only once is left to ask."""
        self.keys = proof_keys(self.policy, atoms, self.shared, lambda part: _helpers(part, self.scoped))
        found = {a: self.kept.get(k) for a, k in self.keys.items()}
        self.once = {a for a, outcome in found.items() if outcome == UNSETTLED_ONCE}
        self.recalled = {a: outcome for a, outcome in found.items() if outcome in (IMPOSSIBLE, POSSIBLE, UNSETTLED)}
        return self.recalled

    def recalled_unsettled(self) -> set[Symbol]:
        return {a for a, outcome in self.recalled.items() if outcome == UNSETTLED}

    def keep(self, asked: list[Symbol], possible: set[Symbol], unsettled: set[Symbol]) -> None:
        """The outcomes of the atoms asked, those seen in a model, and the recalled again: the most recently
        used are kept longest."""
        for atom, outcome in self.recalled.items():
            self.kept[self.keys[atom]] = outcome
        for atom in possible:  # in a model of the universe: so in one of the atom's part
            if atom in self.keys:
                self.kept[self.keys[atom]] = POSSIBLE
        for atom in asked:
            if atom in self.keys and atom not in possible:
                twice = UNSETTLED if atom in self.once else UNSETTLED_ONCE
                self.kept[self.keys[atom]] = twice if atom in unsettled else IMPOSSIBLE


def _brave(
    ctl: clingo.Control,
    say: Progress,
    another: Callable[[], clingo.Control],
    fewer: Callable[[list[Symbol]], dict[Symbol, _Fewer]],
    known: _Known | None = None,
) -> tuple[set[Symbol], set[Symbol]]:
    """The helper atoms true in some model, and those not settled in time. A brave enumeration finds most while
    new ones come quickly; each atom left is then asked about alone, with what the solver learnt before
    forgotten: proving atoms impossible one by one costs it far less than proving at once that none is possible.
    Those proofs run on every core, each on a grounding of its own (`another`); an atom whose part of the
    policy needs `fewer` candidate values is asked there first. An atom whose outcome is `known` from earlier
    runs is not asked again (one not settled in time, only once); when earlier runs answered all but a few,
    those few are asked alone, without the enumeration."""
    every = [a.symbol for name, arity in SHOWN for a in ctl.symbolic_atoms.by_signature(name, arity)]
    recalled = known.recall(every) if known is not None else {}
    possible = {a for a, outcome in recalled.items() if outcome == POSSIBLE}
    unsettled = {a for a, outcome in recalled.items() if outcome == UNSETTLED}
    left = [a for a in every if a not in recalled]
    if recalled:
        earlier = _plural(len(recalled), "rule or problem", "rules and problems")
        say(f"{earlier} answered by earlier checks of the same rules")
    if recalled and len(left) <= ASK_ALONE:
        return _settle_left(ctl, say, left, possible, unsettled, [], fewer, known)
    say("finding which rules can fire and which problems are possible")
    with ThreadPoolExecutor(max_workers=max(1, cores() - 1)) as pool:
        # The other cores' groundings are made while the enumeration runs on one core.
        others = [pool.submit(another) for _ in range(cores() - 1)]
        possible |= _brave_while_quick(ctl)
        left = [a for a in left if a not in possible]
        return _settle_left(ctl, say, left, possible, unsettled, [f.result() for f in others], fewer, known)


def _settle_left(
    ctl: clingo.Control,
    say: Progress,
    left: list[Symbol],
    possible: set[Symbol],
    unsettled: set[Symbol],
    others: list[clingo.Control],
    fewer: Callable[[list[Symbol]], dict[Symbol, _Fewer]],
    known: _Known | None,
) -> tuple[set[Symbol], set[Symbol]]:
    """The atoms `left` asked on `ctl` and the `others` (on `fewer` candidate values first, where an atom's part
    of the policy allows); `possible` and `unsettled` hold what is known of the rest."""
    if left:
        say(f"{_plural(len(left), 'rule or problem', 'rules and problems')} left to settle one by one")
        solver = ctl.configuration.solver
        heuristic = solver.heuristic  # type: ignore[union-attr]
        controls = [ctl, *others][: len(left)]
        unsettled |= _settle_each(controls, left, possible, fewer(left))
        _for_proofs(ctl, on=False)
        solver.heuristic = heuristic  # type: ignore[union-attr]  # the witnesses' search wants small guesses first
    if known is not None:
        known.keep(left, possible, unsettled)
    return possible, unsettled - possible


def _for_proofs(ctl: clingo.Control, *, on: bool) -> None:
    """One model at a time under the configuration that proves atoms impossible fastest, forgetting between."""
    if on:
        conf = ctl.configuration.solve
        conf.enum_mode, conf.opt_mode, conf.models = "auto", "ignore", 1  # type: ignore[union-attr]
        ctl.configuration.configuration = SETTLE_CONFIGURATION
    ctl.configuration.solver.forget_on_step = FORGET if on else "no"  # type: ignore[union-attr]


def _settle_each(
    controls: list[clingo.Control], left: list[Symbol], possible: set[Symbol], fewer: dict[Symbol, _Fewer]
) -> set[Symbol]:
    """Each atom of `left` not yet seen in a model settled on whichever Control is free; `possible` grows with
    every model found. An atom with a part over `fewer` candidates is asked there first, and again on the
    whole universe only if that does not settle it. The atoms not settled in time are returned."""
    queue = deque(sorted(left, key=lambda a: a not in fewer))
    lock, unsettled = threading.Lock(), set()

    def next_atom() -> tuple[Symbol, _Fewer | None] | None:
        with lock:
            while queue:
                atom = queue.popleft()
                if atom not in possible:
                    return atom, fewer.pop(atom, None)
            return None

    def work(ctl: clingo.Control) -> None:
        _for_proofs(ctl, on=True)
        while (asked := next_atom()) is not None:
            atom, small = asked
            # not settled on few candidates: asked of the whole universe; not settled there: unsettled
            shown = _settle(ctl, atom) if small is None else _settle_small(small, atom)
            with lock:
                if shown is None:
                    (unsettled.add if small is None else queue.append)(atom)
                else:
                    possible.update(shown)

    on_every_core(work, controls)
    return unsettled


def _settle_small(small: _Fewer, atom: Symbol) -> set[Symbol] | None:
    """The atom alone when it has a model on its part, none when it has none, None when the universe must say."""
    ctl = small.ground()
    _for_proofs(ctl, on=True)
    shown = _settle(ctl, atom)
    if shown is None or (shown and not small.exact):
        return None
    return {atom} if shown else set()


def _settle(ctl: clingo.Control, atom: Symbol) -> set[Symbol] | None:
    """The shown atoms of a model with `atom`, none if it has none, or None when not settled in time."""
    with ctl.solve(assumptions=[(atom, True)], yield_=True, async_=True) as handle:  # type: ignore[call-overload]
        handle.resume()
        if not handle.wait(SETTLE_SECONDS):
            handle.cancel()
            return None
        model = handle.model()
        return set(model.symbols(shown=True)) if model is not None else set()


def _brave_while_quick(ctl: clingo.Control) -> set[Symbol]:
    """Brave consequences, or those found so far once no new model comes within STALL_SECONDS."""
    conf = ctl.configuration.solve
    conf.enum_mode, conf.opt_mode, conf.models = "brave", "ignore", 0  # type: ignore[union-attr]
    last: list[Symbol] = []
    with ctl.solve(yield_=True, async_=True) as handle:  # type: ignore[call-overload]
        while True:
            handle.resume()
            if not handle.wait(STALL_SECONDS):
                handle.cancel()
                break
            model = handle.model()
            if model is None:
                break
            last = model.symbols(shown=True)
    return set(last)


# ---------------------------------------------------------------- universal findings


def _dead(policy: CheckedPolicy, possible: set[Symbol], universe: Universe) -> list[Finding]:
    def has(name: str, *args: str | int) -> bool:
        return Function(name, [String(a) if isinstance(a, str) else Number(a) for a in args]) in possible

    where = f"in the analysis universe ({universe.describe(policy)})"
    out: list[Finding] = []
    fires = {cr.id for cr in policy.rules if has("_h_fires", cr.id)}
    asleep = set(universe.out_of_force(policy))
    for cr in policy.rules:
        r = cr.rule
        if cr.id in asleep:
            continue
        if cr.id not in fires:  # its exceptions and priorities are then dead too: one finding says it
            why = "an exception or a priority always stops it" if has("_h_cond", cr.id) else "its conditions never hold"
            out.append(_finding("dead-rule", f"rule {cr.id} concludes nothing {where}: {why}", cr.id, (cr.id,), r.span))
            continue
        for j, exc in enumerate(r.exceptions, 1):
            if not has("_h_blocks", cr.id, j):
                msg = f"`unless {pretty.cond(exc)}` never blocks rule {cr.id}: it never holds where the rule's do"
                out.append(_finding("dead-exception", msg, cr.id, (cr.id,), exc.span))
        if not has("_h_alone", cr.id):
            others = sorted(o.id for o in policy.rules if o.rule.head.name == r.head.name and o.id != cr.id)
            msg = (
                f"rule {cr.id} never decides anything: whenever it concludes, another rule concludes the same "
                f"(rules concluding {r.head.name}: {', '.join(others)})"
            )
            out.append(_finding("never-decisive", msg, cr.id, (cr.id,), r.span))
    for p in policy.priorities:
        if p.high.id in fires and p.low.id in fires and not has("_h_both", p.high.id, p.low.id):
            subject = f"{p.high.id} over {p.low.id}"
            msg = f"priority {subject} never decides: the two rules never apply to the same subject {where}"
            out.append(_finding("dead-priority", msg, subject, (p.high.id, p.low.id), p.span))
    return out


def _unsettled(policy: CheckedPolicy, atoms: set[Symbol], dead: set[str], earlier: set[Symbol]) -> list[Finding]:
    """What the search could not settle in time, said as such: nothing is claimed about it. A dead rule's other
    questions are moot. The `earlier` ones were not asked again: two earlier checks of the same rules tried."""
    out: list[Finding] = []
    spans = {cr.id: cr.rule.span for cr in policy.rules}
    invariants = {i.invariant.id: i.invariant.span for i in policy.invariants}
    for atom in sorted(atoms):
        args = [a.string if a.type == clingo.SymbolType.String else str(a) for a in atom.arguments]
        rules = tuple(a for a in args if a in spans)
        if dead.intersection(rules):
            continue
        if atom.name == "_h_clash":
            what = f"whether rules {args[0]} and {args[1]} can give one subject two values"
            if args[0] == args[1]:
                what = f"whether rule {args[0]} can give one subject two values"
            span = spans.get(args[0])
        elif atom.name == "_h_gap":
            what, span = f"whether `{args[0]}` can apply to a subject without a value", policy.predicates[args[0]].span
        elif atom.name == "_h_violated":
            what, span = f"whether invariant {args[0]} can be broken", invariants.get(args[0])
        else:
            what, span = (
                f"whether rule {args[0]} always concludes, decides and lets its parts apply",
                spans.get(args[0]),
            )
        who = "two earlier checks of the same rules" if atom in earlier else "the search"
        message = f"{who} could not settle within {SETTLE_SECONDS:g} s {what}; nothing is claimed about it"
        if all(f.message != message for f in out):  # a rule's questions are said once
            out.append(_finding(UNSETTLED, message, args[0], rules, span))
    return out


# ---------------------------------------------------------------- existential findings


def _counts(chosen: list[Target]) -> str:
    count = {code: sum(1 for t in chosen if t.code == code) for code in EXISTENTIAL}
    conflicts = _plural(count["conflict"], "possible conflict")
    invariants = _plural(count["invariant-broken"], "broken invariant")
    return f"{conflicts}, {invariants}, {_plural(count['gap'], 'gap')} to verify"


def _reproduced(reproduce: Reproduction, witnesses: list[Witness], say: Progress, clock: _Clock) -> list[Finding]:
    """Each witness decided through the normal path; those that show the problem there, with only the facts that
    matter, are findings."""
    if not witnesses:
        return []
    say(f"deciding {_plural(len(witnesses), 'counterexample')} the normal way")
    first = reproduce.judge([(w, w.case) for w in witnesses])
    shown = [_settled(w, d) for w, d in zip(witnesses, first, strict=True) if d is not None]
    clock.lap("verify")
    policy = reproduce.policy
    cases = readable(reproduce, shown, say)
    smaller = [replace(w, case=c, document=document_of(policy, c)) for w, c in zip(shown, cases, strict=True)]
    final = reproduce.judge([(w, w.case) for w in smaller])
    clock.lap("reduce")
    out = []
    for w, small, d in zip(shown, smaller, final, strict=True):  # each step was verified; the result is, again
        out.append(_found(policy, small, d) if d is not None else _found(policy, w, _decided(reproduce, w)))
    return out


def _settled(w: Witness, d: Decision) -> Witness:
    """An invariant's bindings as deciding writes them, so that smaller cases must break it alike."""
    if w.code != "invariant-broken":
        return w
    broken = [v.bindings for v in d.violations if v.invariant == w.subject and v.certain]
    return replace(w, bindings=w.bindings if w.bindings in broken else broken[0])


def _decided(reproduce: Reproduction, w: Witness) -> Decision:
    [d] = reproduce.judge([(w, w.case)])
    assert d is not None
    return d


def _found(policy: CheckedPolicy, w: Witness, d: Decision) -> Finding:
    label = f"{w.subject}({', '.join(w.key)})"
    rules: tuple[str, ...] = ()
    if w.code == "conflict":
        sides = pair_sides(w, d)
        assert sides is not None
        (a, ra), (b, rb) = sides
        shown = [f"{show_value(s.value)} ({r} at {_place(policy.rule(r).rule.span)})" for s, r in ((a, ra), (b, rb))]
        msg, span, rules = f"{label} gets two values: {' and '.join(shown)}", policy.rule(ra).rule.span, (ra, rb)
    elif w.code == "gap":
        msg, span = f"{label} applies, but no rule gives it a value", policy.predicates[w.subject].span
    else:
        inv = next(ci.invariant for ci in policy.invariants if ci.invariant.id == w.subject)
        msg, span = f'a case breaks invariant {inv.id} "{inv.title}" ({", ".join(w.bindings)})', inv.span
    expect, note = expectations(policy, w, d)
    kept = tuple(kept_facts(policy, w.case))
    return _finding(
        w.code, msg, w.subject, rules, span, case=w.case, document=w.document, expect=expect, note=note, kept=kept
    )


def _place(span: Span) -> str:
    return f"{span.file}:{span.line}"
