"""Parsed statements are never shared between threads: clingo counts a node's owners outside Python's lock."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import clingo
import pytest
from clingo.ast import ProgramBuilder

from havre.api import load_policy
from solver.solve import run
from solver.solve.run import PARSE_AT, InternalError, add_program, add_text, control, statements
from tests.helpers import ROOT


def test_each_thread_parses_its_own_statements() -> None:
    text = "a. b :- a. #show b/0."
    seen: list[tuple[clingo.ast.AST, ...]] = []
    for _ in range(2):
        thread = threading.Thread(target=lambda: seen.append(statements(text)))
        thread.start()
        thread.join()
    assert [str(s) for s in seen[0]] == [str(s) for s in seen[1]]
    assert seen[0] is not seen[1]
    assert statements(text) is statements(text)  # within one thread, parsed once


def test_controls_on_four_threads_take_the_shipped_program_at_once() -> None:
    """With nodes shared between threads, clingo rejected them ("invalid ast: term expected") or crashed."""
    text = load_policy(ROOT / "policy").program.text
    barrier = threading.Barrier(4, timeout=60)

    def add(_: int) -> int:
        barrier.wait()
        for _ in range(10):
            ctl = clingo.Control(["--warn=none"])
            with ProgramBuilder(ctl) as builder:
                for statement in statements(text):
                    builder.add(statement)
        return len(statements(text))

    with ThreadPoolExecutor(max_workers=4) as pool:
        counts = list(pool.map(add, range(4)))
    assert counts == [len(statements(text))] * 4


def test_a_program_goes_in_as_text_until_a_thread_has_added_it_often() -> None:
    for i in range(100):  # however many programs the thread added before
        add_program(clingo.Control(["--warn=none"]), [f"before({i})."])
    text = "p(1..3). q(X) :- p(X), X > 1. #show q/1.  % added a few times"
    models, parsed = [], []
    for _ in range(PARSE_AT + 1):
        ctl = clingo.Control(["--warn=none"])
        add_program(ctl, [text])
        parsed.append(text in run._PARSED.kept)
        ctl.ground([("base", [])])
        ctl.solve(on_model=lambda m: models.append(sorted(str(s) for s in m.symbols(shown=True))))
    assert models == [["q(2)", "q(3)"]] * (PARSE_AT + 1)
    assert parsed == [False] * (PARSE_AT - 1) + [True, True]


def test_a_program_clingo_rejects_is_an_internal_error_naming_the_stage() -> None:
    policy = load_policy(ROOT / "policy")
    with pytest.raises(InternalError, match=r"^clingo rejected the compiled program: .*syntax error"):
        control(policy.program, policy.checked, [], extra="p(.")


def test_program_texts_are_parsed_one_at_a_time_in_a_process() -> None:
    """Two of clingo's parses side by side each took two to four times as long as alone."""
    guard, inside, most = threading.Lock(), [0], [0]

    class Parsing:
        def add(self, name: str, params: list[str], text: str) -> None:
            with guard:
                inside[0] += 1
                most[0] = max(most[0], inside[0])
            time.sleep(0.01)
            with guard:
                inside[0] -= 1

    barrier = threading.Barrier(4, timeout=60)

    def parse(_: int) -> None:
        barrier.wait()
        for _ in range(3):
            add_text(Parsing(), "a.")  # type: ignore[arg-type]

    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(parse, range(4)))
    assert most[0] == 1
