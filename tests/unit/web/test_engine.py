"""The engine: requests that arrive together are decided together, on one thread or in worker processes, each
answer the same as deciding the case alone."""

from __future__ import annotations

from collections import OrderedDict

import pytest

from havre.api import Policy
from havre.web.engine import Ask, Engine, decide_batch
from solver.cases.casefile import parse_document
from solver.solve import shaped, trace
from tests.unit.web.conftest import case_text

NAMES = ("amina-selected", "fatima-undetermined", "kofi-refused", "rosa-rejected-documents", "mateo-federal-hc")


@pytest.mark.parametrize("workers", [1, 2])
def test_answers_are_those_of_each_case_alone(policy: Policy, workers: int) -> None:
    cases = [policy.case(parse_document(case_text(n), "yaml")) for n in NAMES]
    alone = [policy.decision_view(c, lang="fr") for c in cases]
    engine = Engine(policy, batch=3, workers=workers)
    engine.start()
    try:
        futures = [engine.decide(Ask(c, "fr")) for c in cases]
        asked_alone = engine.run(lambda: policy.decide(cases[0]).verdicts[0].status)
        got = [f.result(timeout=600) for f in futures]
        assert asked_alone.result(timeout=600) == alone[0][1].verdicts[0].status
    finally:
        engine.stop()
    assert [d for _, d in got] == [d for _, d in alone]
    assert [v["summary"] for v, _ in got] == [v["summary"] for v, _ in alone]
    # Decided together or alone, a view has the next deadline `havre decide` shows (mateo's: 2026-12-03).
    assert [v["next_deadline"] for v, _ in got] == [v["next_deadline"] for v, _ in alone]
    assert [v["next_deadline"]["date"] for v, _ in got if v["next_deadline"]] == ["2026-12-03"]


def test_a_case_asked_many_times_at_once_is_decided_through_its_shapes_grounding(
    policy: Policy, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Asks of one shape, as many as make it worth grounding, go one at a time: the second grounds the shape,
    the others are decided by it."""
    monkeypatch.setattr(shaped, "_SHAPES", OrderedDict())
    monkeypatch.setattr(shaped, "_SEEN", {})
    case = policy.case(parse_document(case_text("amina-selected"), "yaml"))
    with monkeypatch.context() as m:
        m.setattr(shaped, "ENABLED", False)
        expected = policy.decision_view(case, brief=True)
    assert not shaped._SEEN
    engine = Engine(policy, batch=shaped.REPEATED)
    futures = [engine.decide(Ask(case, brief=True)) for _ in range(shaped.REPEATED)]  # waiting when it starts
    engine.start()
    try:
        got = [f.result(timeout=600) for f in futures]
    finally:
        engine.stop()
    assert got == [expected] * shaped.REPEATED
    counts = shaped.counts_of(policy.checked, case)
    kept = [key[1] for key in shaped._SHAPES if key[0] == policy.program.text and key[2] == counts]
    assert any(of.extra == policy.explainer.chain_text_for([case]) for of in kept)  # the explanation program's


def test_requests_waiting_while_workers_are_free_are_shared_out_among_them(policy: Policy) -> None:
    """Four requests waiting for two free workers go two to each, not four to one while the other idles; once
    every worker is busy, the requests that wait form one batch."""
    cases = [policy.case(parse_document(case_text(n), "yaml")) for n in NAMES[:4]]
    alone = [policy.decision_view(c, brief=True) for c in cases]
    engine = Engine(policy, batch=25, workers=2)
    sizes: list[int] = []
    handed = engine._decide
    engine._decide = lambda jobs: sizes.append(len(jobs)) or handed(jobs)  # type: ignore[method-assign, func-returns-value]
    futures = [engine.decide(Ask(c, brief=True)) for c in cases]  # waiting when it starts
    engine.start()
    try:
        got = [f.result(timeout=600) for f in futures]
    finally:
        engine.stop()
    assert sizes == [2, 2]
    assert got == alone


def test_asks_of_a_batch_take_no_second_core_and_a_lone_ask_does(
    policy: Policy, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A batch forms only while every worker is busy: its asks decided alone do not decide their verdicts twice to
    start the search for missing facts early (solver.solve.decide.decided_soon); a lone ask, on an idle server, does."""
    case = policy.case(parse_document(case_text("amina-selected"), "yaml"))
    for _ in range(3):  # the deciding, explaining and finding shapes kept
        decide_batch(policy, [Ask(case, brief=True)])
    ahead: list[bool] = []
    start = trace.decided_soon
    monkeypatch.setattr(trace, "decided_soon", lambda *a: ahead.append((f := start(*a)) is not None) or f)  # type: ignore[func-returns-value]
    [lone] = decide_batch(policy, [Ask(case, brief=True)])
    assert ahead == [True]
    both = decide_batch(policy, [Ask(case, brief=True)] * 2)
    assert ahead == [True, False, False]
    assert both == [lone, lone]
    assert decide_batch(policy, [Ask(case, brief=True)]) == [lone] and ahead[-1] is True  # the switch is undone


def test_brief_asks_decided_together_give_the_reasons_of_whole_views(policy: Policy) -> None:
    """The API's asks are brief: the same reasons, summary and questions, without the steps behind them."""
    cases = [policy.case(parse_document(case_text(n), "yaml")) for n in NAMES]
    whole = [policy.decision_view(c) for c in cases]
    engine = Engine(policy, batch=3)
    engine.start()
    try:
        got = [f.result(timeout=600) for f in [engine.decide(Ask(c, brief=True)) for c in cases]]
    finally:
        engine.stop()
    assert [d for _, d in got] == [d for _, d in whole]
    for (brief, _), (full, _) in zip(got, whole, strict=True):
        assert brief["summary"] == full["summary"]
        assert [(v["reason"], v["questions"]) for v in brief["verdicts"]] == [
            (v["reason"], v["questions"]) for v in full["verdicts"]
        ]
        assert all(v["why"] == [] and v["why_not"] == [] for v in brief["verdicts"])


def test_one_case_alone_is_decided_as_the_command_line_decides_it(policy: Policy) -> None:
    case = policy.case(parse_document(case_text("mateo-federal-hc"), "yaml"))
    engine = Engine(policy)
    engine.start()
    try:
        view, decision = engine.decide(Ask(case, "fr", ("hc_departure_deadline",))).result(timeout=600)
    finally:
        engine.stop()
    alone, expected = policy.decision_view(case, lang="fr", verdicts=("hc_departure_deadline",))
    assert decision == expected and view == alone
    assert [(v["verdict"], v["value"]) for v in view["verdicts"]] == [("hc_departure_deadline", "2026-12-03")]
    assert view["next_deadline"]["uid"] == "mateo-2026-051-hc_departure_deadline-mateo@havre"


def test_a_failure_is_the_asking_requests_own(policy: Policy) -> None:
    engine = Engine(policy)
    engine.start()
    try:
        failed = engine.run(lambda: 1 / 0)
        with pytest.raises(ZeroDivisionError):
            failed.result(timeout=60)
        ok = engine.decide(Ask(policy.case(parse_document(case_text("kofi-refused"), "yaml"))))
        assert ok.result(timeout=600)[1].get("decision", "app1").value == "refused"
    finally:
        engine.stop()
