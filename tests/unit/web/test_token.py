"""A server with a token: every request bears it (bearer header for the API, a cookie after the login form for
pages); the decision log is readable only then."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from havre.api import Policy
from havre.cli.main import app as cli
from havre.web.pages.sign_in import safe_next
from tests.unit.web.conftest import YAML, case_text, make_client

TOKEN = "correct-horse-battery-staple"
BEARER = {"authorization": f"Bearer {TOKEN}"}


@pytest.fixture(scope="module")
def guarded(policy: Policy, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    with make_client(policy, tmp_path_factory.mktemp("guarded"), token=TOKEN) as c:
        yield c


def test_the_api_refuses_a_missing_or_wrong_token(guarded: TestClient) -> None:
    for headers in ({}, {"authorization": "Bearer nope"}, {"authorization": TOKEN}):
        response = guarded.post("/api/v1/decide", content=case_text("amina-selected"), headers=YAML | headers)
        assert response.status_code == 401
        assert response.headers["www-authenticate"] == "Bearer"
        assert response.json()["error"]["message"] == "a token is required (Authorization: Bearer TOKEN)"
    assert guarded.get("/api/v1/openapi.json").status_code == 401
    assert guarded.get("/docs").status_code == 401


def test_the_api_answers_with_the_token(guarded: TestClient) -> None:
    response = guarded.post("/api/v1/decide", content=case_text("amina-selected"), headers=YAML | BEARER)
    assert response.status_code == 200
    record_id = response.json()["log"]["id"]
    listed = guarded.get("/api/v1/log", headers=BEARER).json()
    assert listed[0]["id"] == record_id
    shown = guarded.get(f"/api/v1/log/{record_id}", headers=BEARER).json()
    assert shown["case"]["persons"]["amina"]["name"] == "[masked]"
    assert guarded.get("/api/v1/log/999999", headers=BEARER).status_code == 404
    assert guarded.get("/api/v1/log").status_code == 401


def test_pages_ask_to_sign_in_and_keep_the_address(guarded: TestClient) -> None:
    response = guarded.get("/policy?lang=fr", follow_redirects=False)
    assert (response.status_code, response.headers["location"]) == (303, "/login?next=%2Fpolicy%3Flang%3Dfr")
    form = guarded.get("/login?next=/policy")
    assert form.status_code == 200 and 'name="next" value="/policy"' in form.text
    assert guarded.get("/static/havre.css").status_code == 200  # the login form's own style


def test_signing_in_sets_a_cookie_for_the_pages(policy: Policy, tmp_path: Path) -> None:
    with make_client(policy, tmp_path, token=TOKEN) as c:
        wrong = c.post("/login", data={"token": "nope", "next": "/policy"})
        assert wrong.status_code == 401 and "This is not the token." in wrong.text
        right = c.post("/login", data={"token": TOKEN, "next": "/policy"}, follow_redirects=False)
        assert (right.status_code, right.headers["location"]) == (303, "/policy")
        cookie = right.headers["set-cookie"]
        assert cookie.startswith(f"havre_token={TOKEN};") and "HttpOnly" in cookie and "SameSite=strict" in cookie
        assert c.get("/policy").status_code == 200
        out = c.post("/logout", follow_redirects=False)
        assert out.headers["location"] == "/login"
        c.cookies.clear()
        assert c.get("/policy", follow_redirects=False).status_code == 303


def test_the_next_page_stays_on_this_server() -> None:
    assert safe_next("/cases/abc?lang=fr") == "/cases/abc?lang=fr"
    for target in ("//evil.example", "https://evil.example", "/\\evil.example", "evil"):
        assert safe_next(target) == "/"


def test_serving_beyond_loopback_needs_a_token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HAVRE_TOKEN", raising=False)
    result = CliRunner().invoke(cli, ["serve", "--host", "0.0.0.0", "--port", "1"])
    assert result.exit_code == 2
    assert "--host 0.0.0.0 is reachable from other machines: set HAVRE_TOKEN to a secret first" in result.output
