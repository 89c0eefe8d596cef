"""Golden files, reviewed by eye when they change. HAVRE_UPDATE_GOLDEN=1 rewrites them."""

from __future__ import annotations

import os

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
