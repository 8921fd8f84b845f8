"""Fast text for columns: numbers and dates as UTF-8 bytes via numpy, no per-value formatting."""

from __future__ import annotations

from functools import cache
from typing import Any

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


# Byte matrices: a run of fixed-width fields rendered for a whole chunk at once, one row per citizen.

U8 = npt.NDArray[np.uint8]


@cache
def _quads() -> npt.NDArray[np.uint32]:
    """ASCII of 0000..9999, four bytes each, as one uint32 per number (gathered in one take)."""
    values = np.arange(10_000, dtype=np.int64)
    ascii = ((values[:, None] // np.asarray([1000, 100, 10, 1])) % 10 + 48).astype(np.uint8)
    return np.ascontiguousarray(ascii).view(np.uint32).ravel()


def digit_matrix(values: I64, width: int) -> U8:
    """Like :func:`digits`, as an ``(n, width)`` matrix of ASCII bytes: four digits per divmod and
    table lookup instead of a division per digit."""
    groups = -(-width // 4)
    out = np.empty((len(values), groups), dtype=np.uint32)
    quads, rest = _quads(), values
    for group in range(groups - 1, -1, -1):
        rest, low = np.divmod(rest, 10_000)
        out[:, group] = quads[low]
    return out.view(np.uint8).reshape(len(values), groups * 4)[:, groups * 4 - width :]


class AsciiTable:
    """Equal-width byte strings gathered by code into an ``(n, width)`` matrix.

    Rows are zero-padded to 1, 2, 4 or a multiple of 8 bytes and held as unsigned integers, so a
    gather moves whole words (about ten times faster than fancy-indexing a 2-D byte matrix).
    """

    def __init__(self, values: list[bytes]) -> None:
        widths = {len(v) for v in values}
        if len(widths) != 1:
            raise ValueError(f"values of a fixed-width field differ in width: {sorted(widths)}")
        self.width = width = widths.pop()
        padded = next(w for w in (1, 2, 4, 8) if w >= width) if width <= 8 else -(-width // 8) * 8
        words = np.zeros((len(values), padded), dtype=np.uint8)
        words[:, :width] = np.frombuffer(b"".join(values), dtype=np.uint8).reshape(len(values), width)
        kind = {1: np.uint8, 2: np.uint16, 4: np.uint32}.get(padded, np.uint64)
        # One word per value (or a row of 64-bit words for wider values).
        self._words: npt.NDArray[Any] = words.view(kind).ravel() if padded <= 8 else words.view(kind)

    def __getitem__(self, codes: npt.NDArray[np.int64]) -> U8:
        rows = np.take(self._words, codes, axis=0)
        return rows.view(np.uint8).reshape(len(codes), -1)[:, : self.width]


@cache
def _day_matrix() -> AsciiTable:
    return AsciiTable(_day_table()[:_DAYS].tolist())


def date_matrix(values: Dates) -> U8:
    """``YYYY-MM-DD`` of dates that are never NaT, as an ``(n, 10)`` matrix."""
    return _day_matrix()[(values - _FIRST_DAY).astype(np.int64)]


def fixed_rows(count: int, fields: list[bytes | U8]) -> U8:
    """Constant bytes and ``(count, w)`` matrices side by side: one fixed-width record per row."""
    width = sum(len(f) if isinstance(f, bytes) else f.shape[1] for f in fields)
    out = np.empty((count, width), dtype=np.uint8)
    col = 0
    for f in fields:
        w = len(f) if isinstance(f, bytes) else f.shape[1]
        out[:, col : col + w] = np.frombuffer(f, dtype=np.uint8) if isinstance(f, bytes) else f
        col += w
    return out


def row_bytes(matrix: U8) -> list[bytes]:
    """Each row of a byte matrix as one bytes object (rows hold no NUL bytes)."""
    width = matrix.shape[1]
    out: list[bytes] = np.ascontiguousarray(matrix).view(f"S{width}").ravel().tolist()
    return out
