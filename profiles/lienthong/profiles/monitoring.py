"""What the MoH monitoring of interconnection counts and by when: the six visit types of the
six-monthly report and the deadlines the audit judges timeliness by.

QĐ 2733/QĐ-BYT PL01 Đ8 [S] has facilities report, every 6 months, visits against visits
interconnected by 6 visit types × BHYT / non-BHYT. The text of the six types was not found: the
grouping of MA_LOAI_KCB codes into them (``data/visit_types.csv``) is lienthong's reading, marked
[I] row by row. The deadlines (``data/deadlines.csv``) carry their own source and mark.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from lienthong.profiles._data import read_csv

VISIT_TYPES: tuple[str, ...] = (
    "kham_benh",
    "ngoai_tru",
    "noi_tru",
    "noi_tru_ban_ngay",
    "nhan_thuoc",
    "tu_xa",
)
"""The six visit types of the QĐ 2733 report, in the report's order [I]."""

VISIT_TYPE_LABELS: dict[str, dict[str, str]] = {
    "vi": {
        "kham_benh": "Khám bệnh",
        "ngoai_tru": "Điều trị ngoại trú",
        "noi_tru": "Điều trị nội trú",
        "noi_tru_ban_ngay": "Điều trị nội trú ban ngày",
        "nhan_thuoc": "Nhận thuốc theo hẹn",
        "tu_xa": "Khám chữa bệnh từ xa",
        "khac": "Khác (mã không xác định)",
    },
    "en": {
        "kham_benh": "Examination",
        "ngoai_tru": "Outpatient treatment",
        "noi_tru": "Inpatient treatment",
        "noi_tru_ban_ngay": "Day inpatient treatment",
        "nhan_thuoc": "Drug pickup by appointment",
        "tu_xa": "Telemedicine",
        "khac": "Other (unknown code)",
    },
}
OTHER = "khac"
"""Where a visit whose MA_LOAI_KCB is not in the mapping is counted (the report shows it apart)."""


@dataclass(frozen=True, slots=True)
class VisitTypeRow:
    ma_loai_kcb: str
    visit_type: str
    source: str
    mark: str


@cache
def visit_type_rows() -> dict[str, VisitTypeRow]:
    """MA_LOAI_KCB -> its row of the mapping (source and mark)."""
    rows = {}
    for row in read_csv("visit_types.csv"):
        if row["visit_type"] not in VISIT_TYPES:
            raise ValueError(f"visit_types.csv: {row['visit_type']!r} is not one of {VISIT_TYPES}")
        rows[row["ma_loai_kcb"]] = VisitTypeRow(
            row["ma_loai_kcb"], row["visit_type"], row["source"], row["mark"]
        )
    return rows


def visit_type(ma_loai_kcb: str) -> str:
    """The report's visit type of an MA_LOAI_KCB code (:data:`OTHER` for an unknown code)."""
    row = visit_type_rows().get(ma_loai_kcb)
    return row.visit_type if row is not None else OTHER


@cache
def _calendar_days(working_days: int, weekday: int) -> int:
    """Calendar days from a day of ``weekday`` (0 Monday) to the end of ``working_days`` working
    days after it (Monday to Friday; a start on a weekend counts from the next Monday)."""
    days, left = 0, working_days
    while left:
        days += 1
        if (weekday + days) % 7 < 5:
            left -= 1
    return days


@dataclass(frozen=True, slots=True)
class Deadline:
    name: str
    requirement: str
    limit: int
    unit: str
    """``hours``, ``days`` or ``working_days``."""
    meaning: str
    source: str
    mark: str

    def due(self, start: datetime) -> datetime:
        """The moment this deadline ends for an event at ``start``."""
        if self.unit == "hours":
            return start + timedelta(hours=self.limit)
        if self.unit == "days":
            return start + timedelta(days=self.limit)
        if self.unit == "working_days":
            return start + timedelta(days=_calendar_days(self.limit, start.weekday()))
        raise ValueError(f"deadline {self.name}: unknown unit {self.unit!r}")


@cache
def deadlines() -> dict[str, Deadline]:
    """Every deadline of ``data/deadlines.csv`` by name."""
    return {
        row["name"]: Deadline(
            row["name"],
            row["requirement"],
            int(row["limit"]),
            row["unit"],
            row["meaning"],
            row["source"],
            row["mark"],
        )
        for row in read_csv("deadlines.csv")
    }


def deadline(name: str) -> Deadline:
    return deadlines()[name]
