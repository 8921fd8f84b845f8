"""Counter-based random numbers: every value is a hash of (seed, field, index), never a state.

SplitMix64's finaliser on unsigned 64-bit integers, vectorised with numpy. Integer-only, so the same
inputs give the same bits on any machine, in any order, in any number of processes.
"""

from __future__ import annotations

from functools import lru_cache

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


_GOLDEN_U64, _M1_U64, _M2_U64 = np.uint64(_GOLDEN), np.uint64(_M1), np.uint64(_M2)
_S30, _S27, _S31 = np.uint64(30), np.uint64(27), np.uint64(31)


def mix_array(values: U64) -> U64:
    """SplitMix64 of every element (uint64 arithmetic wraps modulo 2**64)."""
    z = values + _GOLDEN_U64
    # In place on the fresh array: no temporaries but the shifts.
    z ^= z >> _S30
    z *= _M1_U64
    z ^= z >> _S27
    z *= _M2_U64
    z ^= z >> _S31
    return z


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
    """Weighted choice: the category whose threshold band holds the top 32 bits of each value.

    The top ``_PICK_BITS`` bits alone settle the category unless a threshold falls inside their
    band: a table lookup for almost every value, a binary search only for the rest (same result
    as searching them all, a fraction of the time).
    """
    if len(cumulative) >= 1 << 15:  # more categories than the table's int16 can name
        top = (values >> np.uint64(32)).astype(np.int64)
        return np.searchsorted(cumulative, top, side="right").astype(np.int64)
    out = _pick_table(cumulative.tobytes())[(values >> _PICK_SHIFT).astype(np.intp)].astype(np.int64)
    unsure = np.flatnonzero(out < 0)
    if len(unsure):
        top = (values[unsure] >> np.uint64(32)).astype(np.int64)
        out[unsure] = np.searchsorted(cumulative, top, side="right")
    return out


_PICK_BITS = 12
_PICK_SHIFT = np.uint64(64 - _PICK_BITS)


@lru_cache(maxsize=256)
def _pick_table(raw: bytes) -> npt.NDArray[np.int16]:
    """Category of each band of top bits, or -1 where a threshold splits the band (8 KB each)."""
    cumulative = np.frombuffer(raw, dtype=np.int64)
    width = 1 << (32 - _PICK_BITS)
    firsts = np.arange(1 << _PICK_BITS, dtype=np.int64) * width
    lo = np.searchsorted(cumulative, firsts, side="right")
    hi = np.searchsorted(cumulative, firsts + width - 1, side="right")
    return np.where(lo == hi, lo, -1).astype(np.int16)
