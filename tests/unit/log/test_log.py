"""The decision log: records, masking, the policy kept once per hash, append-only tables, replay."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError

from havre.api import Policy, load_policy
from havre.log.record import MASK, differences, masked
from havre.log.replay import Replayer
from havre.log.store import DecisionLog
from solver.cases.casefile import read_document
from tests.helpers import ROOT

EXAMPLES = ROOT / "policy/examples"


@pytest.fixture(scope="module")
def policy() -> Policy:
    return load_policy(ROOT / "policy")


@pytest.fixture
def log(tmp_path: Path) -> DecisionLog:
    return DecisionLog.open(f"sqlite:///{tmp_path / 'log.sqlite3'}")


def record(log: DecisionLog, policy: Policy, name: str, channel: str = "api") -> int:
    document = read_document(EXAMPLES / f"{name}.yaml")
    return log.record(policy.checked, policy.decide(document), document, channel)


def test_a_record_holds_the_masked_case_and_the_main_verdicts(log: DecisionLog, policy: Policy) -> None:
    record_id = record(log, policy, "fatima-undetermined")
    got = log.get(record_id)
    assert got is not None
    assert got["id"] == record_id and got["channel"] == "api" and got["case_id"] == "fatima-2026-033"
    assert got["policy"]["hash"] == policy.hash
    assert got["case"]["persons"]["fatima"]["name"] == MASK
    assert got["case"]["persons"]["fatima"]["birth_date"] == "1990-04-07"
    decision = got["verdicts"][0]
    assert decision == {
        "verdict": "decision",
        "subject": ["app1"],
        "status": "undetermined",
        "value": None,
        "rules": ["PROC-4.selected"],
        "provisions": ["LIQ-A18", "PROC-4", "QHC-1", "QHC-3", "RIQ-A65"],
        "missing": [["capacity_to_integrate(fatima)"]],
    }
    assert "Fatima Zahra" not in json.dumps(got)
    assert log.unmasked_case(record_id)["persons"]["fatima"]["name"] == "Fatima Zahra El Amrani"  # type: ignore[index]


def test_masked_fields_are_configurable() -> None:
    doc = {"case": "c", "persons": {"a": {"name": "Ana", "birth_date": "2000-01-01"}}}
    assert masked(doc, ("birth_date",)) == {"case": "c", "persons": {"a": {"name": "Ana", "birth_date": MASK}}}
    assert masked(doc, ()) == doc


def test_the_policy_files_are_kept_once_per_hash(log: DecisionLog, policy: Policy) -> None:
    record(log, policy, "amina-selected")
    record(log, policy, "kofi-refused")
    with log.engine.connect() as conn:
        assert conn.execute(text("select count(*) from policies")).scalar_one() == 1
        kept = conn.execute(text("select count(*) from policy_files")).scalar_one()
    assert kept == len(policy.checked.policy.texts)
    assert log.policy_files(policy.hash).entry == "main.havre"


@pytest.mark.parametrize("statement", ["update decisions set case_id = 'x'", "delete from decisions"])
def test_records_cannot_be_changed_or_deleted(log: DecisionLog, policy: Policy, statement: str) -> None:
    record(log, policy, "amina-selected")
    with pytest.raises(DatabaseError, match="append-only"), log.engine.begin() as conn:
        conn.execute(text(statement))
    assert log.count() == 1


def test_replay_reports_no_difference_for_an_honest_record(log: DecisionLog, policy: Policy) -> None:
    ids = [record(log, policy, name) for name in ("amina-selected", "fatima-undetermined", "kofi-refused")]
    replayer = Replayer(log)
    assert [replayer.replay(i).same for i in ids] == [True, True, True]


def test_replay_reports_each_difference(log: DecisionLog, policy: Policy) -> None:
    amina = read_document(EXAMPLES / "amina-selected.yaml")
    fatima = read_document(EXAMPLES / "fatima-undetermined.yaml")
    record_id = log.record(policy.checked, policy.decide(amina), fatima, "api")  # a record that does not match
    result = Replayer(log).replay(record_id)
    assert not result.same
    assert 'decision(app1): status recorded "holds", now "undetermined"' in result.differences
    assert 'decision(app1): value recorded "selected", now null' in result.differences
    assert "quebec_selection_route(amina): recorded holds, now not listed" in result.differences


def test_differences_of_identical_lists_are_none() -> None:
    entry = {"verdict": "v", "subject": ["a"], "status": "holds", "value": None, "rules": ["R"], "provisions": []}
    assert differences([entry], [dict(entry)]) == []


def havre(*args: str, db: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "havre", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={"HAVRE_DB": db, "PATH": "/usr/bin:/bin", "HOME": str(ROOT)},
        timeout=300,
    )


def test_the_command_line_logs_lists_shows_replays_and_exports(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    decided = havre("decide", "--log", "policy/examples/kofi-refused.yaml", db=db)
    assert decided.returncode == 0 and decided.stderr == "logged as decision 1\n"
    listed = havre("log", "list", db=db)
    assert listed.stdout.split("\t")[0] == "1" and "\tkofi-2026-027\tdecision(app1)=refused;" in listed.stdout
    shown = json.loads(havre("log", "show", "1", db=db).stdout)
    assert shown["channel"] == "cli" and shown["case"]["persons"]["kofi"]["name"] == MASK
    replayed = havre("log", "replay", "1", db=db)
    assert replayed.returncode == 0 and replayed.stdout == "1\tkofi-2026-027\tsame\n1 same, 0 different\n"
    exported = havre("log", "export", db=db).stdout.splitlines()
    assert [json.loads(line)["id"] for line in exported] == [1]
    missing = havre("log", "show", "7", db=db)
    assert missing.returncode == 2 and missing.stderr == "error: no decision 7 in the log\n"
