"""Questions the checker settled one by one are kept under keys naming what their answers depend on: asked
again only when an edit reaches that part of the policy or the universe."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from clingo import Function, String, Symbol
from typer.testing import CliRunner

import solver.analysis.analysis as analysis
from grammar.checks.checked import CheckedPolicy
from havre.cli.main import app
from havre.store import proofs
from havre.store.cache import code_digest
from solver.analysis.analysis import analyse
from solver.analysis.kept import IMPOSSIBLE, POSSIBLE, UNSETTLED, UNSETTLED_ONCE, proof_keys
from solver.analysis.universe import Universe
from solver.compile.emit import emit
from tests.helpers import ROOT, policy_of

BROKEN = ROOT / "tests/fixtures/broken"

# Two rules that never conclude, each in a part of its own: the brave enumeration leaves their atoms to be
# proved impossible one by one.
DEAD = """
input status(P: person): one of citizen, foreign_national
verdict flagged(P: person)
verdict odd(P: person)

rule QHC-1.flag "Flagged: a citizen who is a foreign national" cites QHC-1
  flagged(P) if status(P) = citizen and status(P) = foreign_national.

rule QHC-3.odd "Odd: a citizen who is not one" cites QHC-3
  odd(P) if status(P) = citizen and not status(P) = citizen.
