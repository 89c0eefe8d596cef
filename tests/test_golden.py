"""Golden files, reviewed by eye when they change. HAVRE_UPDATE_GOLDEN=1 rewrites them."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from havre.api import load_policy
from tests.helpers import ROOT

GOLDEN = ROOT / "tests/golden"


def check_golden(name: str, actual: str) -> None:
    path = GOLDEN / name
    if os.environ.get("HAVRE_UPDATE_GOLDEN") == "1":
        path.write_text(actual, encoding="utf-8")
    assert path.exists(), f"no golden file {path}: run with HAVRE_UPDATE_GOLDEN=1 and review it"
    assert actual == path.read_text(encoding="utf-8"), f"{path} differs; review, then rerun with HAVRE_UPDATE_GOLDEN=1"


def test_compiled_starter_policy(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)  # the program names files relative to the working folder
    check_golden("policy.lp", load_policy("policy").program.text)


def test_batch_records_of_generated_cases(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The batch file of 12 generated cases, missing facts searched, byte for byte: a change to how cases are
    grounded or solved must leave it as it is."""
    from havre.caseload import batch as b
    from havre.caseload.generate import Generator

    monkeypatch.chdir(ROOT)
    policy = load_policy("policy")
    docs = list(Generator(policy.checked, seed=3, unknown_rate=0.1).cases(12))
    source = tmp_path / "cases.jsonl"
    source.write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in docs), encoding="utf-8")
    out = tmp_path / "out.jsonl"
    b.run_batch(b.LocalEngine(policy, b.Options(missing=True, explain=False)), b.read_items(source), out, 25)
    check_golden("batch/generated-12.jsonl", out.read_text(encoding="utf-8"))
