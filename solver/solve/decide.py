"""Deciding cases: verdicts for many cases grounded together (in chunks), for one through its shape's grounding
(solver.solve.shaped), then missing facts."""

from __future__ import annotations

import time
from collections.abc import Collection, Iterable, Iterator, Sequence
from concurrent.futures import Future
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import replace
from itertools import product

from grammar.checks.checked import CheckedPolicy
from solver.cases.case import Case
from solver.compile.emit import AspProgram
from solver.solve import shaped
from solver.solve.answer import Decision, Key
from solver.solve.missing import SOON, MissingFinder, finder_soon, finder_soon_needed
from solver.solve.readout import by_case, decode_case
from solver.solve.run import case_symbol, consequence_texts, control


def decide_many(
    program: AspProgram, policy: CheckedPolicy, cases: Sequence[Case], *, missing: bool = True, by_shape: bool = True
) -> list[Decision]:
    """`by_shape=False`: a program decided once or twice (a verdict's part, for what-if) goes the reference way, so
    that its grounding never takes the place of a shape the process keeps."""
    # A case that states every input leaves nothing to search for: no finder is grounded for it. Asked only when
    # a finder would be grounded, so that a warm decision (its finder kept) does not check every input.
    ahead = (
        missing
        and len(cases) == 1
        and finder_soon_needed(program, policy, cases[0])
        and not states_every_input(policy, cases[0])
    )
    soon = finder_soon(program, policy, cases[0]) if ahead else None
    decisions = _decided(program, policy, cases) if by_shape else reference(program, policy, cases)
    # What rests on a conflict is worked out only for the cases that have one: it costs a grounding of its own.
    clashing = [i for i, d in enumerate(decisions) if d.conflicts]
    if clashing:
        again = _decided(program, policy, [cases[i] for i in clashing], program.rests_on)
        for i, d in zip(clashing, again, strict=True):
            decisions[i] = d
    if missing:
        decisions = [
            with_missing(program, policy, case, d, soon=soon) for case, d in zip(cases, decisions, strict=True)
        ]
    return decisions


# Cases grounded together share the grounder's fixed cost (about 50 ms a grounding, whatever it holds, and more
# with the why-not chains), but brave and cautious enumeration walks the completions of all of them at once: a
# chunk's models grow with its unknown inputs, and so does each model's cost. So a chunk takes cases until their
# unknown inputs would pass a budget (`chunked`; benchmarks/README.md, "Chunks by unknown inputs"). Generated
# cases leave about 42 inputs unknown with a tenth of their facts unknown, 133 with two fifths: a chunk to decide
# then holds 25 (at most) or about 13; one of the explanation program, which shows about four times the atoms,
# about 24 or 7. The tests' runs spread tens on the cores (CHUNK).
CHUNK = 10
DECIDING_CHUNK = 25
DECIDING_BUDGET = 1_800  # unknown inputs in a chunk to decide
EXPLAINING_BUDGET = 1_000  # in a chunk of the explanation program (solver.solve.trace)


def _decided(program: AspProgram, policy: CheckedPolicy, cases: Sequence[Case], extra: str = "") -> list[Decision]:
    if len(cases) == 1 and not extra and shaped.ENABLED:  # one case: its shape's grounding (solver.solve.shaped)
        texts = shaped.solve_shaped(program, policy, cases[0])
        if texts is not None:
            return [decode_case(policy, cases[0], by_case(*texts)[0])]
    return reference(program, policy, cases, extra)


# A case that leaves no input unknown has one completion and nothing to enumerate: only grounding's fixed cost
# is then shared, the more cases the better.
KNOWN_CHUNK = 50


def reference(program: AspProgram, policy: CheckedPolicy, cases: Sequence[Case], extra: str = "") -> list[Decision]:
    """The verdicts of cases grounded with their facts, in chunks: the straightforward path, the tests' oracle."""
    out: list[Decision | None] = [None] * len(cases)
    for chunk, texts in solved_in_chunks(program, policy, cases, extra, budget=DECIDING_BUDGET):
        indexed = by_case(*texts)
        for i, k in enumerate(chunk):
            out[k] = decode_case(policy, cases[k], indexed[i])
    return [d for d in out if d is not None]


def solved_in_chunks(
    program: AspProgram,
    policy: CheckedPolicy,
    cases: Sequence[Case],
    extra: str = "",
    show: Iterable[str] = (),
    *,
    budget: int,
    size: int = DECIDING_CHUNK,
) -> Iterator[tuple[list[int], tuple[list[str], list[str]]]]:
    """The cases grounded and solved a chunk at a time (the explanation program's, too: solver.solve.trace):
    each chunk's positions among `cases`, and its brave and cautious atom texts, its cases numbered from 0.
    Chunked by their unknown inputs (see `chunked`)."""
    unknown = [unknown_inputs(policy, case, most=budget + 1) for case in cases]
    for chunk in chunked(unknown, budget, size):
        numbered = [(case_symbol(i), cases[k]) for i, k in enumerate(chunk)]
        yield chunk, consequence_texts(control(program, policy, numbered, extra=extra, show=show))


def chunked(unknown: Sequence[int], budget: int, size: int) -> list[list[int]]:
    """The positions of cases with these numbers of unknown inputs, in chunks: those with none by KNOWN_CHUNK,
    then the others in turn, a chunk taking cases while their unknown inputs stay within `budget` (a case over
    it alone), `size` at most."""
    known = [k for k, count in enumerate(unknown) if count == 0]
    out = [known[s : s + KNOWN_CHUNK] for s in range(0, len(known), KNOWN_CHUNK)]
    chunk: list[int] = []
    load = 0
    for k, count in enumerate(unknown):
        if count == 0:
            continue
        if chunk and (load + count > budget or len(chunk) == size):
            out.append(chunk)
            chunk, load = [], 0
        chunk.append(k)
        load += count
    return [*out, chunk] if chunk else out


