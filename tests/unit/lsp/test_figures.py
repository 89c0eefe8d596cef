"""A figure in the editor: in the outline with the fact it declares; its ID and fact are found where written."""

from __future__ import annotations

from pathlib import Path

from lsprotocol import types as t

from havre.lsp.navigate import symbols
from havre.lsp.workspace import Overlay
from tests.helpers import ROOT

GAR = ROOT / "policy/ref/gar.havre"


def test_the_outline_shows_a_figure_with_its_fact() -> None:
    analysis = Overlay().analyse(ROOT / "policy/main.havre")
    [figure] = [s for s in symbols(analysis, str(GAR)) if s.name == "JUR-6.places"]
    assert (figure.kind, figure.detail) == (
        t.SymbolKind.Number,
        "The number of government-assisted refugees Québec and Canada agreed for the year",
    )
    assert [(c.name, c.detail) for c in figure.children or []] == [
        ("pool_places", "derived pool_places(Y: gar_pool): int")
    ]


def test_the_figure_defines_its_rule_and_its_fact_where_they_are_written() -> None:
    analysis = Overlay().analyse(ROOT / "policy/main.havre")
    lines = Path(GAR).read_text(encoding="utf-8").splitlines()
    rule = analysis.index.definition("rule", "JUR-6.places")
    fact = analysis.index.definition("predicate", "pool_places")
    assert rule is not None and fact is not None
    assert lines[rule.span.line - 1].startswith("figure JUR-6.places ")
    assert lines[fact.span.line - 1].strip().startswith("pool_places(Y: gar_pool): int as of")
    uses = [o for o in analysis.index.uses("predicate", "pool_places") if not o.definition]
    assert [lines[o.span.line - 1].strip() for o in uses] == ["and pool_places_taken(Y) + N <= pool_places(Y)."]
