"""Decoded answers: verdicts per subject with their status, value, rules and missing facts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from solver.cases.case import Value
from solver.compile.names import Unknown

# holds, fails, undetermined: what the rules conclude in every, no, or some completion of the unknown facts.
# conflict: rules conclude two values of a single-valued verdict. not_applicable: outside its `applies if`.
Status = Literal["holds", "fails", "undetermined", "conflict", "not_applicable"]
STATUSES: tuple[Status, ...] = ("holds", "fails", "undetermined", "conflict", "not_applicable")
Key = tuple[str, tuple[str, ...]]  # a predicate and its subject


@dataclass(frozen=True, slots=True)
class Side:
    """One value of a conflict and the rules that concluded it."""

    value: Value | Unknown
    rules: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Conflict:
    """Two or more values concluded for one single-valued fact."""

    predicate: str
    subject: tuple[str, ...]
    sides: tuple[Side, ...]
    certain: bool  # in every completion of the unknown facts; otherwise in some

    @property
    def key(self) -> Key:
        return self.predicate, self.subject

    @property
    def rules(self) -> tuple[str, ...]:
        return tuple(sorted({r for s in self.sides for r in s.rules}))


@dataclass(frozen=True, slots=True)
class Verdict:
    verdict: str
    subject: tuple[str, ...]
    status: Status
    value: Value | Unknown | None
    rules: tuple[str, ...]  # rule IDs that concluded it (in every completion when it holds)
    missing: tuple[tuple[str, ...], ...] = ()  # smallest sets of unknown facts that would decide it
    conflict: Conflict | None = None  # when the status is `conflict`
    applicable: bool | None = True  # None: whether it applies depends on unknown facts
    rests_on: tuple[Key, ...] = ()  # conflicting facts it was concluded from, in some completion

    @property
    def key(self) -> Key:
        return self.verdict, self.subject

    @property
    def decided(self) -> bool:
        return self.status in ("holds", "fails")


@dataclass(frozen=True, slots=True)
class Violation:
    """A declared invariant broken by the case (in some completion, when `certain` is false)."""

    invariant: str
    bindings: tuple[str, ...]
    certain: bool


@dataclass(frozen=True, slots=True)
class Decision:
    case_id: str
    policy_hash: str
    verdicts: tuple[Verdict, ...]
    unknowns: tuple[str, ...] = ()
    violations: tuple[Violation, ...] = ()
    conflicts: tuple[Conflict, ...] = ()  # every conflicting fact of the case, derived facts included
    scoped: frozenset[str] = frozenset()  # verdicts with `applies if`: a subject not listed does not apply
    partial: tuple[str, ...] = ()  # searches stopped by their time budget: "missing" (see solver.solve.decide)

    def get(self, verdict: str, *subject: str) -> Verdict:
        """The verdict for a subject; a subject not listed fails (it holds in no completion) or does not apply."""
        for v in self.verdicts:
            if v.verdict == verdict and v.subject == subject:
                return v
        if verdict in self.scoped:
            return Verdict(verdict, subject, "not_applicable", None, (), applicable=False)
        return Verdict(verdict, subject, "fails", None, ())

    @property
    def has_conflict(self) -> bool:
        return bool(self.conflicts)


def fact_text(pred: str, args: tuple[str, ...]) -> str:
    return f"{pred}({', '.join(args)})"
