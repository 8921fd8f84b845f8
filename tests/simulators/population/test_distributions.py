"""The population's distributions against the published figures the generator cites.

Targets and tolerances (200,000 citizens of seed 2024):
- sex: 49.8 % male, GSO 2019 census (47,881,061 of 96,208,984) [S]; ± 0.5 point.
- age: 0-14 24.3 %, 65+ 7.7 %, GSO 2019 census broad groups [S]; ± 1.0 and ± 0.5 point.
- surnames: Nguyễn 38.4 %, Trần 11.0 %, Lê 9.5 %, Phạm 7.1 % (widely cited survey figures) [S];
  ± 1.0 point.
- provinces: each of the 34 provinces' share of the cited 2025 populations (data/provinces.csv,
  [S]) within ± 0.25 point plus 5 % of the share.
"""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from lienthong.simulators.population import CitizenBatch, tables
from lienthong.simulators.population._data import rows

N = 200_000


@pytest.fixture(scope="module")
def batch() -> CitizenBatch:
    return CitizenBatch(2024, 0, N)


def test_sex_ratio(batch: CitizenBatch) -> None:
    male = float((batch.sex == 1).mean()) * 100
    assert abs(male - 49.8) <= 0.5, male


def test_age_pyramid(batch: CitizenBatch) -> None:
    children = float((batch.age <= 14).mean()) * 100
    elderly = float((batch.age >= 65).mean()) * 100
    assert abs(children - 24.3) <= 1.0, children
    assert abs(elderly - 7.7) <= 0.5, elderly


def test_top_surnames(batch: CitizenBatch) -> None:
    counts = Counter(s.decode() for s in batch.surname.tolist())
    for name, share in (("Nguyễn", 38.4), ("Trần", 11.0), ("Lê", 9.5), ("Phạm", 7.1)):
        got = counts[name] * 100 / N
        assert abs(got - share) <= 1.0, (name, got)
    assert [name for name, _ in counts.most_common(4)] == ["Nguyễn", "Trần", "Lê", "Phạm"]


def test_province_populations(batch: CitizenBatch) -> None:
    populations = {r["code"]: int(r["population"]) for r in rows("provinces")}
    total = sum(populations.values())
    counts = np.bincount(batch.province, minlength=len(populations))
    for position, code in enumerate(tables.places().codes):
        expected = populations[code] * 100 / total
        got = counts[position] * 100 / N
        assert abs(got - expected) <= 0.25 + 0.05 * expected, (code, got, expected)
