"""Grounding and solving: many cases in one clingo call, three-valued verdicts."""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TypeVar

import clingo
from clingo import Function, Number, String, Symbol, Tuple_, ast
from clingo.ast import ProgramBuilder

from grammar.checks.checked import CheckedPolicy
from grammar.typed import nodes as n
from solver.cases import calendar
from solver.cases.case import Case, CaseError
from solver.compile.emit import AspProgram
from solver.compile.names import encode
from solver.solve import assumed
from solver.solve.context import Context, fault_message

T = TypeVar("T")


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


# The arguments of a control grounding cases together: the solver keeps the phase of every variable it backjumps
# over, not only past 160 levels (clasp's default), so that each model changes little of the last beyond the atom
# it must add or drop, and a chunk of cases needs fewer models (benchmarks/README.md, "Progress saved"). Not for a
# shape's grounding (solver.solve.shaped), whose solves, one case each under assumptions, find few models: there
# it cost time (a generated case that states every input, 6.3 ms against 5.6).
CHUNK_ARGUMENTS = ["--save-progress=0"]


def new_control(arguments: list[str]) -> tuple[clingo.Control, Messages]:
    messages = Messages()
    return clingo.Control([*arguments, "--warn=none"], logger=messages, message_limit=20), messages


def add_case(backend: clingo.Backend, policy: CheckedPolicy, case: Case, cid: Symbol) -> None:
    """A case's facts, as symbols through the backend: nothing is pasted as text.

    Making a symbol is a call into clingo: an id or an argument tuple the case repeats is made once, a predicate's
    or a type's name once per process (a case's facts go in about a third faster)."""
    strings: dict[str, Symbol] = {}
    subjects: dict[tuple[str, ...], Symbol] = {}
    add_atom, add_rule = backend.add_atom, backend.add_rule

    def fact(name: str, *args: Symbol) -> None:
        add_rule([add_atom(Function(name, [cid, *args]))])

    def text(value: str) -> Symbol:
        if (found := strings.get(value)) is None:
            found = strings[value] = String(value)
        return found

    fact("_case")
    fact("_today", Number(calendar.to_day(case.assessment_date)))
    for e in case.entities:
        fact("_entity", _constant(e.type), text(e.id))
    for f in case.facts:
        pred = policy.predicates[f.pred]
        args = [text(a) for a in f.args]
        if (subject := subjects.get(f.args)) is None:
            subject = subjects[f.args] = Tuple_(args)
        fact("_given", _constant(f.pred), subject)
        if pred.is_bool:
            if f.value is True:
                fact(f.pred, *args)
        else:
            fact(f.pred, *args, encode(f.value, pred.value))
    for c in case.closed:
        fact("_closed", _constant(c.pred), text(c.first))


@functools.lru_cache(maxsize=4096)
def _constant(name: str) -> Symbol:
    return Function(name)


_PARSED = threading.local()  # per thread: clingo counts an AST node's owners without a lock
_KEPT = 16
# clingo parses one text at a time in a process: two parses side by side on two threads each took two to four
# times as long as alone (the shipped program and the explanation's: 15 ms alone, 45-85 ms beside another).
_PARSING = threading.Lock()
PARSE_AT = 3  # the time a thread adds a text that it is parsed into statements


def add_program(ctl: clingo.Control, texts: Iterable[str]) -> None:
    """Programs added to a control (RuntimeError if clingo rejects one). A text a thread adds often is parsed
    once into kept statements (handing them over costs about half of clingo parsing the text again); the first
    times it goes in as text, so a process that grounds a program once or twice (a `havre decide`) does not pay
    for building its statements as Python objects."""
    seen: dict[str, int] = _PARSED.__dict__.setdefault("seen", {})
    kept: dict[str, tuple[ast.AST, ...]] = _PARSED.__dict__.setdefault("kept", {})
    as_text = []
    with ProgramBuilder(ctl) as builder:
        for text in texts:
            if text in kept or seen.get(text, 0) >= PARSE_AT - 1:
                for statement in statements(text):
                    builder.add(statement)
            else:
                as_text.append(text)
    for text in as_text:
        add_text(ctl, text)
        seen[text] = seen.pop(text, 0) + 1  # the most recently added last
        if len(seen) > 4 * _KEPT:  # a bound: a long-lived process sees many programs once
            del seen[next(iter(seen))]


def add_text(ctl: clingo.Control, text: str, name: str = "base", params: Sequence[str] = ()) -> None:
    """A program text added to a control, parsed while no other thread of the process parses one."""
    with _PARSING:
        ctl.add(name, list(params), text)


