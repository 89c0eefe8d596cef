"""The REST API: every endpoint with good and bad input, errors as JSON with the field and the CLI's message."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient

from havre.api import Policy
from havre.output import decision_json, view_questions
from solver.cases.casefile import parse_document
from solver.cases.schema import case_schema
from tests.unit.web.conftest import YAML, case_text


def error_of(response: object) -> dict[str, str]:
    return response.json()["error"]  # type: ignore[attr-defined,no-any-return]


def test_decide_returns_what_the_command_line_prints_and_logs_it(client: TestClient, policy: Policy) -> None:
    response = client.post("/api/v1/decide", content=case_text("amina-selected"), headers=YAML)
    assert response.status_code == 200
    got = response.json()
    view, decision = policy.decision_view(policy.case(parse_document(case_text("amina-selected"), "yaml")))
    expected = decision_json(decision, None, view_questions(view), view["summary"], view["next_deadline"])
    assert {k: v for k, v in got.items() if k not in ("log", "verdicts")} == {
        k: v for k, v in expected.items() if k != "verdicts"
    }
    assert got["summary"][0]["value"] == "selected"
    record = client.app.state.service.log.get(got["log"]["id"])  # type: ignore[attr-defined]
    assert record["channel"] == "api" and record["case_id"] == "amina-2026-001"


def test_decide_gives_the_next_deadline_the_command_line_gives(client: TestClient, policy: Policy) -> None:
    got = client.post("/api/v1/decide", content=case_text("mateo-federal-hc"), headers=YAML).json()
    view, _ = policy.decision_view(policy.case(parse_document(case_text("mateo-federal-hc"), "yaml")))
    assert got["next_deadline"] == view["next_deadline"]
    deadline = got["next_deadline"]
    assert (deadline["date"], deadline["days"], deadline["predicate"], deadline["subject"]) == (
        "2026-12-03",
        12,
        "hc_departure_deadline",
        ["mateo"],
    )
    assert [r["rule"] for r in deadline["rules"]] == ["FHC-6.departure-deadline"]


def test_decide_takes_json_and_french(client: TestClient) -> None:
    doc = parse_document(case_text("fatima-undetermined"), "yaml")
    got = client.post("/api/v1/decide?lang=fr&verdict=decision", json=doc).json()
    assert [v["verdict"] for v in got["verdicts"]] == ["decision"]
    assert got["verdicts"][0]["status"] == "undetermined"
    assert got["verdicts"][0]["missing"] == [["capacity_to_integrate(fatima)"]]
    assert got["verdicts"][0]["questions"][0][0].startswith("L'agente ou l'agent a-t-il conclu que Fatima")


def test_a_bad_field_is_named_with_the_command_line_message(client: TestClient) -> None:
    doc = {"case": "c1", "assessment_date": "2026-02-30"}
    response = client.post("/api/v1/decide", json=doc)
    assert response.status_code == 422
    assert error_of(response) == {
        "origin": "<request>",
        "path": "assessment_date",
        "message": '"2026-02-30" is not a valid date',
        "text": 'error: <request>: assessment_date: "2026-02-30" is not a valid date',
    }


def test_a_misspelt_field_gets_a_suggestion(client: TestClient) -> None:
    text = case_text("amina-selected").replace("resides_in_quebec:", "resides_in_qeubec:", 1)
    error = error_of(client.post("/api/v1/decide", content=text, headers=YAML))
    assert error["path"] == "persons.amina.resides_in_qeubec"
    assert error["message"] == 'unknown field; did you mean "resides_in_quebec"?'


def test_a_five_megabyte_body_is_refused_before_it_is_read(client: TestClient) -> None:
    response = client.post("/api/v1/decide", content=b"x" * 5_000_000, headers=YAML)
    assert response.status_code == 413
    assert error_of(response)["message"] == "the request body is larger than 1024 KiB"


def test_a_body_sent_in_chunks_is_counted_as_it_comes(client: TestClient) -> None:
    chunks = (b"x" * 1_000_000 for _ in range(5))
    response = client.post("/api/v1/decide", content=chunks, headers=YAML)
    assert response.status_code == 413
    assert error_of(response)["message"] == "the request body is larger than 1024 KiB"


def test_a_yaml_bomb_is_refused(client: TestClient) -> None:
    bomb = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 9)}]\n" for i in range(8)
    )
    response = client.post("/api/v1/decide", content=bomb, headers=YAML)
    assert response.status_code == 422
    assert error_of(response)["message"] == "YAML aliases are not allowed in case files"


def test_a_path_in_a_field_is_only_a_bad_id(client: TestClient) -> None:
    doc = {"case": "../../etc/passwd", "assessment_date": "2026-01-01"}
    error = error_of(client.post("/api/v1/decide", json=doc))
    assert (error["path"], error["message"]) == (
        "case",
        '"../../etc/passwd" is not a valid case id (letters, digits, ".", "-" and "_")',
    )
    doc = {"case": "c", "assessment_date": "2026-01-01", "persons": {"/etc/passwd": {}}}
    assert error_of(client.post("/api/v1/decide", json=doc))["path"] == "persons./etc/passwd"


def test_wrong_media_types_and_parameters_are_named(client: TestClient) -> None:
    response = client.post("/api/v1/decide", content="{}", headers={"content-type": "text/html"})
    assert (response.status_code, error_of(response)["message"]) == (
        422,
        "send the case as application/json or application/yaml",
    )
    response = client.post("/api/v1/decide?lang=de", json={})
    assert (response.status_code, error_of(response)["path"]) == (422, "query.lang")
    response = client.post("/api/v1/decide?verdict=decisoin", content=case_text("amina-selected"), headers=YAML)
    assert error_of(response)["message"] == "`decisoin` is not a verdict of the policy; did you mean `decision`?"
    response = client.post("/api/v1/decide?subject=app1", content=case_text("amina-selected"), headers=YAML)
    assert error_of(response) == {
        "origin": "<request>",
        "path": "query.subject",
        "message": "name the verdict too, with `verdict`",
        "text": "error: <request>: query.subject: name the verdict too, with `verdict`",
    }
    response = client.post("/api/v1/decide", content=b"\xff\xfe", headers=YAML)
    assert error_of(response)["message"] == "not UTF-8 text (byte 0)"


def test_explain_in_every_format_and_language(client: TestClient, policy: Policy) -> None:
    text = case_text("kofi-refused")
    as_json = client.post("/api/v1/explain?verdict=decision&why_not=true", content=text, headers=YAML)
    assert as_json.headers["content-type"] == "application/json"
    assert as_json.json()["verdicts"][0]["status"] == "holds" and as_json.json()["verdicts"][0]["why_not"]
    html = client.post("/api/v1/explain?format=html&lang=fr", content=text, headers=YAML)
    assert html.headers["content-type"] == "text/html; charset=utf-8"
    assert html.text.startswith('<!DOCTYPE html>\n<html lang="fr">')
    plain = client.post("/api/v1/explain?format=text", content=text, headers=YAML)
    assert plain.text.startswith("Explanation for case kofi-2026-027\n")
    markdown = client.post("/api/v1/explain?format=markdown", content=text, headers=YAML)
    assert markdown.headers["content-type"] == "text/markdown; charset=utf-8"
    bad = client.post("/api/v1/explain?format=pdf", content=text, headers=YAML)
    assert (bad.status_code, error_of(bad)["path"]) == (422, "query.format")


def test_what_if_for_one_verdict(client: TestClient) -> None:
    response = client.post(
        "/api/v1/what-if?verdict=decision&subject=app1", content=case_text("amina-selected"), headers=YAML
    )
    verdicts = response.json()["verdicts"]
    assert [(v["verdict"], v["subject"]) for v in verdicts] == [("decision", ["app1"])]
    changes = [c["fact"] for w in verdicts[0]["what_if"] for c in w["changes"]]
    assert "form_signed(app1)" in changes
    assert not any(c["finding"] for w in verdicts[0]["what_if"] for c in w["changes"])  # findings stay unless asked
    refused = client.post(
        "/api/v1/what-if?verdict=decision&subject=app1", content=case_text("kofi-refused"), headers=YAML
    ).json()["verdicts"]
    assert not any(c["fact"].startswith("letter_kind(") for w in refused[0]["what_if"] for c in w["changes"])
    missing = client.post("/api/v1/what-if?verdict=decision", content=case_text("kofi-refused"), headers=YAML)
    assert (missing.status_code, error_of(missing)["path"]) == (422, "query.subject")


def test_the_next_question_of_an_interview(client: TestClient) -> None:
    got = client.post("/api/v1/questions/next", content=case_text("fatima-undetermined"), headers=YAML).json()
    assert got["at_most"] == 3
    assert got["question"]["fact"] == "capacity_to_integrate(fatima)"
    assert got["question"]["form"] == {"kind": "bool"}
    why = [w["verdict"] for w in got["question"]["why"]]
    assert why == ["decision", "mifi_sends_refusal_letter", "ircc_checks_pending"]
    assert got["question"]["why"][0]["rules"][0]["id"] == "QHC-3.conditions"
    put_aside = client.post(
        "/api/v1/questions/next?skip=capacity_to_integrate(fatima)",
        content=case_text("fatima-undetermined"),
        headers=YAML,
    ).json()
    assert put_aside["question"]["fact"] == "csq_issued_on(app1)"
    assert put_aside["stuck"] == [
        {"verdict": "decision", "subject": ["app1"]},
        {"verdict": "mifi_sends_refusal_letter", "subject": ["app1"]},
        {"verdict": "ircc_checks_pending", "subject": ["app1"]},
    ]


def test_the_policy_described(client: TestClient, policy: Policy) -> None:
    assert client.get("/api/v1/policy").json()["hash"] == policy.hash
    verdicts = client.get("/api/v1/verdicts").json()
    assert [v["name"] for v in verdicts if v["main"]] == list(policy.checked.summary)
    decision = next(v for v in verdicts if v["name"] == "decision")
    assert decision["type"]["values"][0] == {"value": "selected", "label": {"en": "selected", "fr": "sélectionnée"}}
    inputs = {i["name"]: i for i in client.get("/api/v1/inputs").json()}
    assert inputs["resides_in_quebec"]["question"]["en"] == "Does {P} reside in Québec?"
    assert inputs["capacity_to_integrate"]["kind"] == "judged"
    questions = client.get("/api/v1/questions").json()
    assert len(questions) == len(inputs) and all(q["question"]["fr"] for q in questions)
    sources = {s["id"]: s for s in client.get("/api/v1/sources").json()}
    qhc3 = next(p for s in sources.values() for p in s["provisions"] if p["id"] == "QHC-3")
    assert "QHC-3.conditions" in [r["id"] for r in qhc3["rules"]]
    assert client.get("/api/v1/schema").json() == json.loads(json.dumps(case_schema(policy.checked)))


def test_named_cases_are_looked_up_by_name_only(client: TestClient) -> None:
    names = client.get("/api/v1/cases").json()
    assert "amina-selected.yaml" in names and all("/" not in n for n in names)
    assert client.get("/api/v1/cases/amina-selected.yaml").json()["case"] == "amina-2026-001"
    for name in ("..%2Fpyproject.toml", ".hidden.yaml", "nothing.yaml", "main.havre"):
        response = client.get(f"/api/v1/cases/{name}")
        assert response.status_code in (404, 422), name
        if response.status_code == 422:
            assert error_of(response)["path"] == "name"


def test_the_log_needs_a_token_configured(client: TestClient) -> None:
    response = client.get("/api/v1/log")
    assert response.status_code == 403
    assert error_of(response)["message"].startswith("the decision log is readable only with a token")


def test_openapi_and_its_page(client: TestClient) -> None:
    spec = client.get("/api/v1/openapi.json").json()
    assert {"/api/v1/decide", "/api/v1/explain", "/api/v1/what-if", "/api/v1/schema", "/api/v1/log"} <= set(
        spec["paths"]
    )
    assert not any(p.startswith("/cases") or p == "/" for p in spec["paths"])  # pages are not API
    page = client.get("/docs")
    assert page.status_code == 200 and "<code>POST /api/v1/decide</code>" in page.text and "<script>" not in page.text


def test_every_answer_carries_the_security_headers(client: TestClient) -> None:
    for response in (client.get("/api/v1/policy"), client.get("/"), client.post("/api/v1/decide", json={})):
        assert response.headers["content-security-policy"].startswith("default-src 'none'; script-src 'self';")
        assert response.headers["x-content-type-options"] == "nosniff"
