"""A synthetic national set of health facilities (cơ sở KCB) with codes, levels, provinces and GLNs.

Codes are 5 characters: the 2-digit province code + 3 digits (QĐ 384/QĐ-BYT; first two characters
= province [I]). Suffixes: 001-009 central, 010-011 provincial, 020-099 regional (the former
district hospitals/health centres), 100-299 the health station of each commune, 400-499 private
clinics. Names end in "(mô phỏng)": they are synthetic. Not seed-dependent: one fixed country.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
import numpy.typing as npt

from lienthong.simulators.population import tables
from lienthong.simulators.population._data import rows

I64 = npt.NDArray[np.int64]

CENTRAL, PROVINCIAL, REGIONAL, COMMUNE, PRIVATE = 1, 2, 3, 4, 5
LEVEL_NAMES = {
    CENTRAL: "Trung ương",
    PROVINCIAL: "Tỉnh",
    REGIONAL: "Khu vực",
    COMMUNE: "Xã",
    PRIVATE: "Tư nhân",
}
_CENTRAL_COUNT = {"01": 3, "79": 2, "46": 1}
GS1_VIETNAM = "893"
"""GS1 company prefix range of Việt Nam [S]."""


@dataclass(frozen=True, slots=True)
class Facility:
    code: str
    name: str
    level: int
    province: str
    commune: str
    """Commune code for a commune station, else empty."""
    gln: str
    """13-digit GS1 Global Location Number (MA_GTIN_CSKCB)."""


def gs1_check_digit(body: str) -> str:
    """GS1 mod-10 check digit of a 12-digit GLN body."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return str((10 - total % 10) % 10)


def gln(code: str) -> str:
    """A deterministic GLN for a facility code: 893 + 9 digits + check digit."""
    body = f"{GS1_VIETNAM}{int(code):09d}"
    return body + gs1_check_digit(body)


@cache
def _populations() -> dict[str, int]:
    return {r["code"]: int(r["population"]) for r in rows("provinces")}


def regional_count(province: str) -> int:
    """Regional hospitals of a province: one per 400,000 people, 2 to 60 [I]."""
    return max(2, min(60, _populations()[province] // 400_000))


@cache
def regional_counts() -> I64:
    """``regional_count`` of each province position of ``tables.places()``."""
    return np.asarray([regional_count(c) for c in tables.places().codes], dtype=np.int64)


@cache
def facilities() -> tuple[Facility, ...]:
    """Every synthetic facility, ordered by code."""
    places = tables.places()
    out: list[Facility] = []
    for p, code in enumerate(places.codes):
        name = str(places.names[p])

        def add(suffix: int, label: str, level: int, commune: str = "", pc: str = code) -> None:
            fcode = f"{pc}{suffix:03d}"
            out.append(Facility(fcode, f"{label} (mô phỏng)", level, pc, commune, gln(fcode)))

        for k in range(_CENTRAL_COUNT.get(code, 0)):
            add(1 + k, f"Bệnh viện Trung ương số {k + 1} {name}", CENTRAL)
        add(10, f"Bệnh viện Đa khoa {name}", PROVINCIAL)
        add(11, f"Bệnh viện Sản Nhi {name}", PROVINCIAL)
        for k in range(regional_count(code)):
            add(20 + k, f"Trung tâm Y tế khu vực {k + 1} {name}", REGIONAL)
        first, count = int(places.commune_first[p]), int(places.commune_count[p])
        for k in range(count):
            commune = str(places.commune_names[first + k])
            add(100 + k, f"Trạm Y tế {commune}", COMMUNE, str(places.commune_codes[first + k]))
        for k in range(max(1, regional_count(code) // 3)):
            add(400 + k, f"Phòng khám Đa khoa tư nhân {k + 1} {name}", PRIVATE)
    return tuple(sorted(out, key=lambda f: f.code))


@cache
def by_code() -> dict[str, Facility]:
    return {f.code: f for f in facilities()}


def station_codes(commune: I64) -> list[str]:
    """Facility code of the commune health station of each commune position."""
    places = tables.places()
    province = np.searchsorted(places.commune_first, commune, side="right") - 1
    rank = commune - places.commune_first[province]
    return [f"{places.codes[p]}{100 + r:03d}" for p, r in zip(province.tolist(), rank.tolist(), strict=True)]


def regional_code(province: str, number: int) -> str:
    """The regional hospital ``number`` (any integer, wrapped) of a province."""
    return f"{province}{20 + number % regional_count(province):03d}"


def provincial_code(province: str) -> str:
    return f"{province}010"


def central_code(number: int) -> str:
    """One of the central hospitals (Hà Nội, TP HCM, Huế)."""
    codes = [f"{p}{1 + k:03d}" for p, n in sorted(_CENTRAL_COUNT.items()) for k in range(n)]
    return codes[number % len(codes)]
