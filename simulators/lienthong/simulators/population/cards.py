"""BHYT card: beneficiary group and benefit level by age and occupation.

Group -> benefit digit after QĐ 1351/QĐ-BHXH as cited by vendor rule engines [S]: 1 = QN, CA, CY;
2 = CC, TE; 3 = HT, TC, CN; 4 = DN, HC, GD, HS, SV ...; 5 = HN, DT, DK ... The shares of each group
are coarse approximations [I].
"""

from __future__ import annotations

from functools import cache

import numpy as np
import numpy.typing as npt

from lienthong.simulators.population import hashing, tables

I64 = npt.NDArray[np.int64]
U64 = npt.NDArray[np.uint64]
Strings = npt.NDArray[np.object_]

BENEFIT = {
    "QN": "1",
    "CA": "1",
    "TE": "2",
    "HT": "3",
    "CN": "3",
    "DN": "4",
    "HC": "4",
    "GD": "4",
    "HS": "4",
    "SV": "4",
    "HN": "5",
}
MUC_HUONG = {"1": 100, "2": 100, "3": 95, "4": 80, "5": 100}
"""Benefit digit -> per cent paid by the fund (QĐ 1351/QĐ-BHXH as amended) [S]."""


GROUPS = tuple(BENEFIT)
"""Card groups in a fixed order: group codes index this tuple."""
_GROUP = {g: i for i, g in enumerate(GROUPS)}
NO_OCCUPATION = "00"


@cache
def occupation_table() -> tuple[Strings, I64]:
    """Occupation codes with ``NO_OCCUPATION`` appended, and each table row's group code."""
    choices, groups = tables.occupations()
    values = np.empty(len(choices.values) + 1, dtype=object)
    values[:-1] = choices.values
    values[-1] = NO_OCCUPATION
    return values, np.asarray([_GROUP[g] for g in groups.tolist()], dtype=np.int64)


def occupation_codes(seed: int, index: U64, age: I64) -> tuple[I64, I64]:
    """MA_NGHE_NGHIEP as a position in :func:`occupation_table` and the card group it implies as a
    position in ``GROUPS`` (integers, so columns are built without per-citizen strings)."""
    cumulative = tables.occupations()[0].cumulative
    values = hashing.stream(seed, "occupation", index)
    code = hashing.pick(values, cumulative)
    group = occupation_table()[1][code]
    student = (age >= 18) & (age <= 22) & (hashing.below(values ^ np.uint64(0x5A5A), 100) < 40)
    retired = age >= 61
    pension = retired & (hashing.below(values ^ np.uint64(0xA5A5), 100) < 35)
    code[(age < 15) | student | retired] = len(cumulative)
    group[retired] = _GROUP["GD"]
    group[pension] = _GROUP["HT"]
    group[student] = _GROUP["SV"]
    group[age < 18] = _GROUP["HS"]
    group[age < 6] = _GROUP["TE"]
    poor = hashing.below(hashing.stream(seed, "poverty", index), 1000)
    working = (age >= 18) & (group == _GROUP["GD"])
    group[working & (poor < 40)] = _GROUP["HN"]
    group[working & (poor >= 40) & (poor < 70)] = _GROUP["CN"]
    return code, group


def occupations(seed: int, index: U64, age: I64) -> tuple[Strings, Strings]:
    """MA_NGHE_NGHIEP (QĐ 34/2020 level 2; ``00`` none) and the card group it implies."""
    code, group = occupation_codes(seed, index, age)
    return occupation_table()[0][code], group_names()[group]


@cache
def group_names() -> Strings:
    out = np.empty(len(GROUPS), dtype=object)
    out[:] = GROUPS
    return out


def benefits(group: Strings) -> list[str]:
    return [BENEFIT[g] for g in group]
