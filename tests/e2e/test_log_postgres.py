"""The decision log on PostgreSQL: a server this test starts itself (initdb in a temporary folder, pg_ctl on a
free port; as `nobody` when run as root, which postgres refuses). It skips, saying why, only where no server can
start, and fails instead when HAVRE_REQUIRE_POSTGRES=1 (CI sets it)."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from havre.api import Policy, load_policy
from havre.log.replay import Replayer
from havre.log.store import DecisionLog
from havre.web.launch import free_port
from solver.cases.casefile import read_document
from tests.helpers import ROOT

BIN = Path(os.environ.get("HAVRE_PG_BIN", "/usr/lib/postgresql/15/bin"))
REQUIRED = os.environ.get("HAVRE_REQUIRE_POSTGRES") == "1"
EXAMPLES = ROOT / "policy/examples"


def _unavailable(reason: str) -> None:
    if REQUIRED:
        pytest.fail(f"HAVRE_REQUIRE_POSTGRES=1 but {reason}")
    pytest.skip(f"{reason} (apt-get install -y postgresql; HAVRE_REQUIRE_POSTGRES=1 fails instead)")


def _as_owner(args: list[str], owner: str | None) -> list[str]:
    return ["runuser", "-u", owner, "--", *args] if owner else args


@pytest.fixture(scope="module")
def postgres() -> Iterator[str]:
    if not (BIN / "initdb").exists() or not (BIN / "pg_ctl").exists():
        _unavailable(f"no PostgreSQL server binaries in {BIN}")
    owner = "nobody" if os.geteuid() == 0 else None
    if owner and shutil.which("runuser") is None:
        _unavailable("running as root without runuser to start postgres as another user")
    base = Path(tempfile.mkdtemp(prefix="havre-pg-"))  # not under pytest's folder, which only root may enter
    data, sockets = base / "data", base / "sock"
    sockets.mkdir()
    if owner:
        base.chmod(0o777)
        shutil.chown(sockets, owner)
    port = free_port()
    init = subprocess.run(
        _as_owner([str(BIN / "initdb"), "-D", str(data), "-U", "havre", "--auth=trust", "-E", "UTF8"], owner),
        capture_output=True,
        text=True,
        timeout=300,
    )
    if init.returncode != 0:
        shutil.rmtree(base, ignore_errors=True)
        _unavailable(f"initdb failed: {init.stderr.strip()[-500:]}")
    options = f"-p {port} -k {sockets} -c listen_addresses=127.0.0.1 -c fsync=on"
    ctl = [str(BIN / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(base / "server.log"), "-w", "-t", "120"]
    started = subprocess.run(_as_owner([*ctl, "start"], owner), capture_output=True, text=True, timeout=180)
    if started.returncode != 0:
        _unavailable(f"pg_ctl could not start the server: {started.stderr.strip()[-500:]}")
    try:
        yield f"postgresql://havre@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(_as_owner([*ctl, "-m", "fast", "stop"], owner), capture_output=True, timeout=180)
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(scope="module")
def policy() -> Policy:
    return load_policy(ROOT / "policy")


def test_records_replay_and_stay_on_postgresql(postgres: str, policy: Policy) -> None:
    log = DecisionLog.open(postgres)
    assert log.engine.dialect.name == "postgresql"
    ids = []
    for name in ("amina-selected", "fatima-undetermined", "kofi-refused"):
        document = read_document(EXAMPLES / f"{name}.yaml")
        ids.append(log.record(policy.checked, policy.decide(document), document, "api"))
    record = log.get(ids[1])
    assert record is not None and record["case"]["persons"]["fatima"]["name"] == "[masked]"
    assert record["verdicts"][0]["missing"] == [["capacity_to_integrate(fatima)"]]
    assert [r.same for r in Replayer(log).replay_many(ids)] == [True, True, True]
    with pytest.raises(DBAPIError, match="append-only"), log.engine.begin() as conn:
        conn.execute(text("delete from decisions"))
    assert DecisionLog.open(postgres).count() == 3  # opening again migrates nothing twice
