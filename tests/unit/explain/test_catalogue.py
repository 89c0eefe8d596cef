"""Updating a catalogue: what a translator knows stays where it was; new messages come after it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog

from explain.wording import catalogue
from explain.wording.i18n import catalogue_path


def test_update_keeps_the_order_adds_new_messages_last_and_drops_stale_ones(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    copy = tmp_path / "messages.po"
    shutil.copy(catalogue_path("fr"), copy)
    monkeypatch.setattr(catalogue, "catalogue_path", lambda lang, suffix="po": copy)
    used = catalogue.extract()
    before = [m.id for m in catalogue.read("fr") if m.id]
    stale = before[3]
    shown = Catalog()
    for m in used:
        if m.id and m.id != stale:
            shown.add(m.id)
    shown.add("b new message")
    shown.add("a new message")
    monkeypatch.setattr(catalogue, "extract", lambda: shown)

    catalogue.update("fr")
    after = catalogue.read("fr")
    assert [m.id for m in after if m.id] == [m for m in before if m != stale] + ["a new message", "b new message"]
    assert after["no"].string == "non"
    text = copy.read_text(encoding="utf-8")
    catalogue.update("fr")
    assert copy.read_text(encoding="utf-8") == text  # nothing changed: nothing written differently
