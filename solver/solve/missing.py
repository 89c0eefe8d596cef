"""The smallest sets of unknown facts that would decide an undetermined verdict.

A set S decides a verdict when any two completions of the case that agree on
S agree on the verdict. We look for such sets with clingo alone, as an
implicit hitting-set search:

- the case is grounded twice (copies 0 and 1) with the facts in S tied
  between the copies; an optimising solve finds pairs of completions that
  differ on the verdict with as few differing unknown facts as possible;
- each pair's differing facts form a set that every deciding S must hit; a
  second small optimisation proposes every smallest S hitting all sets found
  so far;
- a proposal with no counterexample decides the verdict.

One solve reports every such set of the fewest facts (up to CORES), not just
one: a verdict that needs six findings, each able to change it alone, takes
two solves in place of seven. Which sets a solve reports changes how many
solves the search makes, never its answer: the answer is every smallest
proposal that no pair refutes.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from weakref import WeakKeyDictionary

from clingo import Control, Function, Number, Symbol

from grammar.checks.checked import CheckedPolicy
from grammar.typed import nodes as n
from solver.cases.case import Case
from solver.compile.cone import inputs_read, narrowed_program
from solver.compile.emit import AspProgram
from solver.solve import assumed, shaped
from solver.solve.answer import fact_text
from solver.solve.cones import Cones, Key
from solver.solve.run import control, subject_tuple
from solver.solve.shaped import Fallback, Shape

MAX_ROUNDS = 40
MAX_SETS = 6
CORES = 16  # the sets of fewest differing facts one solve reports at most
PART_SHARE = 0.5  # a verdict's part of the policy is searched on its own grounding when it is at most this share


_METAS: dict[str, str] = {}  # per policy hash: bounded by the policies a process loads


def _meta(policy: CheckedPolicy) -> str:
    """The search's rules for this policy, made once: every decision with missing facts asks for them."""
    if policy.hash not in _METAS:
        _METAS[policy.hash] = _meta_text(policy)
    return _METAS[policy.hash]


def _meta_text(policy: CheckedPolicy) -> str:
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
        "#project _dU/1.",
    ]
    for pred in policy.verdicts():
        xs = ",".join(f"X{i}" for i in range(len(pred.params)))
        tup = f"({xs},)" if len(pred.params) == 1 else f"({xs})"
        dom = ", ".join(f"_entity(0,{p.type.name},X{i})" for i, p in enumerate(pred.params))
        target = f"_target({pred.name},{tup})"
        lines.append(f"#external {target} : {dom}.")
        if pred.name in policy.applies:  # whether it applies is part of the answer
            lines.append(f"_odiff :- {target}, _applies({pred.name},0,{tup}), not _applies({pred.name},1,{tup}).")
            lines.append(f"_odiff :- {target}, _applies({pred.name},1,{tup}), not _applies({pred.name},0,{tup}).")
        if pred.is_bool:
            lines.append(f"_odiff :- {target}, {pred.name}(0,{xs}), not {pred.name}(1,{xs}).")
        else:
            lines.append(f"_odiff :- {target}, {pred.name}(0,{xs},V), not {pred.name}(1,{xs},V).")
            lines.append(f"_odiff :- {target}, {pred.name}(0,{xs},V), U = @unknowns(V), not _inS(U).")
            lines.append(f"_dU(U) :- {target}, {pred.name}(C,{xs},V), C = 0..1, U = @unknowns(V), not _inS(U).")
    return "\n".join(lines) + "\n"


# In a shape's grounding the assessment date is the unknown `u(_today, ())` too: it is always held.
SHAPED_META = "#external _inS((_today,())).\n"


def _shape_of(policy: CheckedPolicy) -> shaped.Grounding:
    """What the search asks of solver.solve.shaped: its rules, its own #show, two copies of the case, and what
    each verdict can read (solver.solve.cones); kept with the parts for a part of the policy."""
    return shaped.Grounding(_meta(policy) + SHAPED_META, None, 2, True, bool(policy.part_of))


