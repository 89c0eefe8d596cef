"""Work spread over threads gives what one thread gives, in the same order, with the same first error."""

from __future__ import annotations

import threading

import pytest

from solver.solve import cores
from solver.solve.cores import on_every_core


@pytest.fixture(params=[1, 2, 4])
def threads(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setattr(cores, "cores", lambda: request.param)
    return request.param


def test_results_come_in_the_items_order(threads: int) -> None:
    assert on_every_core(lambda x: x * x, range(10)) == [x * x for x in range(10)]


def test_several_cores_use_several_threads(threads: int) -> None:
    seen: set[int] = set()
    barrier = threading.Barrier(threads, timeout=5)

    def work(_: int) -> None:
        seen.add(threading.get_ident())
        barrier.wait()  # every thread busy at once: none takes two items before the others start

    on_every_core(work, range(threads))
    assert len(seen) == threads


def test_the_first_error_in_the_items_order_is_raised(threads: int) -> None:
    def work(x: int) -> int:
        if x in (3, 7):
            raise ValueError(f"item {x}")
        return x

    with pytest.raises(ValueError, match=r"^item 3$"):
        on_every_core(work, range(10))


def test_nothing_to_do() -> None:
    assert on_every_core(lambda x: x, []) == []
