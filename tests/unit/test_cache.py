"""The compiled-policy cache: reused while nothing changed, never trusted when something did."""

from __future__ import annotations

import json
import os
import pickle
import shutil
import threading
from pathlib import Path

import pytest
import yaml

from explain import explanation
from grammar.diagnostics import PolicyError
from havre.api import load_policy
from havre.store import cache, stored
from solver.compile.chain import chains
from tests.e2e.test_cli import CASE
from tests.helpers import ROOT

MINI = Path(__file__).resolve().parent.parent / "fixtures" / "mini"
SMALL = """\
source S "doc" "A doc" authority law
entity person
input a(P: person)
input n(P: person): int
verdict v(P: person)
rule R1 "r" cites S v(P) if a(P) and (n(P) < 3 or not a(P)).
"""


@pytest.fixture
def policy_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("HAVRE_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("HAVRE_NO_CACHE", raising=False)
    return Path(shutil.copytree(MINI, tmp_path / "policy"))


def entries(policy_dir: Path) -> list[Path]:
    return sorted((policy_dir.parent / "cache").glob("*.entry"))


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


def test_a_damaged_entry_is_discarded_and_made_again(policy_dir: Path) -> None:
    first = load_policy(policy_dir)
    [entry] = entries(policy_dir)
    entry.write_bytes(b"not an entry")
    assert cache.read(policy_dir / "main.havre") is None
    assert entries(policy_dir) == []
    assert load_policy(policy_dir).hash == first.hash
    assert cache.read(policy_dir / "main.havre") is not None


def test_the_cache_can_be_turned_off(policy_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HAVRE_NO_CACHE", "1")
    load_policy(policy_dir)
    assert entries(policy_dir) == []


def test_a_failed_write_leaves_nothing_behind(policy_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(*args: object, **kwargs: object) -> bytes:
        raise TypeError("cannot store a thing")

    monkeypatch.setattr(stored, "dumps", fail)
    assert load_policy(policy_dir).hash  # the command goes on without the cache
    assert list((policy_dir.parent / "cache").glob("*")) == []


class Exploit:
    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (os.system, ("touch pwned",))


def test_a_crafted_pickle_in_the_cache_runs_nothing(policy_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(policy_dir.parent)
    load_policy(policy_dir)
    [entry] = entries(policy_dir)
    for path in (entry, entry.with_suffix(".pickle")):
        path.write_bytes(pickle.dumps(Exploit()))
    assert load_policy(policy_dir).hash
    assert not (policy_dir.parent / "pwned").exists()


def test_an_entry_made_for_another_policy_is_not_used(policy_dir: Path, tmp_path: Path) -> None:
    other = tmp_path / "other"
    other.mkdir()
    (other / "main.havre").write_text(SMALL, encoding="utf-8")
    load_policy(other)
    load_policy(policy_dir)
    [a, b] = entries(policy_dir)
    a.write_bytes(b.read_bytes()) if cache.key(policy_dir / "main.havre") in a.name else b.write_bytes(a.read_bytes())
    assert cache.read(policy_dir / "main.havre") is None
    assert load_policy(policy_dir).checked.rules[0].id != "R1"


def test_every_damaged_byte_is_caught(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each byte of an entry changed in turn: the entry is refused, or reads back the same (then decides the same)."""
    monkeypatch.setenv("HAVRE_CACHE_DIR", str(tmp_path / "cache"))
    (tmp_path / "main.havre").write_text(SMALL, encoding="utf-8")
    loaded = load_policy(tmp_path)
    [path] = (tmp_path / "cache").glob("*.entry")
    data = path.read_bytes()
    entry_key = cache.key(tmp_path / "main.havre")
    original = cache.decode(entry_key, data)
    assert original is not None and original.checked == loaded.checked
    used = 0
    for i in range(len(data)):
        for flip in (0x01, 0x20, 0xFF):
            damaged = data[:i] + bytes([data[i] ^ flip]) + data[i + 1 :]
            got = cache.decode(entry_key, damaged)
            if got is not None:
                used += 1
                assert (got.checked, got.program, got.chains) == (original.checked, original.program, original.chains)
    assert used == 0
    assert cache.decode(entry_key, data[:-1]) is None and cache.decode(entry_key, data + b" ") is None


def test_the_policy_hash_does_not_depend_on_where_it_is(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HAVRE_NO_CACHE", "1")
    first = load_policy(MINI).hash
    copy = shutil.copytree(MINI, tmp_path / "elsewhere")
    monkeypatch.chdir(tmp_path)
    assert load_policy("elsewhere").hash == first
    monkeypatch.chdir(ROOT)
    assert load_policy(copy).hash == first


def _parsed_files(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The files the parser reads from here on, by their shown names."""
    from grammar.text import parse as parsing

    parsed: list[str] = []
    real = parsing.parse_text

    def counted(text: str, file: str) -> object:
        parsed.append(Path(file).name)
        return real(text, file)

    monkeypatch.setattr(parsing, "parse_text", counted)
    return parsed


def test_after_an_edit_only_the_edited_file_is_parsed_again(policy_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    load_policy(policy_dir)
    people = policy_dir / "people.havre"
    people.write_text(people.read_text(encoding="utf-8") + "\n# an edit\n", encoding="utf-8")
    parsed = _parsed_files(monkeypatch)
    edited = load_policy(policy_dir)
    assert parsed == ["people.havre"]
    assert len(entries(policy_dir)) == 1  # the entry made anew took the stale one's place
    assert load_policy(policy_dir).checked == edited.checked and parsed == ["people.havre"]
    anew = load_policy(policy_dir, cache=False)
    assert edited.checked == anew.checked and edited.program == anew.program


def test_an_edit_that_breaks_a_file_is_reported_and_its_mending_loads(
    policy_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = load_policy(policy_dir)
    people = policy_dir / "people.havre"
    text = people.read_text(encoding="utf-8")
    people.write_text(text + "\nrule\n", encoding="utf-8")
    with pytest.raises(PolicyError) as raised:
        load_policy(policy_dir)
    assert [d.code for d in raised.value.diagnostics] == ["syntax-error"]
    assert raised.value.diagnostics[0].span.file.endswith("people.havre")
    people.write_text(text, encoding="utf-8")
    parsed = _parsed_files(monkeypatch)
    assert load_policy(policy_dir).checked == first.checked
    assert parsed == []  # the stale entry, kept through the failure, reads as the files do again


def test_an_entry_is_written_as_the_standard_library_writes_it_and_read_back_whole() -> None:
    policy = load_policy(ROOT / "policy", cache=False)
    made = chains(policy.checked)
    value = ("key", (("/p/main.havre", "0" * 64),), policy.checked, policy.program, made)
    data = stored.dumps(value)
    assert data == json.dumps(stored._Writer().plain(value), ensure_ascii=False, separators=(",", ":")).encode()
    _, _, checked, program, kept = stored.loads(data)  # type: ignore[misc]
    assert checked == policy.checked and program == policy.program and kept == made


def test_the_entry_keeps_the_explanation_rules_and_no_later_command_builds_them(
    policy_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    made = load_policy(policy_dir)
    assert made.chains == chains(made.checked)
    case = yaml.safe_load(CASE)
    built_anew = load_policy(policy_dir, cache=False).explain(case, why_not=True)

    def built(*args: object, **kwargs: object) -> object:
        raise AssertionError("the chains were built again")

    monkeypatch.setattr(explanation, "chains", built)
    kept = load_policy(policy_dir)
    assert kept.chains == made.chains and kept.explainer.chain_text == made.chains[0]
    assert kept.explain(case, why_not=True) == built_anew


def test_a_value_nested_past_orjson_s_limit_is_written_all_the_same() -> None:
    deep: object = "leaf"
    for _ in range(300):
        deep = (deep,)
    assert stored.loads(stored.dumps(deep)) == deep


def test_an_entry_made_anew_can_be_written_behind_the_answer(policy_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = load_policy(policy_dir)
    people = policy_dir / "people.havre"
    people.write_text(people.read_text(encoding="utf-8") + "\n# an edit\n", encoding="utf-8")
    release, encode = threading.Event(), cache.encode

    def held(entry_key: str, entry: cache.Entry) -> bytes:
        release.wait(60)
        return encode(entry_key, entry)

    monkeypatch.setattr(cache, "encode", held)
    before = set(threading.enumerate())
    edited = load_policy(policy_dir, write_behind=True)  # answers with the write still held
    [writing] = [t for t in threading.enumerate() if t not in before]
    assert writing.name == "havre-cache-write"
    assert not writing.daemon  # the interpreter waits for it before the process ends
    stale = cache.read(policy_dir / "main.havre")
    assert stale is not None and not cache.fresh(stale)
    release.set()
    writing.join()
    kept = cache.read(policy_dir / "main.havre")
    assert kept is not None and cache.fresh(kept)
    assert kept.checked == edited.checked and kept.program == edited.program and edited.hash != first.hash
    assert len(entries(policy_dir)) == 1 and not list((policy_dir.parent / "cache").glob("*.partial"))