@dataclass(frozen=True)
class _SearchAtoms:
    """What the search sets in a grounding, read once; a shape's, once for every case of it."""

    in_s: dict[Key, tuple[int, str]]  # an input fact's `_inS` literal, and its text in `_dU`
    targets: dict[str, int]  # `_target(verdict, subject)` by its text

    @staticmethod
    def of(ctl: Control) -> _SearchAtoms:
        atoms = ctl.symbolic_atoms
        in_s = {}
        for a in atoms.by_signature("_inS", 1):
            key = a.symbol.arguments[0]
            pred, args = key.arguments
            in_s[(pred.name, tuple(x.string for x in args.arguments))] = (a.literal, str(key))
        return _SearchAtoms(in_s, {str(a.symbol): a.literal for a in atoms.by_signature("_target", 2)})


def _configured(ctl: Control) -> _SearchAtoms:
    """The search's atoms of a grounding, which is set up for the search's solves."""
    ctl.configuration.solve.opt_mode = "optN"  # type: ignore[union-attr]
    ctl.configuration.solve.models = CORES  # type: ignore[union-attr]
    # Optima told apart by the facts they differ on alone (`#project _dU/1.`), not by the rest of each
    # completion. Projected on the shown atoms instead (`show`), clasp reported one optimum a solve here.
    ctl.configuration.solve.project = "project"  # type: ignore[union-attr]
    # The search makes many short solves on one grounding: with this heuristic in place of clasp's default,
    # each took a fifth less time for amina-selected.yaml.
    ctl.configuration.solver.heuristic = "Vmtf"  # type: ignore[union-attr]
    return _SearchAtoms.of(ctl)


_SHAPES_ATOMS: WeakKeyDictionary[Shape, _SearchAtoms] = WeakKeyDictionary()


