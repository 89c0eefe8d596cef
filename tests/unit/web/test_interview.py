"""The guided interview: only questions that can still change a main verdict, with their bound, why each is
asked, "unknown / not yet", going back, and a decision after each answer."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from havre.api import Policy
from havre.web.interview import Plan, answered, plan, question_view
from solver.cases.case import CaseError
from solver.cases.casefile import parse_document
from tests.unit.web.conftest import case_text

FATIMA = "capacity_to_integrate(fatima)"


def start(client: TestClient, name: str) -> str:
    response = client.post(
        "/cases", data={"source": "pick", "name": f"{name}.yaml", "lang": "en"}, follow_redirects=False
    )
    return "/interview/" + response.headers["location"].split("/")[2].split("?")[0]


def answer(client: TestClient, step: str, fact: str, **form: str) -> str:
    response = client.post(f"{step}/answer", data={"fact": fact, "lang": "en", **form}, follow_redirects=False)
    assert response.status_code == 303, response.text[-800:]
    return str(response.headers["location"]).split("?")[0]


def test_the_plan_asks_the_fact_that_decides_the_most(policy: Policy) -> None:
    decision = policy.decide(policy.case(parse_document(case_text("fatima-undetermined"), "yaml")))
    found = plan(policy.checked, decision, set())
    assert found.fact == FATIMA
    assert found.remaining == 3  # capacity_to_integrate, csq_certificates_issued and csq_issued_on decide them all
    assert found.reasons == (
        ("decision", ("app1",)),
        ("mifi_sends_refusal_letter", ("app1",)),
        ("ircc_checks_pending", ("app1",)),
    )
    aside = plan(policy.checked, decision, {FATIMA})
    assert (aside.fact, aside.remaining) == ("csq_issued_on(app1)", 1)
    assert aside.stuck == (
        ("decision", ("app1",)),
        ("mifi_sends_refusal_letter", ("app1",)),
        ("ircc_checks_pending", ("app1",)),
    )


def test_an_answer_goes_in_its_field(policy: Policy) -> None:
    doc = {"case": "c", "persons": {"fatima": {"name": "F"}}}
    assert answered(policy.checked, doc, FATIMA, "yes")["persons"]["fatima"] == {
        "name": "F",
        "capacity_to_integrate": True,
    }
    assert doc["persons"]["fatima"] == {"name": "F"}  # a copy: the step before stays as it was
    relation = answered(policy.checked, doc, "serious_harm_if_returned(fatima, morocco)", "no")
    assert relation["persons"]["fatima"]["serious_harm_if_returned"] == {"morocco": False}
    try:
        answered(policy.checked, doc, FATIMA, "maybe")
    except CaseError as err:
        assert (err.path, err.message) == ("persons.fatima.capacity_to_integrate", "answer yes or no")
    else:
        raise AssertionError("a yes/no input takes yes or no")


def test_an_interview_to_a_decided_verdict(client: TestClient) -> None:
    first = start(client, "fatima-undetermined")
    page = client.get(f"{first}?lang=en").text
    assert "Question 1 of at most 3" in page
    assert '<legend id="question">Has the officer found that Fatima Zahra El Amrani' in page
    assert "<summary>Why am I asked?</summary>" in page and '<span class="rule">QHC-3.conditions</span>' in page
    assert '<a href="/policy?lang=en#src-QHC-3"' in page
    assert "Back</a>" not in page  # nothing before the first question
    second = answer(client, first, FATIMA, answer="answer", value="yes")
    page = client.get(f"{second}?lang=en").text
    assert "MIFI&#39;s decision on app1: selected" in page  # decided again after the answer
    assert "Question 2 of at most 2" in page  # the answer decided ircc_checks_pending too: the bound only falls
    assert f'<a class="back" href="{first}?lang=en">Back</a>' in page
    assert (
        client.get(f"{second.replace('/interview/', '/cases/')}/case.yaml").text.count("capacity_to_integrate: true")
        == 1
    )
    record = client.app.state.service.log.records(limit=1, newest_first=True)[0]  # type: ignore[attr-defined]
    assert record["channel"] == "interview" and record["verdicts"][0]["value"] == "selected"
    third = answer(client, second, "csq_issued_on(app1)", answer="answer", value="2026-10-15")
    page = client.get(third).text
    assert '<div class="card done" id="done">\n<p>Every main answer is decided.</p>' in page
    assert "<legend" not in page


def test_unknown_puts_a_question_aside_and_back_returns(client: TestClient) -> None:
    first = start(client, "fatima-undetermined")
    second = answer(client, first, FATIMA, answer="unknown")
    page = client.get(second).text
    assert "Question 2 of at most 2" in page and FATIMA not in page
    assert re.search(r'name="fact" value="csq_issued_on\(app1\)"', page)
    assert f'href="{first}?lang=en">Back' in page
    stale = client.post(
        f"{second}/answer", data={"fact": FATIMA, "answer": "answer", "value": "yes"}, follow_redirects=False
    )
    assert (stale.status_code, stale.headers["location"]) == (303, f"{second}?lang=en")  # no longer asked here


def test_a_wrong_answer_is_shown_at_its_field(client: TestClient) -> None:
    first = start(client, "fatima-undetermined")
    second = answer(client, first, FATIMA, answer="unknown")
    response = client.post(
        f"{second}/answer", data={"fact": "csq_issued_on(app1)", "answer": "answer", "value": "2026-13-01"}
    )
    assert response.status_code == 422
    assert (
        "error: &lt;request&gt;: applications.app1.csq_issued_on: &#34;2026-13-01&#34; is not a valid date"
        in response.text
    )
    assert "<code>applications.app1.csq_issued_on</code>" in response.text


def test_a_new_interview_from_an_empty_case(client: TestClient) -> None:
    form = {"case": "new-1", "assessment_date": "2026-12-03", "e-person": "ana", "e-application": "app1", "lang": "fr"}
    response = client.post("/interview/new", data=form, follow_redirects=False)
    assert response.status_code == 303
    page = client.get(response.headers["location"]).text
    assert '<html lang="fr">' in page and "Question 1 sur 20 au plus" in page
    assert 'name="value"' in page  # the first question's form (each type's: the next test)
    bad = client.post("/interview/new", data=form | {"e-person": "ana bel"})
    assert bad.status_code == 422 and "<code>persons.ana bel</code>" in bad.text


def test_each_type_of_input_has_its_form(policy: Policy) -> None:
    case = policy.case(parse_document(case_text("fatima-undetermined"), "yaml"))
    decision = policy.decide(case)

    def form(fact: str, lang: str = "en") -> dict[str, object]:
        asked = Plan(fact, 1, (), (), (("decision", ("app1",)),))
        return question_view(policy.checked, case, decision, asked, lang)["form"]  # type: ignore[no-any-return]

    assert form("in_union(fatima)") == {"kind": "bool"}
    assert form("birth_date(fatima)") == {"kind": "date"}
    assert form("principal(app1)") == {
        "kind": "entity",
        "entity": "person",
        "options": [
            {"value": "fatima", "label": "Fatima Zahra El Amrani"},
            {"value": "salma", "label": "Salma El Amrani"},
        ],
    }
    need = form("need_for_protection(salma)", "fr")
    assert need["kind"] == "enum" and need["options"][0] == {"value": "ordinary", "label": "ordinaire"}  # type: ignore[index]
    citizen = {"value": "citizen", "label": "de citoyenneté canadienne"}  # the policy's label, as sentences read it
    assert form("immigration_status(salma)", "fr")["options"][0] == citizen  # type: ignore[index]
    assert answered(policy.checked, {}, "answer_time_limit_days(l1)", "30")["letters"]["l1"] == {
        "answer_time_limit_days": 30
    }
    with pytest.raises(CaseError, match="'thirty' is not a whole number"):
        answered(policy.checked, {}, "answer_time_limit_days(l1)", "thirty")
