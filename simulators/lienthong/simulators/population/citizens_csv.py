"""``citizens.csv`` rows of a batch, rendered for the whole chunk at once (the generation hot path).

Byte-identical to joining ``CitizenBatch.columns(quote_address=True)`` row by row (tested), but
each run of fixed-width fields (identifiers, codes, dates) is one byte matrix per chunk, table text
(names, addresses) is shared bytes objects, and the chunk is one ``join`` over a flat list: no
per-field bytes objects and no per-row tuples. Most citizens have no event and no parent, so their
six last fields are one constant.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import numpy.typing as npt

from lienthong.simulators.population import cards, names, slots, tables, text
from lienthong.simulators.population.batch import CitizenBatch, quoted_lines, quoted_suffixes

U8 = text.U8
I64 = npt.NDArray[np.int64]
Strings = npt.NDArray[np.object_]
_EMPTY_TAIL = b",,,,,,\n"
"""death_date, moved_on, previous_cccd, mother, father, guardian all empty."""


@cache
def _codes() -> dict[str, text.AsciiTable]:
    places = tables.places()
    return {
        "province": text.AsciiTable([c.encode() for c in places.codes]),
        "commune": text.AsciiTable([c.encode() for c in places.commune_codes.tolist()]),
        "birth": text.AsciiTable([c.encode() for c in slots.blocks().birth_provinces]),
        "ethnicity": text.AsciiTable(tables.ethnicities().raw.tolist()),
        "occupation": text.AsciiTable([c.encode() for c in cards.occupation_table()[0].tolist()]),
        "group": text.AsciiTable([g.encode() for g in cards.GROUPS]),
        "benefit": text.AsciiTable([cards.BENEFIT[g].encode() for g in cards.GROUPS]),
        "sex": text.AsciiTable([b"0", b"1", b"2"]),
    }


def _width_runs(start: int, count: int) -> list[tuple[int, int, int]]:
    """(first row, end row, digits) of the runs of indices with the same number of digits."""
    runs, row = [], 0
    while row < count:
        digits = len(str(start + row))
        end = min(count, 10**digits - start)
        runs.append((row, end, digits))
        row = end
    return runs


def render(batch: CitizenBatch) -> bytes:
    """The batch's ``citizens.csv`` lines (columns of ``CSV_COLUMNS``), LF-terminated."""
    n = batch.count
    if n == 0:
        return b"\n"  # what joining zero rows gives; keeps the two paths identical
    codes = _codes()
    group, province = batch.group_code, batch.province
    bhxh = text.digit_matrix(batch.bhxh, 10)
    # index is variable width: ",cccd,bhyt," is built once, then prefixed run by run.
    after_index = text.fixed_rows(
        n,
        [
            b",",
            text.digit_matrix(batch.cccd, 12),
            b",",
            codes["group"][group],
            codes["benefit"][group],
            codes["province"][province],
            bhxh,
            b",",
        ],
    )
    heads: list[bytes] = []
    for first, end, digits in _width_runs(batch.start, n):
        rows = np.empty((end - first, digits + after_index.shape[1]), dtype=np.uint8)
        rows[:, :digits] = text.digit_matrix(batch.index[first:end].astype(np.int64), digits)
        rows[:, digits:] = after_index[first:end]
        heads += text.row_bytes(rows)
    birth = text.fixed_rows(n, [b",", text.date_matrix(batch.dob), b",", codes["sex"][batch.sex], b","])
    card_from, card_to = batch.card_dates
    rest = text.fixed_rows(
        n,
        [
            bhxh,
            b",",
            text.digit_matrix(batch.phone, 10),
            b",",
            codes["province"][province],
            b",",
            codes["commune"][batch.commune],
            b",",
            codes["birth"][batch.core.birth_province],
            b",",
            codes["ethnicity"][batch.ethnicity_code],
            b",",
            codes["occupation"][batch.occupation_code],
            b",",
            codes["group"][group],
            b",",
            codes["benefit"][group],
            b",",
            text.digit_matrix(batch.dkbd_numbers, 5),
            b",",
            text.date_matrix(card_from),
            b",",
            text.date_matrix(card_to),
            _EMPTY_TAIL,
        ],
    )
    surnames, middles, givens = _spaced_names()
    pieces: list[bytes] = [b""] * (8 * n)
    pieces[0::8] = heads
    pieces[1::8] = surnames[batch.surname_code].tolist()
    pieces[2::8] = middles[batch.middle_code].tolist()
    pieces[3::8] = givens[batch.given_code].tolist()
    pieces[4::8] = text.row_bytes(birth)
    pieces[5::8] = quoted_lines(b'"')[batch.address_lines].tolist()
    pieces[6::8] = quoted_suffixes(b'",')[batch.commune].tolist()
    pieces[7::8] = _with_tails(batch, rest)
    return b"".join(pieces)