class MissingFinder:
    """Grounds one case twice, then answers for any of its verdicts; or takes the grounding of the case's shape
    (solver.solve.shaped) with the case set by assumptions, when one is kept. There, a verdict that needs solves
    is searched on the shape of its part of the policy (`_part_search`), once that is kept too."""

    def __init__(self, program: AspProgram, policy: CheckedPolicy, case: Case) -> None:
        self._start(policy, case)
        try:
            shape = shaped.shape_for(program, policy, case, _shape_of(policy)) if shaped.ENABLED else None
            if shape is not None:
                self._from_shape(shape, case)
                return
        except Fallback:
            pass
        # Only `_dU` is shown (the meta program's own #show): models stay small.
        self.ctl = control(program, policy, [(Number(0), case), (Number(1), case)], extra=_meta(policy), show=None)
        self._numbered()

    @staticmethod
    def kept(program: AspProgram, policy: CheckedPolicy, case: Case) -> MissingFinder | None:
        """The finder on the kept grounding of the case's shape; None before one is kept (it counts as a
        sighting of that shape: solver.solve.shaped), or when the case goes the reference way."""
        try:
            shape = shaped.shape_for(program, policy, case, _shape_of(policy))
        except Fallback:
            return None
        if shape is None:
            return None
        finder = MissingFinder.__new__(MissingFinder)
        finder._start(policy, case)
        try:
            finder._from_shape(shape, case)
        except Fallback:
            return None
        return finder

    def _start(self, policy: CheckedPolicy, case: Case) -> None:
        self.policy = policy
        self.case = case
        self.base: list[int] = []  # the case's own assumptions, in a shape's grounding
        self.shape: Shape | None = None
        self.cones: Cones | None = None
        self.pooled: dict[str, str] = {}
        self.parts: dict[str, MissingFinder | None] = {}  # by the part's hash; None: its shape not kept yet
        self.solving = self  # whose grounding is being solved: the one `stop_at` interrupts
        self.switch = threading.Lock()

    def _from_shape(self, shape: Shape, case: Case) -> None:
        setting = shape.setting(case)
        self.shape, self.ctl, self.pooled, self.cones = shape, shape.ctl, setting.pooled, shape.cones
        with shape.lock:
            if shape not in _SHAPES_ATOMS:
                _SHAPES_ATOMS[shape] = _configured(shape.ctl)
        atoms = _SHAPES_ATOMS[shape]
        unknown = sorted(setting.unknown)
        self._number(atoms, unknown, {v: k for k, v in setting.pooled.items()})
        # Every other fact a comparison or a value reads is known: held between the copies.
        asked = set(unknown)
        self.base = setting.assumptions + [literal for key, (literal, _) in atoms.in_s.items() if key not in asked]

    def _numbered(self) -> None:
        atoms = _configured(self.ctl)
        self._number(atoms, sorted(atoms.in_s), {})
        for literal in [*self.in_s, *self.targets.values()]:
            self.ctl.assign_external(literal, None)  # free: each solve fixes them by assumptions

    def _number(self, atoms: _SearchAtoms, unknown: list[Key], names: dict[str, str]) -> None:
        """Unknown facts are numbered once; the search then touches no clingo symbol but the model's. `names`
        gives the case's id of a pooled one (solver.solve.shaped)."""
        self.pred_of = [pred for pred, _ in unknown]
        self.key_of = unknown
        self.fact_of = [fact_text(pred, tuple(names.get(a, a) for a in args)) for pred, args in unknown]
        self.number = {atoms.in_s[key][1]: i for i, key in enumerate(unknown)}
        self.in_s = [atoms.in_s[key][0] for key in unknown]
        self.targets = atoms.targets
        self.reads: dict[str, frozenset[str]] = {}

    def find(
        self, verdict: str, subject: tuple[str, ...], deadline: float | None = None
    ) -> tuple[tuple[str, ...], ...] | None:
        """The smallest sets of facts that decide the verdict, which is undetermined; None when `deadline`
        (time.monotonic) passes."""
        pooled = tuple(self.pooled.get(s, s) for s in subject)
        aim = self._aim(verdict, pooled)
        # Facts the verdict cannot read are tied between the copies: they never make a difference.
        if verdict not in self.reads:
            self.reads[verdict] = inputs_read(self.policy, verdict)
        read = self.reads[verdict]
        cone = None if self.cones is None else self.cones.of(verdict, pooled)
        relevant = [
            i for i, pred in enumerate(self.pred_of) if pred in read and (cone is None or self.key_of[i] in cone)
        ]
        if len(relevant) == 1:  # undetermined, so not decided with nothing tied: its one fact decides it
            return ((self.fact_of[relevant[0]],),)
        part = self._part_search(verdict)
        if part is not None:
            return self._found_on(part, verdict, subject, deadline)
        every = frozenset(relevant)
        tied = frozenset(range(len(self.pred_of))) - every
        found: list[frozenset[int]] = []
        for _ in range(MAX_ROUNDS):
            proposals = _smallest_hitting_sets(relevant, found)
            fresh: list[frozenset[int]] = []
            for s in proposals:
                if s == every:  # every fact tied: the two copies are one case, and decide alike
                    continue
                if any(not (s & c) for c in fresh):  # refuted already by a pair found this round
                    continue
                fresh += self._counterexamples(s | tied, aim)
                if deadline is not None and time.monotonic() > deadline:
                    return None  # a solve cut short proves nothing
            if not fresh:
                return tuple(sorted(tuple(sorted(self.fact_of[i] for i in s)) for s in proposals)[:MAX_SETS])
            found.extend(fresh)
        return ()

    def _aim(self, verdict: str, pooled: tuple[str, ...]) -> list[int]:
        """The assumptions that make the verdict about `pooled` (its subject's ids in this grounding) the one whose
        two completions must differ, and no other."""
        target = str(Function("_target", [Function(verdict), subject_tuple(pooled)]))
        return [literal if t == target else -literal for t, literal in self.targets.items()]

    def _part_search(self, verdict: str) -> MissingFinder | None:
        """The finder on the shape of the part of the policy that decides the verdict (solver.compile.cone), when
        that is kept and smaller than the whole. clasp's set-up of a solve grows with the grounding (about 0.1 µs
        an atom, whatever the solve assumes): amina-selected.yaml's verdicts that need solves read parts of 3 to
        64 of the policy's 200 predicates, and each of their solves took 0.03 to 0.35 ms on their part's
        grounding against 0.7 ms on the whole's. None in a part's own finder, on the reference path, and for a
        case of more than LARGE entities."""
        if self.shape is None or self.policy.part_of or len(self.case.entities) > shaped.LARGE:
            return None  # a large case's parts are about as large as its whole (solver.solve.shaped.PART_ATOMS)
        part, program = narrowed_program(self.policy, [verdict])
        if len(part.predicates) > PART_SHARE * len(self.policy.predicates):
            return None
        if part.hash not in self.parts:
            self.parts[part.hash] = MissingFinder.kept(program, part, self.case.about(part.predicates))
        return self.parts[part.hash]

    def _found_on(
        self, part: MissingFinder, verdict: str, subject: tuple[str, ...], deadline: float | None
    ) -> tuple[tuple[str, ...], ...] | None:
        assert part.shape is not None
        with part.shape.lock:  # a shape's grounding answers one search at a time
            with self.switch:
                self.solving = part
            try:
                return part.find(verdict, subject, deadline)
            finally:
                with self.switch:
                    self.solving = self

    def _interrupt(self) -> None:
        with self.switch:
            self.solving.ctl.interrupt()

    def _counterexamples(self, chosen: frozenset[int], aim: list[int]) -> list[frozenset[int]]:
        """The unknown facts two completions differ on, as few as possible, when they differ on the verdict: every
        such set (up to CORES), or none when no two completions differ on it.

        A solve still running at the deadline is interrupted (see `stop_at`): what it found is taken, and the
        caller, past the deadline, ends the search."""
        assumptions = self.base + aim + [literal if i in chosen else -literal for i, literal in enumerate(self.in_s)]
        smallest: list[frozenset[int]] = []
        last: frozenset[int] | None = None
        for model in assumed.models(self.ctl, assumptions):
            last = frozenset(self.number[str(s)[4:-1]] for s in model.symbols(shown=True))  # _dU(U)
            if model.optimality_proven:
                smallest.append(last)
        return smallest or ([] if last is None else [last])

    @contextmanager
    def stop_at(self, deadline: float) -> Iterator[None]:
        """Within the block, a solve still running at `deadline` (time.monotonic) is interrupted."""
        timer = threading.Timer(max(0.0, deadline - time.monotonic()), self._interrupt)
        timer.daemon = True
        lock = self.shape.lock if self.shape is not None else contextlib.nullcontext()
        with lock:  # a shape's grounding answers one search at a time
            timer.start()
            try:
                yield
            finally:
                timer.cancel()


