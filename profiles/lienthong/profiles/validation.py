"""Validation of XML 130 check-ins and dossiers against the catalogue.

Every problem is a :class:`Violation` naming the table, record, field, value, rule and the
requirement it breaks, so the gateway, the conformance checks and ``lienthong validate`` all
report the same thing in the same words. Dossiers are judged against one profile version
(``qd130``, ``qd4750``, ``qd3176``): the one the caller declares, or with ``version="auto"`` the one
the dossier implies (:mod:`lienthong.profiles.versions`); :attr:`Dossier.version` says which.

The hot path is lxml plus per-(version, table) plans compiled once (:mod:`.validator.fields`);
Violation objects are only built for problems.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from dataclasses import dataclass, field

from lxml import etree

from lienthong.profiles import xml130
from lienthong.profiles.codelists import codelist
from lienthong.profiles.tables import DEFAULT_VERSION, has_table, table_info
from lienthong.profiles.validator.dossier_rules import DOSSIER_RULES
from lienthong.profiles.validator.fields import check_fields, plan
from lienthong.profiles.validator.record_rules import RECORD_RULES
from lienthong.profiles.versions import (
    AUTO,
    check_version,
    implied_checkin_version,
    implied_dossier_version,
)

Record = Mapping[str, str]

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)


@dataclass(frozen=True, slots=True)
class Violation:
    """One broken rule, located precisely."""

    requirement: str
    table: str
    field: str
    value: str
    rule: str
    record: int = 1

    def message(self) -> str:
        shown = self.value if len(self.value) <= 60 else self.value[:57] + "..."
        return (
            f"{self.table} record {self.record}, field {self.field} = {shown!r}: "
            f"{self.rule} [{self.requirement}]"
        )


@dataclass
class Dossier:
    """A parsed GIAMDINHHS envelope: its facility and the records of each table."""

    facility: str
    ngaylap: str
    tables: dict[str, list[dict[str, str]]] = field(default_factory=dict)
    version: str = DEFAULT_VERSION
    """The profile version the dossier was judged against."""

    @property
    def ma_lk(self) -> str:
        records = self.tables.get("XML1") or [{}]
        return records[0].get("MA_LK", "")


def _text(node: etree._Element | None) -> str:
    return (node.text or "").strip() if node is not None else ""


def parse_xml(data: bytes, *, what: str, requirement: str) -> tuple[etree._Element | None, list[Violation]]:
    """Parse UTF-8 XML bytes, or explain why they are not XML."""
    try:
        return etree.fromstring(data, _PARSER), []
    except etree.XMLSyntaxError as exc:
        return None, [
            Violation(
                requirement,
                what,
                "(document)",
                data[:40].decode("utf-8", "replace"),
                f"is not well-formed UTF-8 XML: {exc.msg}",
            )
        ]


def _records(parent: etree._Element) -> dict[str, str]:
    return {child.tag: (child.text or "").strip() for child in parent if isinstance(child.tag, str)}


# ---------------------------------------------------------------------------------------------
# Check-in (XML0)


def parse_checkin(data: bytes) -> tuple[list[dict[str, str]], list[Violation]]:
    """Records of a check-in file (structure rule XML0-01)."""
    root, problems = parse_xml(data, what="XML0", requirement="XML0-01")
    if root is None:
        return [], problems
    if root.tag != xml130.CHECKIN_ROOT:
        return [], [
            Violation(
                "XML0-01", "XML0", "(root)", str(root.tag), f"root element must be {xml130.CHECKIN_ROOT}"
            )
        ]
    rows = root.findall(f"{xml130.CHECKIN_LIST}/{xml130.CHECKIN_RECORD}")
    if not rows:
        problems.append(
            Violation(
                "XML0-01", "XML0", xml130.CHECKIN_LIST, "", f"must hold at least one {xml130.CHECKIN_RECORD}"
            )
        )
    if root.find(xml130.SIGNATURE_TAG) is None:
        problems.append(
            Violation(
                "XML0-01",
                "XML0",
                xml130.SIGNATURE_TAG,
                "",
                f"the file must end with a {xml130.SIGNATURE_TAG} element",
            )
        )
    return [_records(row) for row in rows], problems


def validate_checkin(
    data: bytes, version: str = DEFAULT_VERSION
) -> tuple[list[dict[str, str]], list[Violation]]:
    """Parse and fully validate a check-in file against ``version`` (or ``"auto"``)."""
    records, problems = parse_checkin(data)
    judged = implied_checkin_version(records) if check_version(version) == AUTO else version
    for index, record in enumerate(records, start=1):
        problems += validate_record("XML0", record, index, judged)
    for index, record in enumerate(records, start=1):
        if record.get("STT", "") != str(index):
            problems.append(
                Violation(
                    "STT-01",
                    "XML0",
                    "STT",
                    record.get("STT", ""),
                    f"must be {index}: STT counts from 1 in the file",
                    index,
                )
            )
            break
    return records, problems


# ---------------------------------------------------------------------------------------------
# Dossier envelope (GIAMDINHHS)


def parse_dossier(data: bytes) -> tuple[Dossier | None, list[Violation]]:
    """Unwrap the envelope and decode every FILEHOSO (rules ENV-01 to ENV-04)."""
    root, problems = parse_xml(data, what="GIAMDINHHS", requirement="ENV-01")
    if root is None:
        return None, problems
    if root.tag != xml130.ENVELOPE_ROOT:
        return None, [
            Violation(
                "ENV-01",
                "GIAMDINHHS",
                "(root)",
                str(root.tag),
                f"root element must be {xml130.ENVELOPE_ROOT}",
            )
        ]
    unit, info = root.find("THONGTINDONVI"), root.find("THONGTINHOSO")
    facility_node = unit.find("MACSKCB") if unit is not None else None
    parts = {
        "THONGTINDONVI/MACSKCB": facility_node,
        "THONGTINHOSO/NGAYLAP": info.find("NGAYLAP") if info is not None else None,
        "THONGTINHOSO/SOLUONGHOSO": info.find("SOLUONGHOSO") if info is not None else None,
        "THONGTINHOSO/DANHSACHHOSO": info.find("DANHSACHHOSO") if info is not None else None,
        xml130.SIGNATURE_TAG: root.find(xml130.SIGNATURE_TAG),
    }
    for path, node in parts.items():
        if node is None:
            problems.append(Violation("ENV-01", "GIAMDINHHS", path, "", "element is missing"))
    if problems:
        return None, problems
    dossier = Dossier(_text(facility_node), _text(parts["THONGTINHOSO/NGAYLAP"]))
    listing = parts["THONGTINHOSO/DANHSACHHOSO"]
    assert listing is not None
    hosos = listing.findall("HOSO")
    declared = _text(parts["THONGTINHOSO/SOLUONGHOSO"])
    if len(hosos) != 1:
        problems.append(
            Violation(
                "ENV-04",
                "GIAMDINHHS",
                "DANHSACHHOSO/HOSO",
                str(len(hosos)),
                "a file must carry exactly one HOSO (one KCB record)",
            )
        )
    if declared != str(len(hosos)):
        problems.append(
            Violation(
                "ENV-04",
                "GIAMDINHHS",
                "SOLUONGHOSO",
                declared,
                f"must equal the number of HOSO ({len(hosos)})",
            )
        )
    allowed = codelist("LOAIHOSO")
    infos = table_info()
    for hoso in hosos[:1]:
        for index, filehoso in enumerate(hoso.iterchildren("FILEHOSO"), start=1):
            kind = _text(filehoso.find("LOAIHOSO"))
            if kind not in allowed:
                problems.append(
                    Violation(
                        "ENV-02",
                        "GIAMDINHHS",
                        "LOAIHOSO",
                        kind,
                        f"FILEHOSO {index}: must be one of {', '.join(allowed)}",
                        record=index,
                    )
                )
                continue
            content = _text(filehoso.find("NOIDUNGFILE"))
            try:
                inner = base64.b64decode(content, validate=True)
            except (binascii.Error, ValueError):
                problems.append(
                    Violation("ENV-03", kind, "NOIDUNGFILE", content, "is not valid base64", record=index)
                )
                continue
            table_root, inner_problems = parse_xml(inner, what=kind, requirement="ENV-03")
            problems += inner_problems
            if table_root is None:
                continue
            spec = infos[kind]
            if table_root.tag != spec.root:
                problems.append(
                    Violation(
                        "ENV-03",
                        kind,
                        "(root)",
                        str(table_root.tag),
                        f"root element of {kind} must be {spec.root}",
                    )
                )
                continue
            if spec.list_tag:
                listing_node = table_root.find(spec.list_tag)
                rows = (
                    [] if listing_node is None else [row for row in listing_node if isinstance(row.tag, str)]
                )
            else:
                rows = [table_root]
            dossier.tables.setdefault(kind, []).extend(_records(row) for row in rows)
    if "XML1" not in dossier.tables and not any(p.requirement in {"ENV-02", "ENV-03"} for p in problems):
        problems.append(Violation("ENV-01", "GIAMDINHHS", "FILEHOSO", "", "a HOSO must include its XML1"))
    return dossier, problems


def validate_dossier(data: bytes, version: str = DEFAULT_VERSION) -> tuple[Dossier | None, list[Violation]]:
    """Parse the envelope and validate every table and the cross-table rules against ``version``
    (``qd130``, ``qd4750``, ``qd3176``, or ``"auto"`` for the version the dossier implies)."""
    dossier, problems = parse_dossier(data)
    if dossier is None:
        return None, problems
    problems += validate_tables(dossier.tables, version, dossier=dossier)
    xml1 = dossier.tables.get("XML1") or []
    if xml1 and dossier.facility != xml1[0].get("MA_CSKCB", ""):
        problems.append(
            Violation(
                "ENV-05",
                "GIAMDINHHS",
                "MACSKCB",
                dossier.facility,
                f"must equal MA_CSKCB of XML1 ({xml1[0].get('MA_CSKCB', '')})",
            )
        )
    return dossier, problems


def validate_tables(
    tables: dict[str, list[dict[str, str]]], version: str = DEFAULT_VERSION, *, dossier: Dossier | None = None
) -> list[Violation]:
    """Field, record and cross-table rules over already-parsed tables (LOAIHOSO -> records)."""
    judged = implied_dossier_version(tables) if check_version(version) == AUTO else version
    if dossier is not None:
        dossier.version = judged
    problems: list[Violation] = []
    for kind, records in tables.items():
        if not has_table(kind, judged):
            problems.append(
                Violation("TAG-01", kind, "(table)", "", f"{kind} is not a table of the {judged} profile")
            )
            continue
        for index, record in enumerate(records, start=1):
            problems += validate_record(kind, record, index, judged)
    found: list[tuple[str, str, str, str, str, int]] = []
    for dossier_rule in DOSSIER_RULES:
        dossier_rule(tables, judged, found)
    problems += [
        Violation(req, kind, name, value, text, index) for req, kind, name, value, text, index in found
    ]
    return problems


# ---------------------------------------------------------------------------------------------
# Records


def validate_record(
    kind: str, record: Record, index: int = 1, version: str = DEFAULT_VERSION
) -> list[Violation]:
    """Field rules of the profile table, then the table's own cross-field rules."""
    found: list[tuple[str, str, str, str, int]] = []
    row = record if isinstance(record, dict) else dict(record)
    check_fields(plan(kind, version), row, index, found)
    for record_rule in RECORD_RULES.get(kind, ()):
        record_rule(row, index, found)
    return [Violation(req, kind, name, value, text, at) for req, name, value, text, at in found]
