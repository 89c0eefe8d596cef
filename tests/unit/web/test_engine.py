"""The engine: requests that arrive together are decided together, on one thread or in worker processes, each
answer the same as deciding the case alone."""

from __future__ import annotations

import pytest

from havre.api import Policy
from havre.web.engine import Ask, Engine
from solver.cases.casefile import parse_document
from tests.unit.web.conftest import case_text

NAMES = ("amina-selected", "fatima-undetermined", "kofi-refused", "rosa-rejected-documents")


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
