"""Derivations and failures worked out once, at whatever depth they are asked for again.

What the graph works out for a fact depends on the depth it is asked at only
through two cut-offs: past MAX_DEPTH a condition's facts are not followed, past
NESTED_DEPTH a failed condition's own failures are not explained. A result is
kept with the depths, relative to where it was worked out, at which it met each
cut-off; asked for at another depth where every cut-off falls the same way, it
is the same result. A verdict's explanation asks for the same facts at many
depths (amina-selected.yaml: 93 derivations worked out, 39 different facts).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

MAX_DEPTH = 6  # a condition's derived facts are followed this deep
NESTED_DEPTH = 3  # a failed condition on a derived fact is explained in turn this deep

T = TypeVar("T")
_NONE = -1  # no depth met yet (as the deepest)
_UNMET = 1 << 30  # no depth met yet (as the shallowest)


@dataclass(frozen=True, slots=True)
class Kept(Generic[T]):
    """A result, the depth it was worked out at, and the relative depths of the cut-offs it met."""

    depth: int
    result: T
    deepest_condition: int  # _NONE: no condition
    nested: tuple[int, int] | None  # the shallowest and deepest nested-failure check

    def serves(self, depth: int) -> bool:
        if depth == self.depth:
            return True
        deeper, shallower = max(depth, self.depth), min(depth, self.depth)
        if self.deepest_condition != _NONE and deeper + self.deepest_condition >= MAX_DEPTH:
            return False
        if self.nested is None:
            return True
        low, high = self.nested
        return deeper + high < NESTED_DEPTH or shallower + low >= NESTED_DEPTH


class Depths:
    """The cut-offs met by one graph's computations under way, nested as they are: a graph is worked on by one
    thread at a time (an explanation's views are worded on the thread that asks for them)."""

    def __init__(self) -> None:
        self._frames: list[list[int]] = []  # absolute: deepest condition, shallowest and deepest nested check

    def kept(self, found: dict[object, list[Kept[T]]], key: object, depth: int, work: Callable[[], T]) -> T:
        """The result for `key` at this depth: one kept that serves it, or worked out now and kept."""
        for kept in found.get(key, ()):
            if kept.serves(depth):
                self._met(kept, depth)
                return kept.result
        self._frames.append([_NONE, _UNMET, _NONE])
        try:
            result = work()
        finally:
            deepest, low, high = self._frames.pop()
        kept = Kept(
            depth,
            result,
            deepest - depth if deepest != _NONE else _NONE,
            (low - depth, high - depth) if high != _NONE else None,
        )
        found.setdefault(key, []).append(kept)
        self._met(kept, depth)
        return result

    def condition(self, depth: int) -> None:
        """A condition is worked out at this depth (followed or not: MAX_DEPTH)."""
        if self._frames:
            frame = self._frames[-1]
            frame[0] = max(frame[0], depth)

    def nested(self, depth: int) -> None:
        """A failed condition's own failures are asked for at this depth (explained or not: NESTED_DEPTH)."""
        if self._frames:
            frame = self._frames[-1]
            frame[1], frame[2] = min(frame[1], depth), max(frame[2], depth)

    def _met(self, kept: Kept[T], depth: int) -> None:
        """What a result met, into the computation that uses it."""
        if kept.deepest_condition != _NONE:
            self.condition(depth + kept.deepest_condition)
        if kept.nested is not None:
            self.nested(depth + kept.nested[0])
            self.nested(depth + kept.nested[1])
