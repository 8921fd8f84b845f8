"""Counter-based random numbers: every value is a hash of (seed, field, index), never a state.

SplitMix64's finaliser on unsigned 64-bit integers, vectorised with numpy. Integer-only, so the same
inputs give the same bits on any machine, in any order, in any number of processes.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

U64 = npt.NDArray[np.uint64]
MASK64 = (1 << 64) - 1
_GOLDEN = 0x9E3779B97F4A7C15
_M1 = 0xBF58476D1CE4E5B9
_M2 = 0x94D049BB133111EB


def mix(value: int) -> int:
    """SplitMix64 of one Python integer (the scalar twin of :func:`mix_array`)."""
    z = (value + _GOLDEN) & MASK64
    z = ((z ^ (z >> 30)) * _M1) & MASK64
    z = ((z ^ (z >> 27)) * _M2) & MASK64
    return z ^ (z >> 31)


def mix_array(values: U64) -> U64:
    """SplitMix64 of every element (uint64 arithmetic wraps modulo 2**64)."""
    z = values + np.uint64(_GOLDEN)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(_M1)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(_M2)
    return z ^ (z >> np.uint64(31))


def key(seed: int, *parts: int | str) -> int:
    """A 64-bit key for one named stream of one seed."""
    acc = mix(seed & MASK64)
    for part in parts:
        number = part if isinstance(part, int) else int.from_bytes(part.encode("utf-8")[:8], "little")
        acc = mix(acc ^ (number & MASK64))
    return acc


def stream(seed: int, name: str, index: U64, *extra: int) -> U64:
    """Independent 64-bit values for each index of the stream ``name`` of ``seed``."""
    k = np.uint64(key(seed, name, *extra))
    return mix_array(index * np.uint64(_GOLDEN) ^ k)


def below(values: U64, bound: int | npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """Map 64-bit values to integers in [0, bound) (multiply-shift on the top 32 bits)."""
    top = (values >> np.uint64(32)).astype(np.int64)
    return (top * np.asarray(bound, dtype=np.int64)) >> 32


def thresholds(weights: list[int]) -> npt.NDArray[np.int64]:
    """Cumulative integer thresholds on [0, 2**32) for :func:`pick` (exact integer arithmetic)."""
    total = sum(weights)
    if total <= 0:
        raise ValueError("weights must add up to more than zero")
    out, acc = [], 0
    for weight in weights:
        acc += weight
        out.append(acc * (1 << 32) // total)
    return np.asarray(out, dtype=np.int64)


def pick(values: U64, cumulative: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """Weighted choice: the category whose threshold band holds the top 32 bits of each value."""
    top = (values >> np.uint64(32)).astype(np.int64)
    return np.searchsorted(cumulative, top, side="right").astype(np.int64)
