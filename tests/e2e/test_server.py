"""A real `havre serve` on a free loopback port: decisions over a socket, a log that survives the server being
killed mid-request, and replay of 100 logged decisions."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from havre.api import Policy, load_policy
from havre.caseload.generate import Generator
from havre.log.store import DecisionLog
from havre.web.launch import Server
from solver.cases.casefile import read_document
from tests.helpers import ROOT

EXAMPLES = ROOT / "policy/examples"


@pytest.fixture(scope="module")
def policy() -> Policy:
    return load_policy(ROOT / "policy")


def post(url: str, body: bytes, timeout: float = 300) -> dict[str, object]:
    request = urllib.request.Request(url, data=body, headers={"content-type": "application/yaml"}, method="POST")
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return json.loads(response.read())  # type: ignore[no-any-return]


def test_a_real_server_decides_and_shows_pages(tmp_path: Path) -> None:
    with Server(ROOT / "policy", f"sqlite:///{tmp_path / 'log.sqlite3'}", cases=EXAMPLES, cwd=ROOT) as server:
        got = post(server.url + "/api/v1/decide", (EXAMPLES / "kofi-refused.yaml").read_bytes())
        assert got["summary"][0]["value"] == "refused"  # type: ignore[index]
        with urllib.request.urlopen(server.url + "/?lang=fr", timeout=60) as response:
            page = response.read().decode()
            assert response.headers["content-security-policy"].startswith("default-src 'none'")
        assert "<h1>Décider d'un dossier</h1>" in page and '<option value="kofi-refused.yaml">' in page


def test_the_log_survives_the_server_killed_mid_request(tmp_path: Path, policy: Policy) -> None:
    db = tmp_path / "log.sqlite3"
    body = (EXAMPLES / "amina-selected.yaml").read_bytes()
    server = Server(ROOT / "policy", f"sqlite:///{db}", cwd=ROOT).wait()
    failures: list[BaseException] = []

    def send() -> None:
        try:
            post(server.url + "/api/v1/decide", body)
        except Exception as err:  # the server is killed under it: expected
            failures.append(err)

    threads = [threading.Thread(target=send) for _ in range(8)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline and _count(db, "decisions") < 1:
        time.sleep(0.05)
    server.kill()  # SIGKILL while the other requests are being decided or written
    for t in threads:
        t.join(timeout=60)
    assert failures, "the server was killed after every request was answered: nothing was cut"
    with sqlite3.connect(db) as conn:
        assert conn.execute("pragma integrity_check").fetchone() == ("ok",)
        decided = {r[0] for r in conn.execute("select id from decisions")}
        kept = {r[0] for r in conn.execute("select decision_id from decision_cases")}
    assert decided == kept and 1 <= len(decided) < 8  # whole records only
    with Server(ROOT / "policy", f"sqlite:///{db}", cwd=ROOT) as again:  # the log opens and grows again
        got = post(again.url + "/api/v1/decide", body)
        assert got["log"]["id"] == max(decided) + 1  # type: ignore[index]
    replayed = subprocess.run(
        [sys.executable, "-m", "havre", "log", "replay", "--db", f"sqlite:///{db}", "--last", "10"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=600,
    )
    assert replayed.returncode == 0, replayed.stdout + replayed.stderr
    assert replayed.stdout.endswith(f"{len(decided) + 1} same, 0 different\n")


def _count(db: Path, table: str) -> int:
    try:
        with sqlite3.connect(db, timeout=1) as conn:
            return int(conn.execute(f"select count(*) from {table}").fetchone()[0])
    except sqlite3.Error:
        return 0


def test_replay_of_100_logged_decisions_reports_no_difference(tmp_path: Path, policy: Policy) -> None:
    db = f"sqlite:///{tmp_path / 'log.sqlite3'}"
    log = DecisionLog.open(db)
    documents: list[object] = [read_document(p) for p in sorted(EXAMPLES.glob("*.yaml"))]
    documents += list(Generator(policy.checked, seed=7).cases(100 - len(documents)))
    for start in range(0, 100, 25):
        chunk = documents[start : start + 25]
        for doc, decision in zip(chunk, policy.decide_many(chunk), strict=True):
            log.record(policy.checked, decision, doc, "api")
    assert log.count() == 100
    replayed = subprocess.run(
        [sys.executable, "-m", "havre", "log", "replay", "--db", db, "--last", "100"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=900,
    )
    assert replayed.returncode == 0, replayed.stdout[-3000:] + replayed.stderr
    lines = replayed.stdout.splitlines()
    assert len(lines) == 101 and all(line.endswith("\tsame") for line in lines[:100])
    assert lines[-1] == "100 same, 0 different"
