"""The Electronic Health Book view (Sổ sức khỏe điện tử): its content groups (QĐ 31/QĐ-BYT Đ2 k3),
the XML 130 fields each item comes from, and the FHIR R4 resource the MoH store serves it as."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from lienthong.profiles._data import read_csv

GROUPS = ("administrative", "history", "visit", "summary")


@dataclass(frozen=True, slots=True)
class BookItem:
    group: str
    item_vi: str
    item_en: str
    sources: tuple[tuple[str, str], ...]
    """(table, field) pairs; empty when no XML 130 table carries the item."""
    fhir: str
    """Resource (and element) the item is served as, e.g. ``Encounter.period``."""
    mark: str
    note: str

    @property
    def resource(self) -> str:
        return self.fhir.split(".")[0].split("(")[0]


@cache
def book_items() -> tuple[BookItem, ...]:
    """Every health-book item, in the order of the content groups."""
    return tuple(
        BookItem(
            row["group"],
            row["item_vi"],
            row["item_en"],
            tuple(tuple(s.split(".", 1)) for s in row["sources"].split(";") if s),  # type: ignore[misc]
            row["fhir"],
            row["mark"],
            row["note"],
        )
        for row in read_csv("healthbook.csv")
    )
