"""An explanation words the verdicts that are settled while the missing facts of the others are still being
searched: what it shows is what it showed when it waited for them first, and no search runs on after it."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from functools import cache

import pytest

from explain import explanation
from explain.view.case_view import explanation_view
from havre.api import Policy, load_policy
from solver.solve import decide, missing, shaped
from solver.solve.trace import Pending
from tests.helpers import ROOT

AMINA = ROOT / "policy/examples/amina-selected.yaml"


@cache
def policy() -> Policy:
    return load_policy(ROOT / "policy")


@pytest.fixture(autouse=True)
def idle_pool(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The shapes grounded at first sight, and a pool of their own for the work started ahead."""
    monkeypatch.setattr(shaped, "SIGHTINGS", 1)
    monkeypatch.setattr(shaped, "LATER", None)
    monkeypatch.setattr(decide, "MISSING_SECONDS", 120.0)
    with ThreadPoolExecutor(max_workers=2) as pool:
        monkeypatch.setattr(decide, "SOON", pool)
        monkeypatch.setattr(missing, "SOON", pool)
        yield


def waited_first(lang: str) -> dict[str, object]:
    """Amina's explanation worded once her decision with its missing facts is known."""
    p = policy()
    case = p.case(AMINA)
    graph, decision = p.explainer.graph(case)
    view = explanation_view(p.checked, case, decision, graph, lang)
    if decision.partial:
        view["partial"] = list(decision.partial)
    return view


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_an_explanation_worded_while_the_search_runs_is_the_one_worded_after_it(lang: str) -> None:
    p = policy()
    missing.MissingFinder(p.program, p.checked, p.case(AMINA))  # the finder's shape is kept: the search runs ahead
    expected = waited_first(lang)
    assert p.explain(AMINA, lang=lang) == expected
    [csq_expiry] = [v for v in expected["verdicts"] if v["key"] == "v-csq_expiry-app1"]  # type: ignore[attr-defined]
    assert csq_expiry["status"] == "undetermined"
    assert csq_expiry["missing"] == [["csq_issued_on(app1)"]]
    assert len(csq_expiry["questions"]) == 1


def test_the_decision_page_worded_while_the_search_runs_is_the_one_worded_after_it() -> None:
    p = policy()
    case = p.case(AMINA)
    missing.MissingFinder(p.program, p.checked, case)
    view, decision = p.decision_view(case, lang="fr")
    assert decision == p.decide(case)
    assert view["summary"] == waited_first("fr")["summary"]


def test_no_search_runs_on_after_an_explanation_whose_wording_failed(monkeypatch: pytest.MonkeyPatch) -> None:
    p = policy()
    missing.MissingFinder(p.program, p.checked, p.case(AMINA))
    p.explain(AMINA)  # the explanation program's shape is kept
    made: list[Pending] = []
    graph_pending = explanation.Explainer.graph_pending

    def kept(self: explanation.Explainer, case: object) -> object:
        found = graph_pending(self, case)  # type: ignore[arg-type]
        made.append(found[2])
        return found

    def broken(*_: object, **__: object) -> None:
        raise RuntimeError("wording failed")

    monkeypatch.setattr(explanation.Explainer, "graph_pending", kept)
    monkeypatch.setattr(explanation, "explanation_view", broken)
    with pytest.raises(RuntimeError, match="wording failed"):
        p.explain(AMINA)
    [pending] = made
    assert pending.ahead is not None and pending.ahead.done()