SOON = ThreadPoolExecutor(max_workers=2, thread_name_prefix="missing-facts")


def finder_soon_needed(program: AspProgram, policy: CheckedPolicy, case: Case) -> bool:
    """Whether no shape of the case's finder is kept or on its way: `finder_soon` grounds one on another thread."""
    return not shaped.ENABLED or shaped.unseen(program, policy, case, _shape_of(policy))


def finder_soon(program: AspProgram, policy: CheckedPolicy, case: Case) -> Future[MissingFinder] | None:
    """The case's finder, grounded on another thread while the case itself is being decided, when no shape of
    it is kept: a one-off decision (a `havre decide`) then waits for both groundings at once, not in turn.
    None when a kept shape serves the finder in little time. When the case turns out to leave no verdict
    undetermined, the finder is not used and counts as a sighting of its shape (solver.solve.shaped)."""
    if not finder_soon_needed(program, policy, case):
        return None
    return SOON.submit(MissingFinder, program, policy, case)


def _smallest_hitting_sets(universe: list[int], sets: list[frozenset[int]]) -> list[frozenset[int]]:
    """Every smallest set of universe elements meeting each of `sets`, by branching on an unmet set.

    Any smallest hitting set meets the unmet set chosen at each step, so deepening
    the size bound one at a time finds all of them; the families met here are small.
    """
    allowed = set(universe)
    family = [s & allowed for s in sets]
    if any(not s for s in family):
        return []
    found: set[frozenset[int]] = set()
    size = 0
    while not found:
        size += 1
        _branch(frozenset(), family, size, found)
    return sorted(found, key=sorted)


def _branch(
    chosen: frozenset[Symbol], family: list[frozenset[Symbol]], size: int, found: set[frozenset[Symbol]]
) -> None:
    unmet = [s for s in family if not (s & chosen)]
    if not unmet:
        found.add(chosen)
        return
    if len(chosen) == size:
        return
    for element in min(unmet, key=len):
        _branch(chosen | {element}, family, size, found)
