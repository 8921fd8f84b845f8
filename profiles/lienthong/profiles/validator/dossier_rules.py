"""Rules across the tables of one dossier: links, totals, which tables must be present, and the
fields of XML6, XML13 and XML14 that repeat XML1."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from decimal import Decimal

from lienthong.profiles.tables import TABLES, has_table, table
from lienthong.profiles.tables import tables as defined
from lienthong.profiles.validator import native
from lienthong.profiles.validator.formats import money
from lienthong.profiles.validator.registry import rule

Tables = dict[str, list[dict[str, str]]]
Found = list[tuple[str, str, str, str, str, int]]
"""(requirement, table, field, value, rule, record)."""
DossierRule = Callable[[Tables, str, Found], None]


@rule("dossier", "XML1-07")
def ma_lk_links(tables: Tables, version: str, out: Found) -> None:
    """Every record of every table carries the MA_LK of XML1. A record without MA_LK is its
    table's required-field rule (``<table>-02``), one finding for one fault; when XML1 has none,
    every record that names one is off."""
    xml1 = tables.get("XML1") or [{}]
    key = xml1[0].get("MA_LK", "")
    if all_carry(tables, "MA_LK", key):
        return  # the usual dossier (a first pass without the counting and the table names)
    for kind, records in tables.items():
        if kind == "XML1":
            continue
        for index, record in enumerate(records, start=1):
            value = record.get("MA_LK", "")
            if value and value != key:
                out.append(
                    (
                        "XML1-07",
                        kind,
                        "MA_LK",
                        record.get("MA_LK", ""),
                        f"must equal the MA_LK of XML1 ({key})",
                        index,
                    )
                )


def all_carry(tables: Tables, name: str, key: str) -> bool:
    """Whether no record of ``tables`` has a ``name`` other than empty or ``key``."""
    for records in tables.values():
        for record in records:
            value = record.get(name, "")
            if value and value != key:
                return False
    return True


COUNTS = tuple(str(n) for n in range(1000))
"""``str(n)``, made once: asked for every record of every list table."""
COUNTED = len(COUNTS)


@rule("dossier", "STT-01")
def sequence_numbers(tables: Tables, version: str, out: Found) -> None:
    """STT runs 1, 2, 3 ... within each list table."""
    for kind, records in tables.items():
        if kind == "XML1" or len(records) == 0 or "STT" not in records[0]:
            continue
        for index, record in enumerate(records, start=1):
            if record.get("STT", "") != (COUNTS[index] if index < COUNTED else str(index)):
                out.append(
                    (
                        "STT-01",
                        kind,
                        "STT",
                        record.get("STT", ""),
                        f"must be {index}: STT counts from 1 in each table",
                        index,
                    )
                )
                break


def _sum(
    records: list[dict[str, str]], field: str, keep: Callable[[dict[str, str]], bool] | None = None
) -> Decimal | None:
    total = Decimal(0)
    for record in records:
        if keep is not None and not keep(record):
            continue
        amount = money(record.get(field, ""))
        if amount is None:
            return None
        total += amount
    return total


def _total(
    out: Found, req: str, summary: dict[str, str], field: str, expected: Decimal | None, formula: str
) -> None:
    value = money(summary.get(field, ""))
    if expected is None or value is None or not summary.get(field):
        return
    if value != expected:
        out.append((req, "XML1", field, summary.get(field, ""), f"must equal {formula} = {expected}", 1))


_CONSUMABLES = {"10", "11"}


@rule("dossier", "XML1-09", "XML1-10", "XML1-11")
def totals_match_details(tables: Tables, version: str, out: Found) -> None:
    """T_TONGCHI_BV, T_TONGCHI_BH, T_THUOC and T_VTYT equal the sums of the XML2/XML3 rows."""
    xml1 = tables.get("XML1")
    if not xml1:
        return
    summary = xml1[0]
    drugs, services = tables.get("XML2", []), tables.get("XML3", [])
    if native.COMPILED and _totals_hold(summary, drugs, services):
        return
    drugs_bv, services_bv = _sum(drugs, "THANH_TIEN_BV"), _sum(services, "THANH_TIEN_BV")
    drugs_bh, services_bh = _sum(drugs, "THANH_TIEN_BH"), _sum(services, "THANH_TIEN_BH")
    if drugs_bv is not None and services_bv is not None:
        _total(
            out,
            "XML1-09",
            summary,
            "T_TONGCHI_BV",
            drugs_bv + services_bv,
            "the sum of THANH_TIEN_BV over XML2 and XML3",
        )
    if drugs_bh is not None and services_bh is not None:
        _total(
            out,
            "XML1-10",
            summary,
            "T_TONGCHI_BH",
            drugs_bh + services_bh,
            "the sum of THANH_TIEN_BH over XML2 and XML3",
        )
    _total(out, "XML1-11", summary, "T_THUOC", drugs_bv, "the sum of THANH_TIEN_BV over XML2")
    _total(
        out,
        "XML1-11",
        summary,
        "T_VTYT",
        _sum(services, "THANH_TIEN_BV", lambda r: r.get("MA_NHOM", "") in _CONSUMABLES),
        "the sum of THANH_TIEN_BV over the XML3 consumables (MA_NHOM 10, 11)",
    )


def _totals_hold(
    summary: dict[str, str], drugs: list[dict[str, str]], services: list[dict[str, str]]
) -> bool:
    """Whether the four totals equal their sums exactly in whole cents (the compiled helpers, as
    in record_rules: only a "yes" is taken, the Decimal sums decide the rest)."""
    total, cents = native.sum_cents, native.cents
    drugs_bv, services_bv = total(drugs, "THANH_TIEN_BV"), total(services, "THANH_TIEN_BV")
    drugs_bh, services_bh = total(drugs, "THANH_TIEN_BH"), total(services, "THANH_TIEN_BH")
    if drugs_bv is None or services_bv is None or drugs_bh is None or services_bh is None:
        return False
    consumables = total([r for r in services if r.get("MA_NHOM", "") in _CONSUMABLES], "THANH_TIEN_BV")
    return (
        cents(summary.get("T_TONGCHI_BV", "")) == drugs_bv + services_bv
        and cents(summary.get("T_TONGCHI_BH", "")) == drugs_bh + services_bh
        and cents(summary.get("T_THUOC", "")) == drugs_bv
        and consumables is not None
        and cents(summary.get("T_VTYT", "")) == consumables
    )


_REFERRAL_EXITS = {"2", "5"}
_CLS_GROUPS = {"1", "2", "3"}
_XML5_TYPES = {"02", "03", "04", "05", "06", "08", "09"}
_XML8_TYPES = {"03", "04", "06"}


@rule("dossier", "PRES-01", "PRES-02", "PRES-03", "PRES-04", "PRES-05", "PRES-06")
def table_presence(tables: Tables, version: str, out: Found) -> None:
    """XML13 iff MA_LOAI_RV 2 or 5; XML14 iff NGAY_TAI_KHAM; XML4 iff paraclinical services;
    XML5 and XML8 by MA_LOAI_KCB."""
    xml1 = tables.get("XML1")
    if not xml1:
        return
    summary = xml1[0]
    absent = _absent(version)
    exit_type = summary.get("MA_LOAI_RV", "")
    if ("XML13" in tables) != (exit_type in _REFERRAL_EXITS) and "XML13" not in absent:
        rule_text = (
            "XML13 (referral letter) must be sent when MA_LOAI_RV is 2 or 5"
            if exit_type in _REFERRAL_EXITS
            else "XML13 (referral letter) is sent only when MA_LOAI_RV is 2 or 5"
        )
        out.append(("PRES-01", "XML1", "MA_LOAI_RV", exit_type, rule_text, 1))
    appointment = summary.get("NGAY_TAI_KHAM", "")
    if ("XML14" in tables) != bool(appointment) and "XML14" not in absent:
        rule_text = (
            "XML14 (appointment slip) must be sent when NGAY_TAI_KHAM is set"
            if appointment
            else "XML14 (appointment slip) is sent only when an appointment is given (NGAY_TAI_KHAM set)"
        )
        out.append(("PRES-02", "XML1", "NGAY_TAI_KHAM", appointment, rule_text, 1))
    cls = None  # the first paraclinical service (a plain loop: a list of them all costs more)
    for service in tables.get("XML3", ()):
        if service.get("MA_NHOM", "") in _CLS_GROUPS:
            cls = service
            break
    if "XML4" in tables and cls is None:
        out.append(
            (
                "PRES-03",
                "XML4",
                "(table)",
                "",
                "XML4 is sent only when XML3 holds a paraclinical service (MA_NHOM 1, 2 or 3)",
                1,
            )
        )
    if cls is not None and "XML4" not in tables:
        out.append(
            (
                "PRES-04",
                "XML3",
                "MA_NHOM",
                cls.get("MA_NHOM", ""),
                "a paraclinical service (MA_NHOM 1, 2 or 3) needs its results in XML4",
                1,
            )
        )
    kind = summary.get("MA_LOAI_KCB", "")
    if kind in _XML5_TYPES and "XML5" not in tables:
        out.append(
            (
                "PRES-05",
                "XML1",
                "MA_LOAI_KCB",
                kind,
                f"MA_LOAI_KCB {kind} needs the clinical course in XML5",
                1,
            )
        )
    if kind in _XML8_TYPES and "XML8" not in tables:
        out.append(
            (
                "PRES-06",
                "XML1",
                "MA_LOAI_KCB",
                kind,
                f"MA_LOAI_KCB {kind} needs the record summary in XML8",
                1,
            )
        )


_ABSENT: dict[str, frozenset[str]] = {}


def _absent(version: str) -> frozenset[str]:
    """The tables ``version`` does not define (memoised: asked for every dossier)."""
    absent = _ABSENT.get(version)
    if absent is None:
        absent = _ABSENT[version] = frozenset(TABLES) - frozenset(defined(version))
    return absent


_SAME_AS_XML1_REQ = {"XML6": "XML6-03", "XML13": "XML13-03", "XML14": "XML14-03"}


@rule("dossier", "XML6-03", "XML13-03", "XML14-03")
def repeated_fields_equal_xml1(tables: Tables, version: str, out: Found) -> None:
    """Fields of XML6, XML13 and XML14 marked =XML1 equal the same field of XML1 when present."""
    xml1 = tables.get("XML1")
    if not xml1:
        return
    summary = xml1[0]
    for kind, req in _SAME_AS_XML1_REQ.items():
        records = tables.get(kind)
        if not records:
            continue
        names = _same_as_xml1(kind, version)
        for index, record in enumerate(records, start=1):
            for name in names:
                value = record.get(name, "")
                if value and not same_text(value, summary.get(name, "")):
                    out.append(
                        (
                            req,
                            kind,
                            name,
                            value,
                            f"must equal {name} of XML1 ({summary.get(name, '')})",
                            index,
                        )
                    )


def same_text(value: str, other: str) -> bool:
    """Whether two texts are the same once NFC-normalised: a name written with combining marks in
    one table (``Nguye\u0302\u0303n``) and precomposed in another (``Nguyễn``) is one name. Only the
    comparison normalises; the records keep the bytes as sent."""
    return value == other or unicodedata.normalize("NFC", value) == unicodedata.normalize("NFC", other)


_SAME_CACHE: dict[tuple[str, str], tuple[str, ...]] = {}


def _same_as_xml1(kind: str, version: str) -> tuple[str, ...]:
    key = (kind, version)
    if key not in _SAME_CACHE:
        # A table the version lacks has no =XML1 fields here: TAG-01 already reports the table.
        spec = table(kind, version) if has_table(kind, version) else None
        _SAME_CACHE[key] = tuple(f.name for f in spec.fields if f.condition == "=XML1") if spec else ()
    return _SAME_CACHE[key]


NEEDS: dict[str, tuple[str, ...]] = {
    "XML1-07": ("XML1",),
    "XML1-09": ("XML2", "XML3"),
    "XML1-10": ("XML2", "XML3"),
    "XML1-11": ("XML2", "XML3"),
    "PRES-01": ("XML13",),
    "PRES-02": ("XML14",),
    "PRES-03": ("XML3",),
    "PRES-04": ("XML4",),
    "PRES-05": ("XML5",),
    "PRES-06": ("XML8",),
    "XML6-03": ("XML1",),
    "XML13-03": ("XML1",),
    "XML14-03": ("XML1",),
}
"""Requirement of a cross-table finding -> the other tables it reads. When one of them could not
be read (its FILEHOSO is bad base64, not UTF-8 XML, or has the wrong root: ENV-03), the finding
follows from that error (the table seems missing or empty) and is marked as its consequence."""

DOSSIER_RULES: tuple[DossierRule, ...] = (
    ma_lk_links,
    sequence_numbers,
    totals_match_details,
    table_presence,
    repeated_fields_equal_xml1,
)
