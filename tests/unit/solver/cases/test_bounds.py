"""Bounded by design: cases within documented limits, searches within time budgets that say when they stop."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from explain.rendering.render import render
from havre.api import Policy, load_policy
from havre.output import decision_json
from solver.analysis.whatif import what_if_within
from solver.cases.case import CaseError
from solver.cases.casefile import MAX_ENTITIES, MAX_PAIRS, parse_case
from solver.solve.decide import decide_many, with_missing
from tests.helpers import ROOT
from tests.unit.solver.cases.test_casefile import POLICY


@pytest.fixture(scope="module")
def mini() -> Policy:
    return load_policy(ROOT / "tests/fixtures/mini")


def people(count: int, **fields: Any) -> dict[str, Any]:
    return {f"p{i}": dict(fields) for i in range(count)}


def test_a_case_with_too_many_entities_is_refused_at_the_first_one_past_the_limit() -> None:
    apps = {f"a{i}": {} for i in range(11)}
    doc = {"case": "c", "assessment_date": "2026-01-01", "persons": people(30), "applications": apps}
    with pytest.raises(CaseError) as err:
        parse_case(doc, POLICY, "c.yaml")
    assert str(err.value) == "c.yaml: applications.a10: a case holds at most 40 entities, of all types together"
    doc["applications"] = {f"a{i}": {} for i in range(10)}
    assert len(parse_case(doc, POLICY).entities) == MAX_ENTITIES == 40


def test_a_case_with_too_many_pairs_is_refused_where_it_passes_the_limit() -> None:
    ids = [f"p{i}" for i in range(40)]
    persons = {pid: {"child_of": {o: True for o in ids if o != pid}} for pid in ids}
    with pytest.raises(CaseError) as err:
        parse_case({"case": "c", "assessment_date": "2026-01-01", "persons": persons}, POLICY, "c.yaml")
    assert str(err.value) == "c.yaml: persons.p25.child_of: a case states at most 1000 pairs of related entities"
    assert MAX_PAIRS == 1000


def test_a_case_at_the_limit_is_decided_within_seconds(mini: Policy) -> None:
    doc = {
        "case": "big",
        "assessment_date": "2026-11-21",
        "persons": {f"p{i}": {"birth_date": "1990-01-01", "child_of": []} for i in range(38)},
        "applications": {"app1": {"principal": "p0"}},
        "documents": {"form": {"required": ["app1"]}},
    }
    started = time.monotonic()
    decision = mini.decide(doc)
    assert time.monotonic() - started < 20
    assert decision.verdicts


def test_the_search_for_missing_facts_stops_at_its_budget_and_says_so(mini: Policy) -> None:
    doc = {"case": "c", "assessment_date": "2026-11-21", "persons": {"a": {}, "b": {}}, "applications": {"x": {}}}
    case = mini.case(doc)
    [plain] = decide_many(mini.program, mini.checked, [case], missing=False)
    assert [v for v in plain.verdicts if v.status == "undetermined"]
    cut = with_missing(mini.program, mini.checked, case, plain, budget=0.0)
    assert cut.partial == ("missing",)
    assert all(not v.missing for v in cut.verdicts)
    assert decision_json(cut)["partial"] == ["missing"]
    view, _ = mini.decision_view(doc)
    view["partial"] = list(cut.partial)
    assert render(view, "decision").splitlines()[-1] == (
        "Note: the search for missing facts stopped at its time limit: some undetermined verdicts list none."
    )
    whole = with_missing(mini.program, mini.checked, case, plain)
    assert whole.partial == () and "partial" not in decision_json(whole)
    assert json.dumps(decision_json(whole))


def test_the_search_for_changes_stops_at_its_deadline_and_says_so(mini: Policy) -> None:
    doc = {
        "case": "c",
        "assessment_date": "2026-11-21",
        "persons": {"a": {"birth_date": "1990-01-01", "distress": True, "child_of": []}},
        "applications": {"x": {"principal": "a"}},
    }
    case = mini.case(doc)
    verdict = next(v for v in mini.decide(case).verdicts)
    found, whole = what_if_within(
        mini.program, mini.checked, case, verdict.verdict, verdict.subject, deadline=time.monotonic() - 1
    )
    assert (found, whole) == ([], False)
    view = mini.explain(doc, what_if=True)
    assert "partial" not in view or view["partial"] == ["what_if"]
    view["partial"] = ["what_if", "missing"]
    for fmt, last in (
        ("text", "Note: the search for missing facts stopped at its time limit: some undetermined verdicts list none."),
        ("markdown", "> Note: the search for missing facts stopped at its time limit: "
         "some undetermined verdicts list none."),
    ):  # fmt: skip
        assert render(view, fmt).splitlines()[-1] == last  # type: ignore[arg-type]
    html = render(view, "html")
    assert '<p class="partial">Note: the search for changes stopped at its time limit' in html
    assert html.rstrip().endswith("</html>")
    view["lang"] = "fr"
    assert render(view, "text").splitlines()[-2].startswith("Remarque\u00a0: la recherche des changements")
