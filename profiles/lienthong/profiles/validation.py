"""Validation of XML 130 check-ins and dossiers against the catalogue.

Every problem is a :class:`Violation` naming the table, record, field, value, rule and the
requirement it breaks, so the gateway, the conformance checks and ``lienthong validate`` all
report the same thing in the same words.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation

from lxml import etree

from lienthong.profiles import xml130
from lienthong.profiles.codelists import codelist
from lienthong.profiles.identifiers import bhyt_problems, cccd_problems, facility_problems
from lienthong.profiles.tables import DEFAULT_VERSION, TableSpec, table

Record = Mapping[str, str]

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
_INTEGER = re.compile(r"-?\d+")
_DECIMAL = re.compile(r"-?\d+(\.\d+)?")
_ICD10 = re.compile(r"[A-Z]\d{2}(\.\d{1,3})?[A-Z0-9]?")

# Which requirement a generic field rule of a table verifies.
_SIZE_RULE = {"XML0": "XML0-02", "XML1": "XML1-01"}
_REQUIRED_RULE = {"XML0": "XML0-03", "XML1": "XML1-02"}


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
        return None, [Violation(requirement, what, "(document)", data[:40].decode("utf-8", "replace"),
                                f"is not well-formed UTF-8 XML: {exc.msg}")]


def _records(parent: etree._Element) -> dict[str, str]:
    return {child.tag: _text(child) for child in parent if isinstance(child.tag, str)}


# ---------------------------------------------------------------------------------------------
# Check-in (XML0)


def parse_checkin(data: bytes) -> tuple[list[dict[str, str]], list[Violation]]:
    """Records of a check-in file (structure rule XML0-01)."""
    root, problems = parse_xml(data, what="XML0", requirement="XML0-01")
    if root is None:
        return [], problems
    if root.tag != xml130.CHECKIN_ROOT:
        return [], [Violation("XML0-01", "XML0", "(root)", str(root.tag),
                              f"root element must be {xml130.CHECKIN_ROOT}")]
    rows = root.findall(f"{xml130.CHECKIN_LIST}/{xml130.CHECKIN_RECORD}")
    if not rows:
        problems.append(Violation("XML0-01", "XML0", xml130.CHECKIN_LIST, "",
                                  f"must hold at least one {xml130.CHECKIN_RECORD}"))
    if root.find(xml130.SIGNATURE_TAG) is None:
        problems.append(Violation("XML0-01", "XML0", xml130.SIGNATURE_TAG, "",
                                  f"the file must end with a {xml130.SIGNATURE_TAG} element"))
    return [_records(row) for row in rows], problems


def validate_checkin(data: bytes, version: str = DEFAULT_VERSION) -> tuple[list[dict[str, str]], list[Violation]]:
    """Parse and fully validate a check-in file."""
    records, problems = parse_checkin(data)
    for index, record in enumerate(records, start=1):
        problems += validate_record("XML0", record, index, version)
    return records, problems


# ---------------------------------------------------------------------------------------------
# Dossier envelope (GIAMDINHHS)


def parse_dossier(data: bytes) -> tuple[Dossier | None, list[Violation]]:
    """Unwrap the envelope and decode every FILEHOSO (rules ENV-01 to ENV-04)."""
    root, problems = parse_xml(data, what="GIAMDINHHS", requirement="ENV-01")
    if root is None:
        return None, problems
    if root.tag != xml130.ENVELOPE_ROOT:
        return None, [Violation("ENV-01", "GIAMDINHHS", "(root)", str(root.tag),
                                f"root element must be {xml130.ENVELOPE_ROOT}")]
    for path in ("THONGTINDONVI/MACSKCB", "THONGTINHOSO/NGAYLAP", "THONGTINHOSO/SOLUONGHOSO",
                 "THONGTINHOSO/DANHSACHHOSO", xml130.SIGNATURE_TAG):
        if root.find(path) is None:
            problems.append(Violation("ENV-01", "GIAMDINHHS", path, "", "element is missing"))
    if problems:
        return None, problems
    dossier = Dossier(_text(root.find("THONGTINDONVI/MACSKCB")), _text(root.find("THONGTINHOSO/NGAYLAP")))
    hosos = root.findall("THONGTINHOSO/DANHSACHHOSO/HOSO")
    declared = _text(root.find("THONGTINHOSO/SOLUONGHOSO"))
    if len(hosos) != 1:
        problems.append(Violation("ENV-04", "GIAMDINHHS", "DANHSACHHOSO/HOSO", str(len(hosos)),
                                  "a file must carry exactly one HOSO (one KCB record)"))
    if declared != str(len(hosos)):
        problems.append(Violation("ENV-04", "GIAMDINHHS", "SOLUONGHOSO", declared,
                                  f"must equal the number of HOSO ({len(hosos)})"))
    allowed = codelist("LOAIHOSO")
    for hoso in hosos[:1]:
        for index, filehoso in enumerate(hoso.findall("FILEHOSO"), start=1):
            kind = _text(filehoso.find("LOAIHOSO"))
            if kind not in allowed:
                problems.append(Violation("ENV-02", "GIAMDINHHS", "LOAIHOSO", kind,
                                          f"FILEHOSO {index}: must be one of {', '.join(allowed)}",
                                          record=index))
                continue
            content = _text(filehoso.find("NOIDUNGFILE"))
            try:
                inner = base64.b64decode(content, validate=True)
            except (binascii.Error, ValueError):
                problems.append(Violation("ENV-03", kind, "NOIDUNGFILE", content,
                                          "is not valid base64", record=index))
                continue
            table_root, inner_problems = parse_xml(inner, what=kind, requirement="ENV-03")
            problems += inner_problems
            if table_root is None:
                continue
            expected = xml130.TABLE_ROOTS[kind]
            if table_root.tag != expected:
                problems.append(Violation("ENV-03", kind, "(root)", str(table_root.tag),
                                          f"root element of {kind} must be {expected}"))
                continue
            rows = [table_root] if kind == "XML1" else [
                row for lst in table_root for row in lst if isinstance(row.tag, str)
            ]
            dossier.tables.setdefault(kind, []).extend(_records(row) for row in rows)
    if "XML1" not in dossier.tables and not any(p.requirement in {"ENV-02", "ENV-03"} for p in problems):
        problems.append(Violation("ENV-01", "GIAMDINHHS", "FILEHOSO", "", "a HOSO must include its XML1"))
    return dossier, problems


def validate_dossier(data: bytes, version: str = DEFAULT_VERSION) -> tuple[Dossier | None, list[Violation]]:
    """Parse the envelope and validate every known table and the cross-table rules."""
    dossier, problems = parse_dossier(data)
    if dossier is None:
        return None, problems
    for kind, records in dossier.tables.items():
        if kind in _SIZE_RULE:
            for index, record in enumerate(records, start=1):
                problems += validate_record(kind, record, index, version)
    problems += _ma_lk_links(dossier)
    xml1 = dossier.tables.get("XML1") or []
    if xml1 and dossier.facility != xml1[0].get("MA_CSKCB", ""):
        problems.append(Violation("ENV-05", "GIAMDINHHS", "MACSKCB", dossier.facility,
                                  f"must equal MA_CSKCB of XML1 ({xml1[0].get('MA_CSKCB', '')})"))
    return dossier, problems


def _ma_lk_links(dossier: Dossier) -> list[Violation]:
    key = dossier.ma_lk
    return [
        Violation("XML1-07", kind, "MA_LK", record.get("MA_LK", ""), f"must equal the MA_LK of XML1 ({key})",
                  record=index)
        for kind, records in dossier.tables.items()
        if kind != "XML1"
        for index, record in enumerate(records, start=1)
        if record.get("MA_LK", "") != key
    ]


# ---------------------------------------------------------------------------------------------
# Records


def validate_record(kind: str, record: Record, index: int = 1,
                    version: str = DEFAULT_VERSION) -> list[Violation]:
    """Field rules of the profile table, then the table's own cross-field rules."""
    spec = table(kind, version)
    problems = list(_field_rules(spec, record, index))
    problems += _TABLE_RULES.get(kind, _no_rules)(record, index)
    return problems


