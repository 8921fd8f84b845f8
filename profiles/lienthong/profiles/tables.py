"""Field tables of the XML 130 family as data, one profile per regulation version.

The QĐ 3176 tables (``data/tables/qd3176/XMLn.csv``) are the base. The older profiles are the base
with the patches of ``data/tables/changes.csv`` applied, newest first: each row says how a version
differs from the next newer one (a field dropped, added, renamed or re-sized, a table absent), with
its source and verification mark. So the differences between versions are data, not code.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cache

from lienthong.profiles._data import read_csv

DEFAULT_VERSION = "qd3176"
VERSIONS = ("qd130", "qd4750", "qd3176")
"""Oldest first."""
VERSION_TITLES = {
    "qd130": "QĐ 130/QĐ-BYT (18/01/2023)",
    "qd4750": "QĐ 4750/QĐ-BYT (29/12/2023), mandatory 01/07/2024",
    "qd3176": "QĐ 3176/QĐ-BYT (29/10/2024), in force 01/01/2025",
}
TABLES = (
    "XML0",
    "XML1",
    "XML2",
    "XML3",
    "XML4",
    "XML5",
    "XML6",
    "XML7",
    "XML8",
    "XML9",
    "XML10",
    "XML11",
    "XML13",
    "XML14",
    "XML15",
)
"""Tables a facility sends (XML12, medical assessment, is entered on the portal: QĐ 130 Đ3 k3)."""


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
    condition: str = ""
    """``yes``, ``cond`` (required under a condition named in the meaning, checked by a rule) or
    ``=XML1`` (if present, equal to the same field of XML1)."""
    mark: str = "V"


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


@dataclass(frozen=True, slots=True)
class TableInfo:
    """A table's names and XML tags (BHXH CV 1245 §3.5 [V]; some roots inferred, see ``mark``)."""

    name: str
    name_vi: str
    name_en: str
    root: str
    list_tag: str
    record_tag: str
    source: str
    mark: str


@dataclass(frozen=True, slots=True)
class Change:
    """How ``version`` differs from the next newer profile for one field or table."""

    version: str
    table: str
    change: str
    """``drop``, ``add``, ``rename``, ``modify`` or ``drop_table``."""
    field: str
    arg: str
    """``add``: the field it follows; ``rename``: the tag in ``version``."""
    values: tuple[tuple[str, str], ...]
    meaning: str
    source: str
    mark: str


class UnknownTable(KeyError):
    """A table or version that is not in the profiles; the message lists the known ones."""


@cache
def table_info() -> dict[str, TableInfo]:
    """Every table's names and tags, keyed by LOAIHOSO (``XML0`` ... ``XML15``)."""
    return {
        row["table"]: TableInfo(
            row["table"],
            row["name_vi"],
            row["name_en"],
            row["root"],
            row["list"],
            row["record"],
            row["source"],
            row["mark"],
        )
        for row in read_csv("tables", "tables.csv")
    }


@cache
def changes() -> tuple[Change, ...]:
    """All version differences, as catalogued in ``changes.csv``."""
    out = []
    for row in read_csv("tables", "changes.csv"):
        values = tuple((k, row[k]) for k in ("type", "max", "required", "format", "codelist") if row[k])
        out.append(
            Change(
                row["version"],
                row["table"],
                row["change"],
                row["field"],
                row["arg"],
                values,
                row["meaning"],
                row["source"],
                row["mark"],
            )
        )
    return tuple(out)


def differences(old: str, new: str) -> list[Change]:
    """The changes between two profile versions (``old`` older than ``new``), oldest first."""
    lo, hi = _index(old), _index(new)
    if lo >= hi:
        raise ValueError(f"{old} must be older than {new}; versions oldest first: {VERSIONS}")
    wanted = set(VERSIONS[lo:hi])
    return [c for c in changes() if c.version in wanted]


def _index(version: str) -> int:
    if version not in VERSIONS:
        raise UnknownTable(f"unknown profile version {version!r}; known: {', '.join(VERSIONS)}")
    return VERSIONS.index(version)


def _base(name: str) -> tuple[FieldSpec, ...]:
    rows = read_csv("tables", DEFAULT_VERSION, f"{name}.csv")
    return tuple(
        FieldSpec(
            no=int(row["no"]),
            name=row["field"],
            type=row["type"],
            max_length=int(row["max"]) if row["max"] else None,
            required=row["required"] == "yes",
            format=row["format"],
            codelist=row["codelist"],
            meaning=row["meaning"],
            condition=row["required"],
            mark=row.get("mark") or "V",
        )
        for row in rows
    )


def _apply(fields: list[FieldSpec], change: Change) -> list[FieldSpec]:
    values = dict(change.values)
    updates: dict[str, object] = {"meaning": change.meaning, "mark": change.mark}
    if "type" in values:
        updates["type"] = values["type"]
    if "max" in values:
        updates["max_length"] = None if values["max"] == "n" else int(values["max"])
    if "required" in values:
        updates["required"] = values["required"] == "yes"
        updates["condition"] = values["required"]
    if "format" in values:
        updates["format"] = "" if values["format"] == "-" else values["format"]
    if "codelist" in values:
        updates["codelist"] = "" if values["codelist"] == "-" else values["codelist"]
    names = [f.name for f in fields]
    if change.change == "add":
        at = names.index(change.arg) + 1 if change.arg else len(fields)
        spec = FieldSpec(
            no=0,
            name=change.field,
            type="string",
            max_length=None,
            required=False,
            format="",
            codelist="",
            meaning="",
        )
        fields.insert(at, replace(spec, **updates))  # type: ignore[arg-type]
        return fields
    if change.field not in names:
        raise ValueError(f"changes.csv: {change.version} {change.table} has no field {change.field}")
    at = names.index(change.field)
    if change.change == "drop":
        del fields[at]
    elif change.change == "rename":
        fields[at] = replace(fields[at], name=change.arg, **updates)  # type: ignore[arg-type]
    elif change.change == "modify":
        fields[at] = replace(fields[at], **updates)  # type: ignore[arg-type]
    else:
        raise ValueError(f"changes.csv: unknown change {change.change!r}")
    return fields


def has_table(name: str, version: str = DEFAULT_VERSION) -> bool:
    """Whether the profile ``version`` defines table ``name``."""
    return name in tables(version)


@cache
def tables(version: str = DEFAULT_VERSION) -> tuple[str, ...]:
    """The tables a profile version defines, in LOAIHOSO order."""
    at = _index(version)
    dropped = {c.table for c in changes() if c.change == "drop_table" and VERSIONS.index(c.version) >= at}
    return tuple(t for t in TABLES if t not in dropped)


@cache
def table(name: str, version: str = DEFAULT_VERSION) -> TableSpec:
    """The field table ``name`` (e.g. ``XML1``) of a profile version."""
    at = _index(version)
    if name not in TABLES:
        raise UnknownTable(f"unknown table {name!r}; known: {', '.join(TABLES)}")
    if name not in tables(version):
        raise UnknownTable(f"table {name} is not part of the {version} profile ({VERSION_TITLES[version]})")
    fields = list(_base(name))
    # Newest patch first: qd4750 is 3176 patched, qd130 is 4750 patched.
    for older in reversed(VERSIONS[at:-1]):
        for change in changes():
            if change.version == older and change.table == name and change.change != "drop_table":
                fields = _apply(fields, change)
    numbered = tuple(replace(f, no=i) if f.no == 0 else f for i, f in enumerate(fields, start=1))
    return TableSpec(version=version, name=name, fields=numbered)
