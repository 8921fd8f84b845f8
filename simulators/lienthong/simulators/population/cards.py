"""BHYT card: beneficiary group and benefit level by age and occupation.

Group -> benefit digit after QĐ 1351/QĐ-BHXH as cited by vendor rule engines [S]: 1 = QN, CA, CY;
2 = CC, TE; 3 = HT, TC, CN; 4 = DN, HC, GD, HS, SV ...; 5 = HN, DT, DK ... The shares of each group
are coarse approximations [I].
"""

from __future__ import annotations

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


def occupations(seed: int, index: U64, age: I64) -> tuple[Strings, Strings]:
    """MA_NGHE_NGHIEP (QĐ 34/2020 level 2; ``00`` none) and the card group it implies."""
    choices, groups = tables.occupations()
    values = hashing.stream(seed, "occupation", index)
    pos = hashing.pick(values, choices.cumulative)
    code = choices.values[pos].copy()
    group = groups[pos].copy()
    student = (age >= 18) & (age <= 22) & (hashing.below(values ^ np.uint64(0x5A5A), 100) < 40)
    retired = age >= 61
    pension = retired & (hashing.below(values ^ np.uint64(0xA5A5), 100) < 35)
    code[(age < 15) | student | retired] = "00"
    group[retired] = "GD"
    group[pension] = "HT"
    group[student] = "SV"
    group[age < 18] = "HS"
    group[age < 6] = "TE"
    poor = hashing.below(hashing.stream(seed, "poverty", index), 1000)
    working = (age >= 18) & (group == "GD")
    group[working & (poor < 40)] = "HN"
    group[working & (poor >= 40) & (poor < 70)] = "CN"
    return code, group


def benefits(group: Strings) -> list[str]:
    return [BENEFIT[g] for g in group]