def _field_rules(spec: TableSpec, record: Record, index: int) -> Iterable[Violation]:
    kind = spec.name
    for fs in spec.fields:
        value = record.get(fs.name, "")
        if not value:
            if fs.required:
                yield Violation(_REQUIRED_RULE[kind], kind, fs.name, "", "is required")
            continue
        if fs.max_length is not None and len(value) > fs.max_length:
            yield Violation(_SIZE_RULE[kind], kind, fs.name, value,
                            f"is {len(value)} characters; the {spec.version} maximum is {fs.max_length}",
                            record=index)
        if fs.type == "number" or fs.format in {"integer", "decimal"}:
            pattern = _INTEGER if fs.format == "integer" else _DECIMAL
            if not pattern.fullmatch(value):
                yield Violation(_SIZE_RULE[kind], kind, fs.name, value,
                                "must be a number (dot as decimal separator)", record=index)
                continue
        if fs.codelist and value not in codelist(fs.codelist):
            yield Violation("CODE-01", kind, fs.name, value, f"is not a code of {fs.codelist}",
                            record=index)
        yield from _format_rule(kind, fs.name, fs.format, value, record, index)


def _valid_time(value: str, *, birth: bool = False) -> bool:
    if not re.fullmatch(r"\d{12}", value):
        return False
    if birth:  # unknown month-day or hour-minute may be written 0000
        date_part = value[:8] if value[4:8] != "0000" else value[:4] + "0101"
        time_part = value[8:] if value[8:] != "0000" else "0000"
        value = date_part + time_part
    try:
        datetime.strptime(value, "%Y%m%d%H%M")
    except ValueError:
        return False
    return True


def _valid_date(value: str) -> bool:
    if not re.fullmatch(r"\d{8}", value):
        return False
    try:
        datetime.strptime(value, "%Y%m%d")
    except ValueError:
        return False
    return True


