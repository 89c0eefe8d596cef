"""Code lenses resolved on a policy without examples: the cases of its scenario files."""

from __future__ import annotations

import shutil
from pathlib import Path

from lsprotocol import types as t

from havre.lsp.lens import Examples
from tests.e2e.test_cli import CASE
from tests.helpers import ROOT

SCENARIO = """\
scenarios:
  - name: amina is eligible
    case_file: ../c.yaml
    expect:
      - {verdict: eligible, subject: [amina]}
"""


def lens(entry: Path, kind: str, name: str) -> t.CodeLens:
    where = t.Range(t.Position(0, 0), t.Position(0, 0))
    return Examples().resolve(t.CodeLens(where, data={"entry": str(entry), "kind": kind, "name": name}))


def test_without_examples_the_scenarios_cases_are_decided(tmp_path: Path) -> None:
    policy = tmp_path / "mini"
    shutil.copytree(ROOT / "tests/fixtures/mini", policy)
    (policy / "c.yaml").write_text(CASE, encoding="utf-8")
    (policy / "scenarios").mkdir()
    (policy / "scenarios/a.yaml").write_text(SCENARIO, encoding="utf-8")
    found = lens(policy / "main.havre", "verdict", "eligible").command
    assert found is not None
    assert found.title == "decide on example amina is eligible: eligible(amina), undetermined"
    assert found.arguments == ["test", str(policy / "scenarios/a.yaml"), "--policy", str(policy)]


def test_a_policy_with_errors_asks_for_them_to_be_fixed(tmp_path: Path) -> None:
    (tmp_path / "main.havre").write_text("entity person\nrule R", encoding="utf-8")
    found = lens(tmp_path / "main.havre", "rule", "R").command
    assert found is not None and found.title == "decide on example: fix the policy's errors first"
