"""A conflict between rules is never a settled answer: every output says that two rules disagree, and which.

The shipped policy, with one rule added that refuses an application whenever the officer found the applicant
able to integrate: for Amina, selected by PROC-4.selected, it concludes `refused` as well.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from explain.rendering.render import render
from havre.api import Policy, load_policy
from tests.helpers import ROOT

AMINA = ROOT / "policy/examples/amina-selected.yaml"
RULE = """
rule PROC-5.capacity "Refused: able to integrate" fr "Refusée : capable de s'intégrer"
  cites PROC-5
  decision(A) = refused if principal(A) = P and capacity_to_integrate(P).
"""


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("conflict") / "policy"
    shutil.copytree(ROOT / "policy", path)
    with (path / "qhc/decision.havre").open("a", encoding="utf-8") as f:
        f.write(RULE)
    return path


@pytest.fixture(scope="module")
def policy(folder: Path) -> Policy:
    return load_policy(folder)


def havre(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "havre", *args], capture_output=True, text=True, cwd=ROOT, timeout=300)


def test_the_decision_is_a_conflict_with_both_values_and_rules(policy: Policy) -> None:
    d = policy.decide(AMINA, missing=False)
    v = d.get("decision", "app1")
    assert (v.status, v.value) == ("conflict", None)
    assert v.conflict is not None and v.conflict.certain
    assert [(s.value, s.rules) for s in v.conflict.sides] == [
        ("refused", ("PROC-5.capacity",)),
        ("selected", ("PROC-4.selected",)),
    ]
    assert d.conflicts == (v.conflict,)
    count = d.get("csq_count", "app1")  # it follows from `selected`: it says so
    assert (count.status, count.rests_on) == ("holds", (("decision", ("app1",)),))


def test_decide_says_so_first_and_exits_1(folder: Path) -> None:
    r = havre("decide", str(AMINA), "--policy", str(folder))
    assert r.returncode == 1, r.stderr
    lines = r.stdout.splitlines()
    assert lines[2:4] == [
        "!! CONFLICT: MIFI's decision on app1: …",
        "   Rules disagree: refused (PROC-5.capacity) and selected (PROC-4.selected)",
    ]
    assert "  [conflict] MIFI's decision on app1: …" in lines
    at = lines.index(
        "  [holds] 4 Québec selection certificates are issued for app1: the principal applicant's and one"
        " for each accompanying family member  (rule PROC-4.csq-count)"
    )
    assert lines[at + 2] == "      ! follows from a conflict: MIFI's decision on app1: …"
    r = havre("decide", str(AMINA), "--policy", str(folder), "--format", "json", "--verdict", "decision")
    assert r.returncode == 1
    data = json.loads(r.stdout)
    expected = {
        "predicate": "decision",
        "subject": ["app1"],
        "certain": True,
        "values": [
            {"value": "refused", "rules": ["PROC-5.capacity"]},
            {"value": "selected", "rules": ["PROC-4.selected"]},
        ],
    }
    assert data["conflicts"] == [expected]
    assert data["verdicts"] == [
        {
            "verdict": "decision",
            "subject": ["app1"],
            "value": None,
            "status": "conflict",
            "missing": [],
            "rules": ["PROC-4.selected", "PROC-5.capacity"],
            "questions": [],
            "conflict": expected,
        }
    ]
    fr = havre("decide", str(AMINA), "--policy", str(folder), "--lang", "fr", "--summary")
    assert fr.stdout.splitlines()[2:4] == [
        "!! CONFLIT\u00a0: Décision du MIFI sur app1\u00a0: …",
        "   Les règles se contredisent\u00a0: refusée (PROC-5.capacity) et sélectionnée (PROC-4.selected)",
    ]


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_every_explanation_format_shows_each_side_with_its_derivation(policy: Policy, lang: str) -> None:
    view = policy.explain(AMINA, lang=lang, verdicts=["decision"])
    [v] = view["verdicts"]
    sides = v["conflict"]["sides"]
    assert [[r["rule"] for r in s["rules"]] for s in sides] == [["PROC-5.capacity"], ["PROC-4.selected"]]
    assert [[step["rule"] for step in s["why"]] for s in sides] == [["PROC-5.capacity"], ["PROC-4.selected"]]
    assert view["conflicts"][0]["text"] == v["conflict"]["text"]
    for fmt in ("text", "markdown", "html", "json"):
        out = render(view, fmt)  # type: ignore[arg-type]
        for rule in ("PROC-5.capacity", "PROC-4.selected"):
            assert out.count(rule) >= 2, (fmt, rule)  # in the conflict line, and heading its side's derivation
        assert {"en": "CONFLICT", "fr": "CONFLIT"}[lang] in out or fmt == "json"


def test_explain_exits_1(folder: Path) -> None:
    r = havre("explain", str(AMINA), "--policy", str(folder), "--verdict", "decision", "--format", "html")
    assert r.returncode == 1
    assert '<div class="conflict" role="alert">' in r.stdout


def test_batch_records_carry_the_conflict(folder: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    r = havre("batch", str(ROOT / "policy/examples"), "--policy", str(folder), "-o", str(out), "--no-missing")
    assert r.returncode == 0, r.stderr
    records = {rec["case"]: rec for rec in map(json.loads, out.read_text(encoding="utf-8").splitlines())}
    amina = records["amina-2026-001"]
    [decision] = [v for v in amina["verdicts"] if v["verdict"] == "decision"]
    assert decision["status"] == "conflict"
    assert [s["rules"] for s in decision["conflict"]["values"]] == [["PROC-5.capacity"], ["PROC-4.selected"]]


def test_a_scenario_expecting_a_value_fails_with_both_values_and_rules(folder: Path, tmp_path: Path) -> None:
    scenario = tmp_path / "scenarios/amina.yaml"
    scenario.parent.mkdir()
    scenario.write_text(
        f"scenarios:\n  - name: selected\n    case_file: {AMINA}\n    expect:\n"
        "      - {verdict: decision, subject: [app1], status: holds, value: selected}\n",
        encoding="utf-8",
    )
    r = havre("test", str(scenario), "--policy", str(folder))
    assert r.returncode == 1
    got = "got a conflict between rules: refused (PROC-5.capacity) and selected (PROC-4.selected)"
    assert r.stdout.splitlines()[1:3] == [
        f"       decision(app1): expected holds, {got}",
        f"       decision(app1): expected value selected, {got}",
    ]
