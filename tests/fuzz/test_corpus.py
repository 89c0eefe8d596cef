"""The corpus of hostile inputs: each ends with output or a user's error (exit 2), never a fault, in seconds."""

from __future__ import annotations

import json
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fuzz.harness import Outcome, args_input, case_input, policy_input, workdir

CORPUS = Path(__file__).with_name("corpus")
SECONDS = 60  # far above what any input takes alone; the fuzzing command watches for 10 s on an idle machine


class TooLong(Exception):
    pass


@pytest.fixture(autouse=True)
def limits(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("HAVRE_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
    monkeypatch.delenv("HAVRE_NO_CACHE", raising=False)
    monkeypatch.setenv("COLUMNS", "100")

    def stop(_signum: int, _frame: object) -> None:
        raise TooLong

    previous = signal.signal(signal.SIGALRM, stop)
    signal.alarm(SECONDS)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def no_fault(outcomes: list[Outcome]) -> None:
    for o in outcomes:
        assert o.fault is None, f"havre {' '.join(o.args)[:300]}\n{o.fault}"


@pytest.mark.parametrize("path", sorted((CORPUS / "policy").iterdir()), ids=lambda p: p.name)
def test_policy_corpus(path: Path) -> None:
    with workdir() as folder:
        outcomes = policy_input(path.read_bytes(), folder)
    no_fault(outcomes)
    if path.stem not in ("calendar-ends", "escape-emoji-and-name", "empty", "or-24-conjuncts", "not-16-conjuncts"):
        assert outcomes[-1].code == 2, (path.name, outcomes[-1].stdout[-500:], outcomes[-1].stderr[-500:])
        assert "error" in outcomes[-1].stderr


@pytest.mark.parametrize("path", sorted((CORPUS / "case").iterdir()), ids=lambda p: p.name)
def test_case_corpus(path: Path) -> None:
    with workdir() as folder:
        outcomes = case_input(path.read_bytes(), path.suffix, folder)
    no_fault(outcomes)
    if path.stem not in ("newline-name", "control-characters-name", "dates-at-calendar-ends", "int-at-max"):
        assert outcomes[0].code == 2, (path.name, outcomes[0].stderr[-500:])
        assert outcomes[0].stderr.startswith("error: ")
    else:
        assert "\x1b" not in outcomes[-1].stdout and "\n- forged" not in outcomes[-1].stdout


@pytest.mark.parametrize("path", sorted((CORPUS / "args").iterdir()), ids=lambda p: p.name)
def test_arguments_corpus(path: Path) -> None:
    with workdir() as folder:
        outcomes = args_input(json.loads(path.read_text(encoding="utf-8")), folder)
    no_fault(outcomes)
    if path.stem != "batch-resume-nothing":  # a YAML file read as JSON Lines: one error record a line
        assert outcomes[0].code == 2, (path.name, outcomes[0].stderr[-500:])
    assert not list(folder.glob("*.partial"))
