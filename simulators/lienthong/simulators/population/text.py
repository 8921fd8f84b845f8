"""Fast text for columns: numbers and dates as UTF-8 bytes via numpy, no per-value formatting."""

from __future__ import annotations

from functools import cache

import numpy as np
import numpy.typing as npt

I64 = npt.NDArray[np.int64]
Dates = npt.NDArray[np.datetime64]
_FIRST_DAY = np.datetime64("1900-01-01")
_DAYS = 200 * 366


def digits(values: I64, width: int) -> list[bytes]:
    """Zero-padded decimal text of non-negative integers, ``width`` digits each."""
    powers = 10 ** np.arange(width - 1, -1, -1, dtype=np.int64)
    matrix = ((values[:, None] // powers) % 10 + 48).astype(np.uint8)
    out: list[bytes] = np.ascontiguousarray(matrix).view(f"S{width}").ravel().tolist()
    return out


def optional_digits(values: I64, width: int) -> list[bytes]:
    """Like :func:`digits`, with an empty value where ``values`` is negative."""
    out = digits(np.maximum(values, 0), width)
    for i in np.flatnonzero(values < 0).tolist():
        out[i] = b""
    return out


def numbers(values: I64) -> list[bytes]:
    """Decimal text without padding; negative values become empty."""
    return [b"" if v < 0 else b"%d" % v for v in values.tolist()]


@cache
def _day_table() -> npt.NDArray[np.object_]:
    days = _FIRST_DAY + np.arange(_DAYS)
    table = np.empty(_DAYS + 1, dtype=object)
    table[:_DAYS] = [d.encode("ascii") for d in days.astype(str).tolist()]
    table[_DAYS] = b""
    return table


def dates(values: Dates) -> list[bytes]:
    """``YYYY-MM-DD`` bytes; NaT becomes empty."""
    offset = (values - _FIRST_DAY).astype(np.int64)
    offset = np.where(np.isnat(values), _DAYS, offset)
    return _day_table()[offset].tolist()  # type: ignore[no-any-return]


def encoded(values: npt.NDArray[np.object_]) -> npt.NDArray[np.object_]:
    """An object array of str as an object array of UTF-8 bytes."""
    out = np.empty(len(values), dtype=object)
    out[:] = [v.encode("utf-8") for v in values.tolist()]
    return out
