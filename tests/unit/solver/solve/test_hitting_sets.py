"""The smallest hitting sets that propose which unknown facts to ask for."""

from __future__ import annotations

from solver.solve.missing import _smallest_hitting_sets as smallest


def test_no_set_to_meet_asks_for_nothing() -> None:
    assert smallest([1, 2], []) == [frozenset()]


def test_every_smallest_set_is_found_and_only_those() -> None:
    assert smallest([1, 2, 3], [frozenset({1, 2}), frozenset({2, 3})]) == [frozenset({2})]
    assert smallest([1, 2, 3, 4], [frozenset({1, 2}), frozenset({3, 4})]) == [
        frozenset({1, 3}),
        frozenset({1, 4}),
        frozenset({2, 3}),
        frozenset({2, 4}),
    ]


def test_only_elements_of_the_universe_are_chosen() -> None:
    assert smallest([2], [frozenset({1, 2})]) == [frozenset({2})]
    assert smallest([3], [frozenset({1, 2})]) == []