"""
EDITED = DEAD.replace(
    "status(P) = citizen and not status(P) = citizen.",
    "status(P) = foreign_national and not status(P) = foreign_national.",
)


def asked_with(monkeypatch: pytest.MonkeyPatch, policy: CheckedPolicy, kept: dict[str, str]) -> list[Symbol]:
    """The atoms the search asks about one by one, with `kept` as what earlier runs concluded."""
    asked: list[Symbol] = []
    settle = analysis._settle

    def recorded(ctl: object, atom: Symbol) -> set[Symbol] | None:
        asked.append(atom)
        return settle(ctl, atom)  # type: ignore[arg-type]

    monkeypatch.setattr(analysis, "_settle", recorded)
    found = analyse(emit(policy), policy, kept=kept)
    dead = [(f.code, f.subject) for f in found if f.code == "dead-rule"]
    assert dead == [("dead-rule", "QHC-1.flag"), ("dead-rule", "QHC-3.odd")]
    return asked


def rules_of(atoms: list[Symbol]) -> set[str]:
    return {a.arguments[0].string for a in atoms}


def test_a_question_settled_once_is_not_asked_again(monkeypatch: pytest.MonkeyPatch) -> None:
    policy, kept = policy_of(DEAD), {}
    first = asked_with(monkeypatch, policy, kept)
    assert rules_of(first) == {"QHC-1.flag", "QHC-3.odd"}
    assert len(kept) == len(first) and set(kept.values()) == {IMPOSSIBLE}
    assert asked_with(monkeypatch, policy, kept) == []  # the same findings, nothing asked


def test_an_edit_asks_again_only_about_the_part_it_changed(monkeypatch: pytest.MonkeyPatch) -> None:
    kept: dict[str, str] = {}
    asked_with(monkeypatch, policy_of(DEAD), kept)
    assert rules_of(asked_with(monkeypatch, policy_of(EDITED), kept)) == {"QHC-3.odd"}


def test_keys_name_the_part_of_the_policy_and_the_universe() -> None:
    flag, odd = (Function("_h_fires", [String(r)]) for r in ("QHC-1.flag", "QHC-3.odd"))

    def keys(src: str, shared: str = "universe") -> dict[Symbol, str]:
        return proof_keys(policy_of(src), [flag, odd], shared, lambda part: "")

    before, after = keys(DEAD), keys(EDITED)
    assert before[flag] == after[flag] and before[odd] != after[odd]
    moved = keys("\n# a comment moves every rule down a line\n" + DEAD)
    assert moved == before  # compiled comments name files and lines; the keys leave them out
    assert set(keys(DEAD, "another universe").values()).isdisjoint(before.values())
    unknown = Function("_h_fires", [String("QHC-9.none")])
    assert proof_keys(policy_of(DEAD), [unknown], "universe", lambda part: "") == {}


def test_a_larger_universe_asks_again(monkeypatch: pytest.MonkeyPatch) -> None:
    policy, kept = policy_of(DEAD), {}
    asked_with(monkeypatch, policy, kept)
    asked: list[Symbol] = []
    monkeypatch.setattr(analysis, "_settle", lambda ctl, atom: asked.append(atom) or set())
    analyse(emit(policy), policy, universe=Universe({"person": 3}), kept=kept)
    assert rules_of(asked) == {"QHC-1.flag", "QHC-3.odd"}


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("HAVRE_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("HAVRE_NO_CACHE", raising=False)
    return tmp_path / "cache"


def test_check_keeps_its_proofs_and_the_next_check_reads_them(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = CliRunner().invoke(app, ["check", "--policy", str(BROKEN / "dead-rule")])
    stored = json.loads((cache / proofs.NAME).read_text())
    assert set(stored["proofs"].values()) == {IMPOSSIBLE, POSSIBLE} and len(stored["proofs"]) > 1
    monkeypatch.setattr(analysis, "_settle", lambda ctl, atom: pytest.fail(f"asked again about {atom}"))
    again = CliRunner().invoke(app, ["check", "--policy", str(BROKEN / "dead-rule")])
    assert f"checking: {len(stored['proofs'])} rules and problems answered by earlier checks" in again.output
    assert (again.exit_code, findings(again.output)) == (first.exit_code, findings(first.output))
    assert first.exit_code == 1 and "warning[dead-rule]" in again.output


def findings(output: str) -> list[str]:
    """The report without its progress lines and the time the search took."""
    return [line.rsplit(" (", 1)[0] for line in output.splitlines() if not line.startswith("checking: ")]


def test_kept_proofs_that_cannot_be_read_are_made_anew(cache: Path) -> None:
    cache.mkdir()
    for text in ("not json", '{"code": "other", "proofs": {"k": "impossible"}}', "[" * 100_000):
        (cache / proofs.NAME).write_text(text)
        assert proofs.read() == {}
    (cache / proofs.NAME).write_text(json.dumps({"code": code_digest(), "proofs": {"k": "possible", "j": "x"}}))
    assert proofs.read() == {"k": "possible"}  # an outcome it does not know is dropped


def test_kept_proofs_keep_the_most_recently_used(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(proofs, "MAX", 3)
    kept = proofs.Kept({"a": "possible", "b": "possible", "c": "possible"})
    kept["a"] = "possible"  # used again: now the newest
    kept["d"] = "impossible"
    proofs.write(kept)
    assert list(proofs.read() or {}) == ["c", "a", "d"]
    assert [p.name for p in cache.iterdir()] == [proofs.NAME]  # no partial file left


def test_two_checks_at_once_keep_what_each_settled(cache: Path) -> None:
    first, second = proofs.read() or proofs.Kept(), proofs.read() or proofs.Kept()  # both read an empty store
    first["a"], second["b"] = "impossible", "possible"
    proofs.write(first)
    second["a"] = "possible"  # the check written last has the last word on a question both asked
    proofs.write(second)
    assert proofs.read() == {"a": "possible", "b": "possible"}


def test_no_proofs_are_kept_with_the_cache_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HAVRE_NO_CACHE", "1")
    assert proofs.read() is None


def test_a_question_not_settled_in_time_is_asked_once_more_then_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    policy, kept = policy_of(DEAD), {}
    asked: list[Symbol] = []

    def unsettled(ctl: object, atom: Symbol) -> None:
        asked.append(atom)  # none settled in time

    monkeypatch.setattr(analysis, "_settle", unsettled)
    runs = [[f.message for f in analyse(emit(policy), policy, kept=kept) if f.code == "unsettled"] for _ in range(3)]
    questions = len(asked) // 2
    assert questions > 1 and len(asked) == 2 * questions  # asked at the first two checks, not at the third
    assert set(kept.values()) == {UNSETTLED}
    assert (
        runs[0]
        == runs[1]
        == [
            "the search could not settle within 5 s whether rule QHC-1.flag always concludes, decides and lets its"
            " parts apply; nothing is claimed about it",
            "the search could not settle within 5 s whether rule QHC-3.odd always concludes, decides and lets its"
            " parts apply; nothing is claimed about it",
        ]
    )
    assert runs[2] == [m.replace("the search", "two earlier checks of the same rules") for m in runs[0]]


def test_a_question_unsettled_once_and_settled_the_next_time_is_kept_settled(monkeypatch: pytest.MonkeyPatch) -> None:
    policy, kept = policy_of(DEAD), {}
    settle = analysis._settle
    monkeypatch.setattr(analysis, "_settle", lambda ctl, atom: None)
    analyse(emit(policy), policy, kept=kept)
    assert set(kept.values()) == {UNSETTLED_ONCE}
    monkeypatch.setattr(analysis, "_settle", settle)
    found = analyse(emit(policy), policy, kept=kept)
    assert [(f.code, f.subject) for f in found if f.code in ("dead-rule", "unsettled")] == [
        ("dead-rule", "QHC-1.flag"),
        ("dead-rule", "QHC-3.odd"),
    ]
    assert set(kept.values()) == {IMPOSSIBLE}
