"""Scalar counter-based draws for per-person Python code (care, immunisation): no random state."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from lienthong.simulators.population import hashing

T = TypeVar("T")


class Draws:
    """The n-th draw of a named stream is ``mix(key, n)``: reproducible in any order or process."""

    __slots__ = ("_count", "_key")

    def __init__(self, seed: int, *parts: int | str) -> None:
        self._key = hashing.key(seed, *parts)
        self._count = 0

    def bits(self) -> int:
        self._count += 1
        return hashing.mix(self._key ^ hashing.mix(self._count))

    def below(self, bound: int) -> int:
        return (self.bits() >> 32) * bound >> 32

    def between(self, low: int, high: int) -> int:
        """An integer in [low, high]."""
        return low + self.below(high - low + 1)

    def percent(self, chance: int) -> bool:
        """True with probability ``chance`` per cent."""
        return self.below(100) < chance

    def choice(self, items: Sequence[T]) -> T:
        return items[self.below(len(items))]

    def weighted(self, items: Sequence[T], weights: Sequence[int]) -> T:
        target = self.below(sum(weights))
        for item, weight in zip(items, weights, strict=True):
            if target < weight:
                return item
            target -= weight
        return items[-1]