def _format_rule(kind: str, name: str, fmt: str, value: str, record: Record, index: int) -> Iterable[Violation]:
    def bad(req: str, rule: str) -> Violation:
        return Violation(req, kind, name, value, rule, record=index)

    if fmt in {"datetime12", "birth12"} and not _valid_time(value, birth=fmt == "birth12"):
        yield bad("FMT-01", "must be a valid time written yyyymmddHHMM (12 digits)")
    elif fmt in {"date8", "date8list"}:
        parts = value.split(";") if fmt == "date8list" else [value]
        if not all(_valid_date(p) for p in parts):
            yield bad("FMT-02", "must be a valid date written yyyymmdd (8 digits; several separated by ;)")
    elif fmt == "cccd":
        birth = record.get("NGAY_SINH", "")
        sex = record.get("GIOI_TINH", "")
        for problem in cccd_problems(
            value,
            birth_year=int(birth[:4]) if birth[:4].isdigit() else None,
            sex=int(sex) if sex in {"1", "2"} else None,
        ):
            req = "ID-CCCD-01" if "12 digits" in problem or "province" in problem else "ID-CCCD-02"
            yield bad(req, problem)
    elif fmt in {"bhyt", "bhytlist"}:
        for card in value.split(";"):
            for problem in bhyt_problems(card):
                yield bad("ID-BHYT-01", problem)
    elif fmt == "facility":
        for problem in facility_problems(value):
            yield bad("ID-CSKCB-01", problem)
    elif fmt == "icd10" and not _ICD10.fullmatch(value):
        yield bad("XML1-05", "must be exactly one ICD-10 code (e.g. J18.9), at most 7 characters")
    elif fmt == "icd10list":
        codes = value.split(";")
        if len(codes) > 12:
            yield bad("XML1-05", f"holds {len(codes)} codes; at most 12 are allowed")
        if not all(_ICD10.fullmatch(c) for c in codes):
            yield bad("XML1-05", "must be ICD-10 codes separated by ;")


def _no_rules(record: Record, index: int) -> list[Violation]:
    return []


def _checkin_rules(record: Record, index: int) -> list[Violation]:
    problems = []
    named = [(code, name) for code, name in (("MA_DICH_VU", "TEN_DICH_VU"), ("MA_THUOC", "TEN_THUOC"),
                                             ("MA_VAT_TU", "TEN_VAT_TU")) if record.get(code)]
    if len(named) != 1:
        problems.append(Violation("XML0-04", "XML0", "MA_DICH_VU/MA_THUOC/MA_VAT_TU",
                                  ",".join(c for c, _ in named),
                                  "exactly one of MA_DICH_VU, MA_THUOC, MA_VAT_TU must be filled",
                                  record=index))
    for code, name in named:
        if not record.get(name):
            problems.append(Violation("XML0-04", "XML0", name, "", f"is required when {code} is filled",
                                      record=index))
    admitted, arrived = record.get("NGAY_VAO_NOI_TRU", ""), record.get("NGAY_VAO", "")
    if admitted:
        if arrived and admitted < arrived:
            problems.append(Violation("XML0-05", "XML0", "NGAY_VAO_NOI_TRU", admitted,
                                      f"must not be before NGAY_VAO ({arrived})", record=index))
        if not record.get("LY_DO_VNT"):
            problems.append(Violation("XML0-05", "XML0", "LY_DO_VNT", "",
                                      "is required when NGAY_VAO_NOI_TRU is set", record=index))
    return problems


def _money(value: str) -> Decimal | None:
    try:
        return Decimal(value)
    except (InvalidOperation, ValueError):
        return None


def _summary_rules(record: Record, index: int) -> list[Violation]:
    problems = []
    arrived, admitted, left = (record.get(k, "") for k in ("NGAY_VAO", "NGAY_VAO_NOI_TRU", "NGAY_RA"))
    if admitted and arrived and admitted < arrived:
        problems.append(Violation("XML1-03", "XML1", "NGAY_VAO_NOI_TRU", admitted,
                                  f"must not be before NGAY_VAO ({arrived})", record=index))
    if left and (admitted or arrived) and left < (admitted or arrived):
        problems.append(Violation("XML1-03", "XML1", "NGAY_RA", left,
                                  f"must not be before {'NGAY_VAO_NOI_TRU' if admitted else 'NGAY_VAO'} "
                                  f"({admitted or arrived})", record=index))
    total, copay, fund = (_money(record.get(k, "")) for k in ("T_TONGCHI_BH", "T_BNCCT", "T_BHTT"))
    if None not in (total, copay, fund) and fund != total - copay:  # type: ignore[operator]
        problems.append(Violation("XML1-04", "XML1", "T_BHTT", record.get("T_BHTT", ""),
                                  f"must equal T_TONGCHI_BH - T_BNCCT = {total - copay}",  # type: ignore[operator]
                                  record=index))
    return problems


_TABLE_RULES = {"XML0": _checkin_rules, "XML1": _summary_rules}
