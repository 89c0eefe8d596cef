"""A deadline's `met by` fact in the editor: a use of the predicate, so that references and renaming find it."""

from __future__ import annotations

from havre.lsp.workspace import Overlay
from tests.helpers import ROOT

CHANGES = ROOT / "policy/qhc/changes.havre"


def test_met_by_is_a_use_of_the_fact_it_names() -> None:
    analysis = Overlay().analyse(ROOT / "policy/main.havre")
    lines = CHANGES.read_text(encoding="utf-8").splitlines()
    uses = [o for o in analysis.index.uses("predicate", "change_reported_on") if not o.definition]
    [met] = [o for o in uses if "met by" in lines[o.span.line - 1]]
    assert lines[met.span.line - 1] == "  deadline for applicant met by change_reported_on"
    assert lines[met.span.line - 1][met.span.column - 1 : met.span.end_column - 1] == "change_reported_on"
    assert analysis.index.at(str(CHANGES), met.span.line, met.span.column) == met
