"""The compiled-policy cache: reused while nothing changed, never trusted when something did."""

from __future__ import annotations

import pickle
import shutil
from pathlib import Path

import pytest

from havre.api import load_policy

MINI = Path(__file__).resolve().parent.parent / "fixtures" / "mini"


@pytest.fixture
def policy_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("HAVRE_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("HAVRE_NO_CACHE", raising=False)
    return Path(shutil.copytree(MINI, tmp_path / "policy"))


def entries(policy_dir: Path) -> list[Path]:
    return sorted((policy_dir.parent / "cache").glob("*.pickle"))


def test_a_loaded_policy_is_cached_and_reused(policy_dir: Path) -> None:
    first = load_policy(policy_dir)
    assert len(entries(policy_dir)) == 1
    again = load_policy(policy_dir)
    assert again.checked == first.checked and again.program == first.program
    assert not list((policy_dir.parent / "cache").glob("*.partial"))


def test_an_edited_file_is_read_again(policy_dir: Path) -> None:
    first = load_policy(policy_dir)
    people = policy_dir / "people.havre"
    people.write_text(people.read_text(encoding="utf-8") + "\n# an edit\n", encoding="utf-8")
    assert load_policy(policy_dir).hash != first.hash


def test_a_damaged_entry_is_ignored(policy_dir: Path) -> None:
    first = load_policy(policy_dir)
    entries(policy_dir)[0].write_bytes(b"not a pickle")
    assert load_policy(policy_dir).hash == first.hash


def test_the_cache_can_be_turned_off(policy_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HAVRE_NO_CACHE", "1")
    load_policy(policy_dir)
    assert entries(policy_dir) == []


def test_a_failed_write_leaves_nothing_behind(policy_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(*args: object, **kwargs: object) -> None:
        raise pickle.PicklingError("cannot pickle")

    monkeypatch.setattr(pickle, "dump", fail)
    assert load_policy(policy_dir).hash  # the command goes on without the cache
    assert list((policy_dir.parent / "cache").iterdir()) == []
