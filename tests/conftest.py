"""Every test run keeps its compiled-policy cache apart from the user's, and gives the searches that stop at a
time limit room enough that a loaded machine does not cut short one a test compares with another run."""

from __future__ import annotations

import os
import tempfile

import pytest

os.environ.setdefault("HAVRE_CACHE_DIR", tempfile.mkdtemp(prefix="havre-cache-"))

SEARCH_SECONDS = 120.0  # tests of the limits themselves pass their own budget or deadline


@pytest.fixture(autouse=True)
def unhurried_searches(monkeypatch: pytest.MonkeyPatch) -> None:
    from explain import explanation
    from solver.solve import decide

    monkeypatch.setattr(decide, "MISSING_SECONDS", SEARCH_SECONDS)
    monkeypatch.setattr(explanation, "WHAT_IF_SECONDS", SEARCH_SECONDS)
