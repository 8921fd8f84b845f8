"""Addresses in the post-2025 two-level structure: line, commune (xã/phường/đặc khu), province."""

from __future__ import annotations

from functools import cache

import numpy as np
import numpy.typing as npt

from lienthong.simulators.population import hashing, tables

I64 = npt.NDArray[np.int64]
U64 = npt.NDArray[np.uint64]
Strings = npt.NDArray[np.object_]

STREETS = (
    "Lê Lợi",
    "Trần Hưng Đạo",
    "Nguyễn Trãi",
    "Hai Bà Trưng",
    "Quang Trung",
    "Lý Thường Kiệt",
    "Nguyễn Huệ",
    "Hùng Vương",
    "Điện Biên Phủ",
    "Lê Duẩn",
    "Phan Đình Phùng",
    "Nguyễn Du",
    "Trần Phú",
    "Lê Lai",
    "Bà Triệu",
    "Nguyễn Văn Cừ",
    "Võ Thị Sáu",
    "Phạm Văn Đồng",
    "Cách Mạng Tháng Tám",
    "Nguyễn Thị Minh Khai",
    "Hoàng Diệu",
    "Lạc Long Quân",
    "Âu Cơ",
    "Trường Chinh",
    "Nguyễn Chí Thanh",
    "Tôn Đức Thắng",
    "Lê Thánh Tông",
    "Phan Chu Trinh",
    "Ngô Quyền",
    "Hoàng Hoa Thám",
    "Lý Thái Tổ",
    "Trần Quang Khải",
)
HOUSES = 300
HAMLETS = 20
_SOUTH = frozenset({"75", "79", "80", "82", "86", "91", "92", "96"})
"""Provinces where rural hamlets are called ấp rather than thôn [I]."""


def communes(seed: int, index: U64, province: I64) -> I64:
    """Position of each citizen's commune in ``tables.places()`` (uniform in the province [I])."""
    places = tables.places()
    offset = hashing.below(hashing.stream(seed, "commune", index), places.commune_count[province])
    return places.commune_first[province] + offset


@cache
def line_table() -> Strings:
    """Every address line: street addresses, then thôn, tổ dân phố and ấp numbers."""
    lines = [f"Số {h} đường {s}" for s in STREETS for h in range(1, HOUSES + 1)]
    for word in ("Thôn", "Tổ dân phố", "Ấp"):
        lines += [f"{word} {t}" for t in range(1, HAMLETS + 1)]
    out = np.empty(len(lines), dtype=object)
    out[:] = lines
    return out


@cache
def commune_suffixes() -> Strings:
    """``, <commune>, <province>`` for every commune position."""
    places = tables.places()
    province = np.searchsorted(places.commune_first, np.arange(len(places.commune_codes)), "right") - 1
    out = np.empty(len(places.commune_codes), dtype=object)
    out[:] = [
        f", {c}, {places.names[p]}"
        for c, p in zip(places.commune_names.tolist(), province.tolist(), strict=True)
    ]
    return out


def line_codes(seed: int, index: U64, commune: I64, province: I64) -> I64:
    """Position in :func:`line_table` of each citizen's address line.

    Phường: a street address; xã: thôn (north and centre) or ấp (south); đặc khu: tổ dân phố.
    """
    places = tables.places()
    values = hashing.stream(seed, "address", index)
    house = hashing.below(values, HOUSES)
    hamlet = (values & np.uint64(0xFF)).astype(np.int64) % HAMLETS
    street = (values >> np.uint64(8)).astype(np.int64) % len(STREETS)
    south = np.asarray([code in _SOUTH for code in places.codes])[province]
    kind = places.commune_kind[commune]
    rural = len(STREETS) * HOUSES
    word = np.where(kind == 2, 1, np.where(south, 2, 0))
    return np.where(kind == 0, street * HOUSES + house, rural + word * HAMLETS + hamlet)
