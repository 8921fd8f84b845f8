"""The reference tables as arrays ready for vectorised sampling (loaded once per process)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
import numpy.typing as npt

from lienthong.simulators.population import hashing, slots
from lienthong.simulators.population._data import rows, weight

I64 = npt.NDArray[np.int64]
Strings = npt.NDArray[np.object_]


def _strings(values: list[str]) -> Strings:
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


@dataclass(frozen=True)
class Places:
    """Provinces (34, post-2025) and communes (3,321), and how birth provinces map onto them."""

    codes: tuple[str, ...]
    names: Strings
    residence: I64
    """Cumulative thresholds of the provinces by population."""
    birth_to_province: I64
    """Birth-province position (block order) -> position of the province it merged into."""
    commune_first: I64
    commune_count: I64
    commune_codes: Strings
    commune_names: Strings
    commune_kind: I64
    """0 phường, 1 xã, 2 đặc khu."""


@cache
def places() -> Places:
    provinces = rows("provinces")
    codes = tuple(r["code"] for r in provinces)
    position = {code: i for i, code in enumerate(codes)}
    merger = {r["birth_province"]: r["province"] for r in rows("province_merger")}
    birth = [position[merger[c]] for c in slots.blocks().birth_provinces]
    communes = sorted(rows("communes"), key=lambda r: (position[r["province"]], r["code"]))
    first, count = [0] * len(codes), [0] * len(codes)
    for i, commune in enumerate(communes):
        p = position[commune["province"]]
        if count[p] == 0:
            first[p] = i
        count[p] += 1
    kinds = {"Phường": 0, "Xã": 1, "Đặc": 2}
    return Places(
        codes=codes,
        names=_strings([r["name"] for r in provinces]),
        residence=hashing.thresholds([int(r["population"]) for r in provinces]),
        birth_to_province=np.asarray(birth, dtype=np.int64),
        commune_first=np.asarray(first, dtype=np.int64),
        commune_count=np.asarray(count, dtype=np.int64),
        commune_codes=_strings([r["code"] for r in communes]),
        commune_names=_strings([r["name"] for r in communes]),
        commune_kind=np.asarray([kinds[r["name"].split()[0]] for r in communes], dtype=np.int64),
    )


@dataclass(frozen=True)
class Choices:
    """A weighted list: values and cumulative thresholds."""

    values: Strings
    cumulative: I64
    raw: Strings
    """The values as UTF-8 bytes."""


def _choices(values: list[str], weights: list[int]) -> Choices:
    raw = np.empty(len(values), dtype=object)
    raw[:] = [v.encode("utf-8") for v in values]
    return Choices(_strings(values), hashing.thresholds(weights), raw)


@cache
def surnames() -> Choices:
    data = rows("surnames")
    return _choices([r["surname"] for r in data], [weight(r["percent"]) for r in data])


@cache
def middle_names(sex: int, born_from_1990: bool) -> Choices:
    column = "weight_from_1990" if born_from_1990 else "weight_before_1990"
    data = [r for r in rows("middle_names") if r["sex"] == str(sex)]
    return _choices([r["middle"] for r in data], [weight(r[column]) for r in data])


@cache
def given_names(sex: int) -> Choices:
    data = [r for r in rows("given_names") if r["sex"] == str(sex)]
    return _choices([r["given"] for r in data], [weight(r["weight"]) for r in data])


@cache
def ethnicities() -> Choices:
    data = rows("ethnicities")
    return _choices([r["code"] for r in data], [weight(r["percent"]) for r in data])


@cache
def occupations() -> tuple[Choices, Strings]:
    """Occupation codes (QĐ 34/2020 level 2) with the card group each one implies."""
    data = rows("occupations")
    return _choices([r["code"] for r in data], [weight(r["weight"]) for r in data]), _strings(
        [r["card_group"] for r in data]
    )
