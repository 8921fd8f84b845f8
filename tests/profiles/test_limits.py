"""Bounded work per document: a dossier over MAX_FILEHOSO, a table over MAX_RECORDS, a document over
MAX_TAGS, or a check-in over MAX_RECORDS is refused with one violation naming the limit, the same
on the fast path (both scanners) and the detailed path; a document at each limit is read."""

from __future__ import annotations

import base64
import re
from collections.abc import Callable

import pytest

from lienthong.profiles import xml130
from lienthong.profiles.samples import sample_tables
from lienthong.profiles.validation import Violation, document_limit, validate_checkin, validate_dossier
from lienthong.profiles.validator.limits import MAX_FILEHOSO, MAX_RECORDS, MAX_TAGS, count_over
from lienthong.simulators.xml130 import checkin_xml, envelope, table_xml

pytestmark = pytest.mark.usefixtures("scanner")


def _judged(data: bytes) -> list[Violation]:
    fast = validate_dossier(data)
    detailed = validate_dossier(data, fast=False)
    assert fast == detailed
    return fast[1]


def _filehoso(kind: str, document: bytes) -> bytes:
    content = base64.b64encode(document)
    return (
        b"<FILEHOSO><LOAIHOSO>"
        + kind.encode()
        + b"</LOAIHOSO><NOIDUNGFILE>"
        + content
        + b"</NOIDUNGFILE></FILEHOSO>"
    )


def _with_files(clean: bytes, extra: bytes) -> bytes:
    return clean.replace(b"</HOSO>", extra + b"</HOSO>", 1)


def test_a_dossier_over_max_filehoso_is_refused_naming_the_limit(to_dossier: Callable[..., bytes]) -> None:
    clean = to_dossier(sample_tables(3))
    present = clean.count(b"<FILEHOSO>")
    empty = _filehoso("XML8", b"")
    at_limit = _with_files(clean, empty * (MAX_FILEHOSO - present))
    assert not [v for v in _judged(at_limit) if "MAX_FILEHOSO" in v.rule]
    over = _with_files(clean, empty * (MAX_FILEHOSO - present + 1))
    problems = _judged(over)
    assert [(v.requirement, v.field, v.value) for v in problems] == [
        ("ENV-01", "FILEHOSO", str(MAX_FILEHOSO + 1))
    ]
    assert f"more than the {MAX_FILEHOSO}" in problems[0].rule
    assert "MAX_FILEHOSO" in problems[0].rule


def _dossier(tables: dict[str, list[dict[str, str]]], **replaced: bytes) -> bytes:
    documents = {kind: table_xml(kind, rows) for kind, rows in tables.items()} | replaced
    return envelope(tables["XML1"][0]["MA_CSKCB"], "20250310", documents)


def test_a_table_over_max_records_is_refused_naming_the_limit() -> None:
    tables = sample_tables(4)
    record = b"<CHI_TIET_THUOC><MA_LK>" + tables["XML1"][0]["MA_LK"].encode() + b"</MA_LK></CHI_TIET_THUOC>"
    drugs = b"<CHITIEU_CHITIET_THUOC><DSACH_CHI_TIET_THUOC>%s</DSACH_CHI_TIET_THUOC></CHITIEU_CHITIET_THUOC>"
    # At the limit the table is read (validating 20,000 records is too slow for this tier: the count).
    assert count_over(drugs % (record * MAX_RECORDS), b"<CHI_TIET_THUOC", MAX_RECORDS) is None
    problems = _judged(_dossier(tables, XML2=drugs % (record * (MAX_RECORDS + 1))))
    limited = [v for v in problems if "MAX_RECORDS" in v.rule]
    assert [(v.requirement, v.table, v.field, v.value) for v in limited] == [
        ("ENV-03", "XML2", "CHI_TIET_THUOC", str(MAX_RECORDS + 1))
    ]


def test_a_table_over_max_tags_is_refused_naming_the_limit() -> None:
    tables = sample_tables(5)
    bloated = table_xml("XML1", tables["XML1"]).replace(b"</TONG_HOP>", b"<X/>" * MAX_TAGS + b"</TONG_HOP>")
    problems = _judged(_dossier(tables, XML1=bloated))
    limited = [v for v in problems if "MAX_TAGS" in v.rule]
    assert [(v.requirement, v.table, v.field) for v in limited] == [("ENV-03", "XML1", "(document)")]


def test_a_checkin_over_max_records_is_refused_naming_the_limit() -> None:
    document = checkin_xml([{"MA_LK": "LK1", "STT": "1"}])
    tag = xml130.CHECKIN_RECORD.encode()
    one = re.search(rb"<" + tag + rb">.*?</" + tag + rb">", document, flags=re.S)
    assert one is not None
    flood = document.replace(one.group(0), one.group(0) * (MAX_RECORDS + 1), 1)
    _, problems = validate_checkin(flood)
    assert [(v.requirement, v.field, v.value) for v in problems] == [
        ("XML0-01", xml130.CHECKIN_RECORD, str(MAX_RECORDS + 1))
    ]
    assert "MAX_RECORDS" in problems[0].rule


def test_counting_skips_what_is_too_short_to_be_over() -> None:
    assert count_over(b"<a>" * 10, b"<", 10) is None
    assert count_over(b"<a>" * 11, b"<", 10) == 11
    assert count_over(b"<" * 100, b"<", 10, smallest=50) is None  # 100 bytes cannot hold 11 of 50
    assert document_limit(b"<FILEHOSO>" * (MAX_FILEHOSO + 1), "dossier") is not None
    assert document_limit(b"<FILEHOSO>" * MAX_FILEHOSO, "dossier") is None
