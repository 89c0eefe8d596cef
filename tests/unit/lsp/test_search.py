"""The editor's search of `havre check`: a search no longer wanted stops at its next step."""

from __future__ import annotations

import asyncio
import threading

import pytest

from havre.api import load_policy
from havre.lsp.search import Searches
from tests.helpers import ROOT

FIXTURE = ROOT / "tests/fixtures/broken/dead-rule"
pytestmark = pytest.mark.asyncio


async def test_a_search_a_later_save_supersedes_stops_at_its_next_step() -> None:
    """The first search is held inside its first step while a second is asked for: it hears no other step and
    reports nothing; the second runs to its end and finds the dead rule."""
    checked = load_policy(FIXTURE).checked
    entry = FIXTURE / "main.havre"
    searches = Searches()
    heard: list[str] = []
    inside, go_on = threading.Event(), threading.Event()

    def first_step(line: str) -> None:
        heard.append(line)
        inside.set()
        go_on.wait(30)

    first = asyncio.create_task(searches.search(entry, checked, first_step))
    assert await asyncio.to_thread(inside.wait, 30)
    second = asyncio.create_task(searches.search(entry, checked))
    await asyncio.sleep(0)  # the second is asked for before the first goes on
    go_on.set()
    assert await first is False
    assert len(heard) == 1 and heard[0].startswith("grounding the universe (")
    assert await second is True
    assert [f.code for f in searches.found[entry]] == ["dead-rule"]
    searches.close()