def statements(text: str) -> tuple[ast.AST, ...]:
    """A program's statements, parsed once per process and thread: handing them to each new control is cheaper.

    No node is shared between threads: adding a node to a control takes and drops references to it outside
    Python's lock, so two threads adding the same nodes corrupt them (clingo rejects or crashes)."""
    kept: dict[str, tuple[ast.AST, ...]] = _PARSED.__dict__.setdefault("kept", {})
    if text in kept:
        return kept[text]
    out: list[ast.AST] = []
    messages = Messages()
    try:
        with _PARSING:
            ast.parse_string(text, out.append, logger=messages, message_limit=20)
    except RuntimeError as err:
        raise messages.fail("compiled program", err) from None
    if len(kept) >= _KEPT:
        del kept[next(iter(kept))]  # the oldest
    kept[text] = tuple(out)
    return kept[text]


def show_predicate(pred: n.Predicate) -> str:
    return f"#show {pred.name}/{len(pred.params) + 1 + (0 if pred.is_bool else 1)}."


def show_directives(policy: CheckedPolicy, extra: Iterable[str] = ()) -> str:
    shows = [show_predicate(p) for p in policy.verdicts()]
    shows += ["#show _fired/4.", "#show _unknown/3.", "#show _violated/3.", "#show _clash/3.", "#show _onclash/3."]
    shows += ["#show _applies/3.", *extra]
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
    ctl, messages = new_control(CHUNK_ARGUMENTS)
    shows = "" if show is None else show_directives(policy, show)  # None: every atom is shown
    try:
        add_program(ctl, (program.text, shows + "\n" + extra))
        with ctl.backend() as backend:
            for cid, case in cases:
                add_case(backend, policy, case, cid)
        context = Context()
        ctl.ground([("base", [])], context=context)
    except RuntimeError as err:
        raise messages.fail("compiled program", err) from None
    raise_faults(context, policy, cases)
    return ctl


def raise_faults(context: Context, policy: CheckedPolicy, cases: Sequence[tuple[Symbol, Case]]) -> None:
    """A computation out of range is the case's error (a user error), named by its rule and case."""
    if not context.faults or not cases:
        return
    order = {cr.id: i for i, cr in enumerate(policy.rules)}
    fault = min(context.faults, key=lambda f: (order.get(f.rule, len(order)), f.rule, f.text))
    case = dict(cases).get(fault.case) if fault.case is not None else None
    case = case or cases[0][1]
    raise CaseError(case.origin, "", fault_message(fault, case.id))


def has_choices(ctl: clingo.Control) -> bool:
    """Whether a grounded program has completions to enumerate: an unknown fact or comparison."""
    atoms = ctl.symbolic_atoms
    return any(True for _ in atoms.by_signature("_unknown", 3)) or any(True for _ in atoms.by_signature("_ask", 2))


def enumerating(ctl: clingo.Control, mode: str | None) -> None:
    """The control set to enumerate brave or cautious consequences (`mode`), or to find one model (None)."""
    ctl.configuration.solve.enum_mode = mode or "auto"  # type: ignore[union-attr]
    ctl.configuration.solve.models = 0 if mode else 1  # type: ignore[union-attr]


def _solve_last(ctl: clingo.Control, mode: str | None, read: Callable[[clingo.Model], T]) -> T | None:
    """The last model of a solve, read once: brave and cautious models only grow or shrink to it."""
    if mode is not None:
        enumerating(ctl, mode)
    last: list[T] = []
    assumed.solve(ctl, [], on_last=lambda model: last.append(read(model)))
    return last[0] if last else None


def _both(ctl: clingo.Control, read: Callable[[clingo.Model], T], empty: T) -> tuple[T, T]:
    """Brave and cautious consequences (the same object when there is nothing to enumerate)."""
    if not has_choices(ctl):
        only = _solve_last(ctl, None, read)
        return (only, only) if only is not None else (empty, empty)
    brave = _solve_last(ctl, "brave", read)
    cautious = _solve_last(ctl, "cautious", read)
    return (brave if brave is not None else empty), (cautious if cautious is not None else empty)


def consequences(ctl: clingo.Control) -> Consequences:
    brave, cautious = _both(ctl, lambda m: set(m.symbols(shown=True)), set())
    return Consequences(brave, cautious)


def consequence_texts(ctl: clingo.Control) -> tuple[list[str], list[str]]:
    """Brave and cautious consequences as atom texts: what deciding reads (see solver.compile.terms)."""
    brave, cautious = _both(ctl, lambda m: m.symbols(shown=True), [])
    texts = [str(s) for s in brave]
    if cautious is brave:
        return texts, texts
    # A cautious atom is brave too: its text is found by the symbol's id (clingo keeps one symbol for equal
    # terms) rather than made again (two calls, two buffers and a decoding).
    made = {s._rep: text for s, text in zip(brave, texts, strict=True)}
    return texts, [made.get(s._rep) or str(s) for s in cautious]


def case_symbol(index: int) -> Symbol:
    return Number(index)


def subject_tuple(subject: tuple[str, ...]) -> Symbol:
    return Tuple_([String(s) for s in subject])
