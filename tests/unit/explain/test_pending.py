"""An explanation words the verdicts that are settled while the missing facts of the others are still being
searched, and takes the decision made on the search's thread when it is there: what it shows is what it showed
when it waited for them first, and no search runs on after it."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from functools import cache
from pathlib import Path

import pytest

from explain import explanation
from explain.view.case_view import explanation_view
from havre.api import Policy, load_policy
from solver.cases.case import Case
from solver.solve import decide, missing, shaped, trace
from solver.solve.answer import Decision
from solver.solve.trace import Pending
from tests.helpers import ROOT

AMINA = ROOT / "policy/examples/amina-selected.yaml"
CONFLICTING_RULE = """
rule PROC-5.capacity "Refused: able to integrate" fr "Refusée : capable de s'intégrer"
  cites PROC-5
  decision(A) = refused if principal(A) = P and capacity_to_integrate(P).
"""


@cache
def policy() -> Policy:
    return load_policy(ROOT / "policy")


@pytest.fixture(autouse=True)
def idle_pool(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The shapes grounded at first sight, and a pool of their own for the work started ahead."""
    monkeypatch.setattr(shaped, "SIGHTINGS", 1)
    monkeypatch.setattr(shaped, "LATER", None)
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


def settled_on_another_thread(p: Policy, case: Case) -> Future[Decision]:
    found: Future[Decision] = Future()
    found.set_result(decide._decided(p.program, p.checked, [case])[0])
    return found


def test_the_decision_made_on_another_thread_is_taken_when_it_is_there(monkeypatch: pytest.MonkeyPatch) -> None:
    p = policy()
    case = p.case(AMINA)
    text = p.explainer.chain_text
    [(expected_trace, expected)] = trace._traced_settled(p.program, text, p.checked, [case])
    settled = settled_on_another_thread(p, case)
    with monkeypatch.context() as m:
        m.setattr(trace, "decode_case", None)  # not read again from the explanation program's atoms
        [(found_trace, found)] = trace._traced_settled(p.program, text, p.checked, [case], settled)
    assert found is settled.result()
    assert (found_trace, found) == (expected_trace, expected)
    assert trace._traced_settled(p.program, text, p.checked, [case], Future()) == [(expected_trace, expected)]


def test_a_decision_with_a_conflict_is_read_with_what_rests_on_it(tmp_path: Path) -> None:
    """Made on another thread, a decision with a conflict does not say what rests on it: it is read again."""
    folder = tmp_path / "policy"
    shutil.copytree(ROOT / "policy", folder)
    with (folder / "qhc/decision.havre").open("a", encoding="utf-8") as f:
        f.write(CONFLICTING_RULE)
    p = load_policy(folder)
    case = p.case(AMINA)
    settled = settled_on_another_thread(p, case)
    assert settled.result().get("csq_count", "app1").rests_on == ()
    [(_, found)] = trace._traced_settled(p.program, p.explainer.chain_text, p.checked, [case], settled)
    assert found.get("decision", "app1").status == "conflict"
    assert found.get("csq_count", "app1").rests_on == (("decision", ("app1",)),)
