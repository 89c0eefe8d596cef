"""Parsed statements are never shared between threads: clingo counts a node's owners outside Python's lock."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import clingo
from clingo.ast import ProgramBuilder

from havre.api import load_policy
from solver.solve.run import statements
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