@cache
def _spaced_names() -> tuple[Strings, Strings, Strings]:
    """Surnames and middle names followed by the space that separates them from the next part."""
    surnames, middles = tables.surnames().raw, names.middle_table()[0]
    return _suffixed(surnames, b" "), _suffixed(middles, b" "), names.given_table()[0]


def _suffixed(values: Strings, suffix: bytes) -> Strings:
    out = np.empty(len(values), dtype=object)
    out[:] = [v + suffix for v in values.tolist()]
    return out


_LINK_DIGITS = len(str(slots.CAPACITY - 1))
_ANY_DAY = np.datetime64("2000-01-01")


def _with_tails(batch: CitizenBatch, rest: U8) -> list[bytes]:
    """Each row of ``rest`` (which ends with the empty tail) as bytes, with the real
    ``,death_date,moved_on,previous_cccd,mother,father,guardian`` and line end where they are not
    all empty (children, deaths, moves, re-issued numbers).

    Those rows are first written at full width (dates, 12-digit number, zero-padded links), then
    the bytes of absent fields and leading zeros are dropped with one mask over the whole matrix.
    """
    death, moved, previous = batch.death, batch.moved, batch.previous_cccd
    mother, father, guardian = batch.mother, batch.father, batch.guardian
    has_death, has_moved = ~np.isnat(death), ~np.isnat(moved)
    special = np.flatnonzero(has_death | has_moved | (previous >= 0) | (mother >= 0) | (father >= 0))
    if len(special) == 0:
        return text.row_bytes(rest)
    out = np.empty(batch.count, dtype=object)
    out[:] = text.row_bytes(rest)
    base = rest.shape[1] - len(_EMPTY_TAIL)
    has_death, has_moved, previous = has_death[special], has_moved[special], previous[special]
    links = [mother[special], father[special], guardian[special]]
    fields: list[bytes | U8] = [
        rest[special, :base],
        b",",
        text.date_matrix(np.where(has_death, death[special], _ANY_DAY)),
        b",",
        text.date_matrix(np.where(has_moved, moved[special], _ANY_DAY)),
        b",",
        text.digit_matrix(np.maximum(previous, 0), 12),
    ]
    for link in links:
        fields += [b",", text.digit_matrix(np.maximum(link, 0), _LINK_DIGITS)]
    matrix = text.fixed_rows(len(special), [*fields, b"\n"])
    keep = np.ones(matrix.shape, dtype=bool)
    col = base + 1
    for present, width in ((has_death, 10), (has_moved, 10), (previous >= 0, 12)):
        keep[:, col : col + width] = present[:, None]
        col += width + 1
    position = np.arange(_LINK_DIGITS)
    for link in links:
        keep[:, col : col + _LINK_DIGITS] = position >= (_LINK_DIGITS - _digit_count(link))[:, None]
        col += _LINK_DIGITS + 1
    data = matrix[keep].tobytes()
    ends = np.cumsum(keep.sum(axis=1)).tolist()
    out[special] = [data[a:b] for a, b in zip([0, *ends[:-1]], ends, strict=True)]
    rows: list[bytes] = out.tolist()
    return rows


_POWERS = 10 ** np.arange(1, 19, dtype=np.int64)


def _digit_count(values: I64) -> I64:
    """Decimal digits of each value; 0 for the negative ones (written as empty)."""
    count = np.searchsorted(_POWERS, values, side="right") + 1
    return np.where(values < 0, 0, count)
