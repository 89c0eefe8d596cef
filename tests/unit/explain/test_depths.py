"""A derived fact worked out once serves every depth it reads the same at, and only those."""

from __future__ import annotations

import json
from functools import cache

import pytest

from explain.derivation import depths
from explain.derivation.depths import Kept
from explain.derivation.graph import Graph
from explain.view.case_view import explanation_view
from havre.api import Policy, load_policy
from solver.cases.case import Case
from solver.solve.answer import Decision
from tests.helpers import ROOT


@cache
def policy() -> Policy:
    return load_policy(ROOT / "policy")


def test_a_result_serves_the_depths_where_every_cut_off_falls_the_same_way() -> None:
    # Conditions down to 3 levels below: worked out at 1, the same at 0 and 2 (down to 5), cut off from 3 (6).
    followed = Kept(1, "r", 3, None)
    assert [d for d in range(7) if followed.serves(d)] == [0, 1, 2]
    # Cut off where it was worked out (5 + 3 >= 6): it serves that depth alone.
    assert [d for d in range(7) if Kept(5, "r", 3, None).serves(d)] == [5]
    # Nested failures asked for 0 to 1 levels below: explained above depth 3 only, left out from it on.
    assert [d for d in range(6) if Kept(0, "r", 1, (0, 1)).serves(d)] == [0, 1]
    assert [d for d in range(6) if Kept(3, "r", 1, (0, 1)).serves(d)] == [3, 4]
    assert [d for d in range(6) if Kept(2, "r", 1, (0, 1)).serves(d)] == [2]  # one explained, one left out
    assert [d for d in range(7) if Kept(4, "r", -1, None).serves(d)] == list(range(7))  # no condition at all


def same_depth(kept: Kept[object], depth: int) -> bool:
    return depth == kept.depth


def test_explanations_are_those_worked_out_at_every_depth_anew(monkeypatch: pytest.MonkeyPatch) -> None:
    p = policy()
    asked: list[str] = []
    serves = Kept.serves

    def counted(kept: Kept[object], depth: int) -> bool:
        served = serves(kept, depth)
        asked.append("same" if depth == kept.depth else "reused" if served else "refused")
        return served

    def views(rule: object, case: Case, graph: Graph, decision: Decision) -> list[str]:
        monkeypatch.setattr(depths.Kept, "serves", rule)
        out = []
        for lang in ("en", "fr"):
            for why_not in (False, True):
                fresh = Graph(p.checked, graph.trace, case, p.explainer.tables)
                view = explanation_view(p.checked, case, decision, fresh, lang, why_not=why_not)
                out.append(json.dumps(view, sort_keys=True, default=str))
        return out

    # Not every case takes both ways (amina-selected.yaml refuses none): the three together do.
    for name in ("amina-selected", "leila-family-selection", "rania-psr-montreal-group"):
        case = p.case(ROOT / f"policy/examples/{name}.yaml")
        graph, decision = p.explainer.graph(case)
        assert views(counted, case, graph, decision) == views(same_depth, case, graph, decision), name
    assert {"reused", "refused"} <= set(asked)  # both ways are taken in these explanations
