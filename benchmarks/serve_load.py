"""A bounded load test of `havre serve` on loopback: N concurrent decide requests to a real server, every answer
checked against the in-process decision, every decision found in the log; p50 and p99 latency."""

from __future__ import annotations

import asyncio
import json
import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from explain.view.case_view import chosen_verdicts
from havre.api import Policy
from havre.log.store import DecisionLog
from havre.output import decision_json, view_questions
from havre.web.launch import Server
from solver.cases.casefile import read_document

TIMEOUT = 600.0  # seconds for the whole run: the test stops by itself


@dataclass(frozen=True)
class Load:
    requests: int
    correct: int
    logged: int
    p50: float
    p99: float
    wall: float


def expected(policy: Policy, case: Path) -> dict[str, object]:
    """What `havre decide --format json` prints for the case, which the API answers too."""
    view, decision = policy.decision_view(case)
    chosen = chosen_verdicts(policy.checked, decision)
    return decision_json(decision, chosen, view_questions(view), view["summary"])


async def _send(client: httpx.AsyncClient, body: bytes, kind: str) -> tuple[float, dict[str, object] | None]:
    started = time.perf_counter()
    response = await client.post("/api/v1/decide", content=body, headers={"content-type": kind})
    took = time.perf_counter() - started
    return took, response.json() if response.status_code == 200 else None


async def _all(url: str, token: str, body: bytes, kind: str, n: int) -> list[tuple[float, dict[str, object] | None]]:
    limits = httpx.Limits(max_connections=n, max_keepalive_connections=n)
    headers = {"authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=url, limits=limits, headers=headers, timeout=TIMEOUT) as client:
        return await asyncio.wait_for(asyncio.gather(*(_send(client, body, kind) for _ in range(n))), TIMEOUT)


def run(policy: Policy, policy_path: Path, case: Path, n: int, workers: int = 1) -> Load:
    """Start a server, send n requests at once, check them; the server is stopped whatever happens."""
    want = expected(policy, case)
    kind = "application/json" if case.suffix == ".json" else "application/yaml"
    body = json.dumps(read_document(case)).encode() if kind == "application/json" else case.read_bytes()
    with tempfile.TemporaryDirectory(prefix="havre-load-") as tmp:
        db = f"sqlite:///{Path(tmp) / 'log.sqlite3'}"
        with Server(policy_path, db, token="load-test", workers=workers) as server:
            started = time.perf_counter()
            answers = asyncio.run(_all(server.url, "load-test", body, kind, n))
            wall = time.perf_counter() - started
        correct = sum(
            1 for _, got in answers if got is not None and {k: v for k, v in got.items() if k != "log"} == want
        )
        ids = {got["log"]["id"] for _, got in answers if got is not None}  # type: ignore[index]
        log = DecisionLog.open(db)
        logged = sum(1 for r in log.records() if r["id"] in ids)
        log.engine.dispose()
    times = sorted(t for t, _ in answers)
    p99 = times[min(len(times) - 1, round(0.99 * (len(times) - 1)))]
    return Load(n, correct, logged, statistics.median(times), p99, wall)
