"""Mutations that break exactly one named rule of a valid record, tagged with its requirement ID.

Used by the Hypothesis strategies (``invalid_dossiers``) and usable on their own. Each mutation
changes the visit's tables (LOAIHOSO -> records) in place.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

Tables = dict[str, list[dict[str, str]]]


@dataclass(frozen=True)
class Fault:
    requirement: str
    description: str
    apply: Callable[[Tables], None]


def _set(kind: str, field: str, value: Callable[[str], str]) -> Callable[[Tables], None]:
    """Change ``field`` of the first ``kind`` record, and every copy of it in the other tables
    (XML13/XML14 must repeat XML1's values, so changing only XML1 would break a second rule)."""

    def apply(tables: Tables) -> None:
        old = tables[kind][0].get(field, "")
        new = value(old)
        for records in tables.values():
            for record in records:
                if record.get(field) == old and field in record:
                    record[field] = new

    return apply


def _province(value: str) -> str:
    return "000" + value[3:]


def _sex_digit(value: str) -> str:
    digit = int(value[3])
    return value[:3] + str(digit ^ 1) + value[4:]


def _arrival_after_leaving(tables: Tables) -> None:
    """NGAY_RA one day before NGAY_VAO (SO_NGAY_DTRI then has no valid span to check against)."""
    arrived = datetime.strptime(tables["XML1"][0]["NGAY_VAO"], "%Y%m%d%H%M")
    earlier = (arrived - timedelta(days=1)).strftime("%Y%m%d%H%M")
    _set("XML1", "NGAY_RA", lambda _: earlier)(tables)


def _wrong_link(tables: Tables) -> None:
    detail = next(kind for kind in ("XML3", "XML2", "XML4", "XML5") if tables.get(kind))
    tables[detail][0]["MA_LK"] = tables[detail][0]["MA_LK"] + "X"


FAULTS = (
    Fault(
        "ID-CCCD-01",
        "SO_CCCD starts with 000, not a province-of-birth code",
        _set("XML1", "SO_CCCD", _province),
    ),
    Fault(
        "ID-CCCD-02",
        "the CCCD's fourth digit gives the other sex",
        _set("XML1", "SO_CCCD", _sex_digit),
    ),
    Fault(
        "ID-BHYT-01",
        "the card's benefit digit is 7",
        _set("XML1", "MA_THE_BHYT", lambda v: v[:2] + "7" + v[3:]),
    ),
    Fault(
        "FMT-01",
        "NGAY_SINH holds 32 as the day",
        _set("XML1", "NGAY_SINH", lambda v: v[:6] + "32" + v[8:]),
    ),
    Fault(
        "FMT-02",
        "GT_THE_DEN holds month 13",
        _set("XML1", "GT_THE_DEN", lambda v: v[:4] + "13" + v[6:]),
    ),
    Fault("XML1-03", "NGAY_RA before NGAY_VAO", _arrival_after_leaving),
    Fault(
        "XML1-04",
        "T_BHTT is one đồng more than T_TONGCHI_BH - T_BNCCT",
        _set("XML1", "T_BHTT", lambda v: f"{float(v) + 1:.2f}"),
    ),
    Fault(
        "XML1-05",
        "MA_BENH_CHINH holds two codes",
        _set("XML1", "MA_BENH_CHINH", lambda v: "J06;I1"),
    ),
    Fault(
        "CODE-01",
        "MA_LOAI_KCB 99 is not in the code list",
        _set("XML1", "MA_LOAI_KCB", lambda v: "99"),
    ),
    Fault("XML1-07", "a detail row (XML3 or XML2) carries another MA_LK", _wrong_link),
)


def faults(requirements: list[str] | None = None) -> tuple[Fault, ...]:
    """The faults, optionally only those breaking the given requirement IDs."""
    if requirements is None:
        return FAULTS
    known = {f.requirement for f in FAULTS}
    unknown = sorted(set(requirements) - known)
    if unknown:
        raise ValueError(f"no fault breaks {', '.join(unknown)}; known: {', '.join(sorted(known))}")
    return tuple(f for f in FAULTS if f.requirement in requirements)
