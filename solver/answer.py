"""Decoded answers: verdicts per subject with their status, value, rules and missing facts."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from solver.case import Value
from solver.names import Unknown

Status = Literal["holds", "fails", "undetermined"]


@dataclass(frozen=True, slots=True)
class Verdict:
    verdict: str
    subject: tuple[str, ...]
    status: Status
    value: Value | Unknown | None
    rules: tuple[str, ...]  # rule IDs that concluded it (in every completion when it holds)
    missing: tuple[tuple[str, ...], ...] = ()  # smallest sets of unknown facts that would decide it

    @property
    def key(self) -> tuple[str, tuple[str, ...]]:
        return self.verdict, self.subject


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
    conflicts: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = field(default=())
    partial: tuple[str, ...] = ()  # searches stopped by their time budget: "missing" (see solver.decide)

    def get(self, verdict: str, *subject: str) -> Verdict:
        """The verdict for a subject; a subject not listed fails (it holds in no completion)."""
        for v in self.verdicts:
            if v.verdict == verdict and v.subject == subject:
                return v
        return Verdict(verdict, subject, "fails", None, ())


def fact_text(pred: str, args: tuple[str, ...]) -> str:
    return f"{pred}({', '.join(args)})"