def states_every_input(policy: CheckedPolicy, case: Case) -> bool:
    """No input of the case's entities is unknown (see `unknown_inputs`)."""
    return unknown_inputs(policy, case, most=1) == 0


def unknown_inputs(policy: CheckedPolicy, case: Case, most: int | None = None) -> int:
    """How many inputs of the case's entities are unknown (counted up to `most`): the instances of the `_unknown`
    rule of solver.compile.emit (`input`). Yes/no inputs false by default are known; so are a yes/no relation's
    pairs of an entity with itself and pairs of a closed list."""
    given = {(f.pred, f.args) for f in case.facts}
    closed = {(c.pred, c.first) for c in case.closed}
    ids: dict[str, list[str]] = {}
    for e in case.entities:
        ids.setdefault(e.type, []).append(e.id)
    count = 0
    for pred in policy.inputs():
        if pred.default_false:
            continue
        relation = pred.is_bool and len(pred.params) > 1
        for args in product(*(ids.get(p.type.name, ()) for p in pred.params)):
            if relation and (args[0] in args[1:] or (pred.name, args[0]) in closed):
                continue
            if (pred.name, args) not in given:
                count += 1
                if count == most:
                    return count
    return count


MISSING_SECONDS = 3.0  # the search for missing facts, per case; see `with_missing`


def with_missing(
    program: AspProgram,
    policy: CheckedPolicy,
    case: Case,
    decision: Decision,
    budget: float | None = None,
    only: Collection[Key] | None = None,
    soon: Future[MissingFinder] | None = None,
    ahead: Future[Decision] | None = None,
) -> Decision:
    """The smallest sets of missing facts of each undetermined verdict (of those in `only`, when given),
    searched for `budget` seconds at most (MISSING_SECONDS by default): the verdicts left when time runs out
    list none, and the decision is marked `partial` ("missing"), so a reader knows the list is not complete.
    `soon`: the case's finder, already on its way (see solver.solve.missing.finder_soon); `ahead`: the case
    decided with its missing facts on another thread (`decided_soon`), taken when its verdicts stand as these do."""
    # An undetermined verdict that may not apply asks, too, what decides whether it applies (solver.solve.missing).
    open_ = [v for v in decision.verdicts if v.status == "undetermined" and (only is None or v.key in only)]
    if not open_:
        return decision
    # Ahead, unless it has not started (the pool busy with other cases): then it is cancelled, and searched here.
    if ahead is not None and only is None and not ahead.cancel() and (found := _taken_from(ahead.result(), decision)):
        return found
    deadline = time.monotonic() + (MISSING_SECONDS if budget is None else budget)
    finder = soon.result() if soon is not None else MissingFinder(program, policy, case)
    filled = {}
    with finder.stop_at(deadline):
        for v in open_:
            found = finder.find(v.verdict, v.subject, deadline)
            if found is None:
                break
            filled[v.key] = replace(v, missing=found)
    partial = decision.partial if len(filled) == len(open_) else (*decision.partial, "missing")
    return replace(decision, verdicts=tuple(filled.get(v.key, v) for v in decision.verdicts), partial=partial)


# Whether a case decided alone may take a second core: its verdicts are then decided again on another thread, on
# its shape's grounding, so that the missing-facts search starts before the explanation program is solved
# (`decided_soon`). Alone on a warm policy, amina-selected.yaml's answer takes 43-50 ms of wall time that way
# against 55-56 in turn, for 64-73 ms of CPU against 56: worth it when a core is idle, a loss when every core is
# busy, as a server's is whenever its requests queue up into batches (havre.web.engine).
_SPARE_CORE: ContextVar[bool] = ContextVar("spare_core", default=True)


@contextmanager
def on_one_core() -> Iterator[None]:
    """Within it, nothing is decided twice to gain time on another core (see `decided_soon`)."""
    token = _SPARE_CORE.set(False)
    try:
        yield
    finally:
        _SPARE_CORE.reset(token)


def decided_soon(
    program: AspProgram, policy: CheckedPolicy, case: Case, settled: Future[Decision] | None = None
) -> Future[Decision] | None:
    """The case decided with its missing facts on another thread, while the caller solves the explanation
    program, which takes about as long on its own: an explanation then waits for the longer of the two, not for
    both in turn. `settled` is given the decision without them as soon as it is made. None for a case that
    states every input (nothing to search for) or whose finder is not kept, and within `on_one_core`."""
    if (
        not _SPARE_CORE.get()
        or not shaped.ENABLED
        or finder_soon_needed(program, policy, case)
        or states_every_input(policy, case)
    ):
        return None
    return SOON.submit(_with_missing_now, program, policy, case, settled)


def _with_missing_now(
    program: AspProgram, policy: CheckedPolicy, case: Case, settled: Future[Decision] | None = None
) -> Decision:
    # Not through decide_many: a task of the pool never waits for another of its tasks.
    [decision] = _decided(program, policy, [case])
    if settled is not None:
        settled.set_result(decision)
    return with_missing(program, policy, case, decision)


def _taken_from(early: Decision, decision: Decision) -> Decision | None:
    """The missing facts found ahead, for a decision whose verdicts stand as the early one's; else None."""
    if [(v.key, v.status) for v in early.verdicts] != [(v.key, v.status) for v in decision.verdicts]:
        return None
    found = {v.key: v.missing for v in early.verdicts}
    partial = decision.partial if "missing" not in early.partial else (*decision.partial, "missing")
    verdicts = tuple(replace(v, missing=found[v.key]) if v.status == "undetermined" else v for v in decision.verdicts)
    return replace(decision, verdicts=verdicts, partial=partial)
