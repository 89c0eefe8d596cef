"""The cycle collector's thresholds while explanations are built, and after."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator

import pytest

from explain.collector import YOUNG, fewer_collections


@pytest.fixture(autouse=True)
def thresholds() -> Iterator[None]:
    saved = gc.get_threshold()
    gc.set_threshold(700, 10, 10)
    yield
    gc.set_threshold(*saved)


def test_the_young_generation_is_collected_less_often_inside_and_as_before_after() -> None:
    with fewer_collections():
        assert gc.get_threshold() == (YOUNG, 10, 10)
    assert gc.get_threshold() == (700, 10, 10)


def test_nested_scopes_restore_the_thresholds_only_when_the_outer_one_ends() -> None:
    with fewer_collections():
        with fewer_collections():
            pass
        assert gc.get_threshold() == (YOUNG, 10, 10)
    assert gc.get_threshold() == (700, 10, 10)


def test_an_error_inside_restores_the_thresholds() -> None:
    with pytest.raises(ValueError), fewer_collections():
        raise ValueError("inside")
    assert gc.get_threshold() == (700, 10, 10)


def test_overlapping_scopes_on_two_threads_restore_the_thresholds_when_the_last_ends() -> None:
    entered, leave = threading.Event(), threading.Event()

    @fewer_collections()
    def explaining() -> None:
        entered.set()
        leave.wait(5)

    other = threading.Thread(target=explaining)
    other.start()
    entered.wait(5)
    with fewer_collections():
        leave.set()
        other.join(5)
        assert gc.get_threshold() == (YOUNG, 10, 10)  # the other thread ended first: this scope still runs
    assert gc.get_threshold() == (700, 10, 10)


def test_a_collector_turned_off_stays_off_and_a_higher_threshold_is_kept() -> None:
    for set_before in ((0, 10, 10), (50_000, 5, 5)):
        gc.set_threshold(*set_before)
        with fewer_collections():
            assert gc.get_threshold() == set_before
        assert gc.get_threshold() == set_before
