"""The Python API: load a policy once, decide cases with it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from grammar.check import load
from grammar.checked import CheckedPolicy
from solver.answer import Decision
from solver.case import Case
from solver.casefile import load_case, parse_case
from solver.decide import decide_many
from solver.emit import AspProgram, emit

DEFAULT_POLICY = Path("policy")
CaseLike = Case | str | Path | Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Policy:
    checked: CheckedPolicy
    program: AspProgram

    @property
    def hash(self) -> str:
        return self.checked.hash

    def case(self, case: CaseLike) -> Case:
        """A Case from a Case, a case file path, or an already parsed document."""
        if isinstance(case, Case):
            return case
        if isinstance(case, str | Path):
            return load_case(Path(case), self.checked)
        return parse_case(case, self.checked, "<case>")

    def decide(self, case: CaseLike, *, missing: bool = True) -> Decision:
        return decide_many(self.program, self.checked, [self.case(case)], missing=missing)[0]

    def decide_many(self, cases: Iterable[CaseLike], *, missing: bool = True) -> list[Decision]:
        """Every case grounded in one clingo call."""
        return decide_many(self.program, self.checked, [self.case(c) for c in cases], missing=missing)


def load_policy(path: str | Path = DEFAULT_POLICY) -> Policy:
    """Parse, check and compile a policy folder (its main.havre) or file."""
    checked = load(path)
    return Policy(checked, emit(checked))
