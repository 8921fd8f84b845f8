"""Field rules of one table of one profile version, compiled once into a plan.

A plan maps each tag to what is checked on its value: maximum size, number syntax, code list and
format. Checking a record walks the record's own tags once (unknown tags are reported against the
version) and then the required tags, so the happy path costs a dict lookup and a length test per
field.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from lienthong.profiles.codelists import field_codes, residence_provinces
from lienthong.profiles.tables import VERSIONS, TableSpec, has_table, table
from lienthong.profiles.validator.formats import MEMOISED, Checker, Problem

SIZE_RULE = {"XML0": "XML0-02"}
"""Requirement of a table's type and size rule; XMLn-01 unless listed."""
REQUIRED_RULE = {"XML0": "XML0-03"}
"""Requirement of a table's required-field rule; XMLn-02 unless listed."""

_NUMBER_FORMATS = {"integer", "decimal", "decimal2", "decimal3"}


def size_rule(kind: str) -> str:
    return SIZE_RULE.get(kind, f"{kind}-01")


def required_rule(kind: str) -> str:
    return REQUIRED_RULE.get(kind, f"{kind}-02")


@dataclass(frozen=True, slots=True)
class FieldPlan:
    name: str
    max_length: int
    """A very large number when the table says "n"."""
    number: bool
    codes: frozenset[str] | None
    codelist: str
    check: Checker | None
    format: str = ""
    """The ``format`` column of the field table (empty when none)."""


@dataclass(frozen=True, slots=True)
class TablePlan:
    version: str
    kind: str
    size_rule: str
    required_rule: str
    fields: dict[str, FieldPlan]
    required: tuple[str, ...]
    other_versions: dict[str, str]
    """Tags of this table in other profile versions -> those versions (for TAG-01 messages)."""


def _codes(name: str) -> frozenset[str]:
    if name == "MATINH":
        return residence_provinces()
    # A dated field takes any of its lists; which one applies on a date is a record rule (CODE-02/03).
    return field_codes(name)


def _field_plan(spec: TableSpec, index: int) -> FieldPlan:
    fs = spec.fields[index]
    number = fs.type == "number" or fs.format in _NUMBER_FORMATS
    check = MEMOISED.get(fs.format) if fs.format else None
    if fs.format and check is None:
        raise ValueError(f"{spec.version} {spec.name}.{fs.name}: unknown format {fs.format!r}")
    return FieldPlan(
        name=fs.name,
        max_length=fs.max_length if fs.max_length is not None else 1 << 30,
        number=number,
        codes=_codes(fs.codelist) if fs.codelist else None,
        codelist=fs.codelist,
        check=check,
        format=fs.format,
    )


@cache
def plan(kind: str, version: str) -> TablePlan:
    """The compiled field rules of table ``kind`` in profile ``version``."""
    spec = table(kind, version)
    fields = {fs.name: _field_plan(spec, i) for i, fs in enumerate(spec.fields)}
    others: dict[str, str] = {}
    for other in VERSIONS:
        if other != version and has_table(kind, other):
            for name in table(kind, other).names:
                if name not in fields:
                    others[name] = f"{others[name]}, {other}" if name in others else other
    return TablePlan(
        version=version,
        kind=kind,
        size_rule=size_rule(kind),
        required_rule=required_rule(kind),
        fields=fields,
        required=tuple(fs.name for fs in spec.fields if fs.required),
        other_versions=others,
    )


def check_fields(
    p: TablePlan, record: dict[str, str], index: int, out: list[tuple[str, str, str, str, int]]
) -> None:
    """Append ``(requirement, field, value, rule, record)`` for every field rule ``record`` breaks."""
    fields = p.fields
    for name, value in record.items():
        fp = fields.get(name)
        if fp is None:
            where = p.other_versions.get(name)
            hint = f" (it is a tag of {where})" if where else ""
            out.append(
                ("TAG-01", name, value, f"is not a field of {p.kind} in the {p.version} profile{hint}", index)
            )
            continue
        if not value:
            continue
        if len(value) > fp.max_length:
            out.append(
                (
                    p.size_rule,
                    name,
                    value,
                    f"is {len(value)} characters; the {p.version} maximum is {fp.max_length}",
                    index,
                )
            )
        check = fp.check
        if check is not None:
            problem: Problem | None = check(value)
            if problem is not None:
                req, rule = problem
                if fp.number and req == "FMT-03" and "number" in rule:
                    req = p.size_rule  # not a number at all: the table's type rule
                out.append((req, name, value, rule, index))
                continue
        if fp.codes is not None and value not in fp.codes:
            out.append(("CODE-01", name, value, f"is not a code of {fp.codelist}", index))
    for name in p.required:
        if not record.get(name):
            out.append((p.required_rule, name, "", "is required", index))
