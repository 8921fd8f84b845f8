"""Field tables of the XML 130 family as data: one CSV per table per profile version."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from lienthong.profiles._data import read_csv

DEFAULT_VERSION = "qd3176"
VERSIONS = ("qd3176",)


@dataclass(frozen=True, slots=True)
class FieldSpec:
    no: int
    name: str
    type: str
    """``string`` (Chuỗi) or ``number`` (Số)."""
    max_length: int | None
    """None means "n": no fixed maximum."""
    required: bool
    format: str
    codelist: str
    meaning: str


@dataclass(frozen=True, slots=True)
class TableSpec:
    version: str
    name: str
    fields: tuple[FieldSpec, ...]

    def field(self, name: str) -> FieldSpec:
        for spec in self.fields:
            if spec.name == name:
                return spec
        raise KeyError(f"{self.name} ({self.version}) has no field {name}")

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(spec.name for spec in self.fields)


@cache
def table(name: str, version: str = DEFAULT_VERSION) -> TableSpec:
    """The field table ``name`` (e.g. ``XML1``) of a profile version."""
    if version not in VERSIONS:
        raise KeyError(f"unknown profile version {version!r}; known: {', '.join(VERSIONS)}")
    rows = read_csv("tables", version, f"{name}.csv")
    return TableSpec(
        version=version,
        name=name,
        fields=tuple(
            FieldSpec(
                no=int(row["no"]),
                name=row["field"],
                type=row["type"],
                max_length=int(row["max"]) if row["max"] else None,
                required=row["required"] == "yes",
                format=row["format"],
                codelist=row["codelist"],
                meaning=row["meaning"],
            )
            for row in rows
        ),
    )
