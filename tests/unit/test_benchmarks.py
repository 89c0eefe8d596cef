"""The benchmark script in its smallest mode: every row is produced (no timing is checked)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks.run import main
from grammar.checks.check import load
from havre.caseload.generate import Generator
from tests.helpers import ROOT

MINI = ROOT / "tests/fixtures/mini"


def test_the_smoke_run_prints_every_row(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    case = tmp_path / "case.json"
    case.write_text(json.dumps(Generator(load(MINI), seed=1).case(0)), encoding="utf-8")
    options = ["--case", str(case), "--also-cold", "--also-warm", "--what-if", str(case)]
    assert main(["--smoke", "--policy", str(MINI), *options]) == 0
    table = capsys.readouterr().out
    for row in (
        "reading a case: a JSON line checked and made a Case",
        "verdicts only, decide_many (",
        "verdicts only, decide_many, cases stating every fact",
        "verdicts only, batch path",
        "small policy (18 rules), verdicts only, decide_many (1000 cases stating every fact)",
        "small policy (18 rules), verdicts only, batch path, chunks of 25",
        "with explanations, why and why not",
        "xclingo explaining the same compiled program",
        "warm decide, verdicts only, case.json",
        "warm decide with missing facts",
        "warm explain, every verdict",
        "what would change each verdict, warm, case.json",
        "one case of 10 entities (case.json grown by copying an entity)",
        "cold `havre decide case.json` as a process (median",
        "cold `havre decide case.json` as a process, policy cache off",
        "cold `havre decide case.json` as a process, after one policy file is edited (",
        "caseload of 20",
        "caseload of 40",
        "time per case from 20 to 40 cases",
        "peak memory at 100,000 cases",
        "impact of a rule change on 20 cases: `havre impact --workers 2` (both versions)",
        "serve --workers 2: 4 concurrent decide requests, case.json (p50 / p99 latency)",
    ):
        assert row in table
    assert "raw clingo" in table and ("MET" in table or "MISSED" in table)
