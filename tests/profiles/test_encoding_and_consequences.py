"""Input as the regulation says: only UTF-8 (ENV-01, ENV-03, XML0-01), the UTF-8 byte order mark
accepted, names compared after NFC, and one root cause counted as one error."""

from __future__ import annotations

import base64
import re
import unicodedata

import pytest

from lienthong.profiles.samples import sample_checkin, sample_tables
from lienthong.profiles.validation import root_causes, validate_checkin, validate_dossier
from lienthong.profiles.validator.encoding import encoding_problem
from lienthong.simulators.xml130 import checkin_xml, table_xml
from tests.profiles.conftest import dossier_bytes

pytestmark = pytest.mark.usefixtures("scanner")


def _as_utf16(document: bytes, codec: str = "utf-16") -> bytes:
    text = document.decode("utf-8").replace('encoding="utf-8"', 'encoding="UTF-16"')
    return text.encode(codec)


def _replace_inner(envelope: bytes, kind: str, inner: bytes) -> bytes:
    """``envelope`` with the NOIDUNGFILE of ``kind`` replaced by the base64 of ``inner``."""
    pattern = re.compile(rb"(<LOAIHOSO>" + kind.encode() + rb"</LOAIHOSO>\s*<NOIDUNGFILE>)[^<]*")
    replaced, count = pattern.subn(lambda m: m.group(1) + base64.b64encode(inner), envelope)
    assert count == 1
    return replaced


@pytest.mark.parametrize("fast", [True, False], ids=["fast", "detailed"])
@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be", "utf-32"])
def test_a_utf16_dossier_is_refused_naming_env01(fast: bool, codec: str) -> None:
    good = dossier_bytes(sample_tables(1))
    assert validate_dossier(good, fast=fast)[1] == []
    dossier, problems = validate_dossier(_as_utf16(good, codec), fast=fast)
    assert dossier is None
    assert [(p.requirement, p.field) for p in problems] == [("ENV-01", "(document)")]
    assert "UTF-8" in problems[0].rule


@pytest.mark.parametrize("fast", [True, False], ids=["fast", "detailed"])
def test_a_utf16_inner_table_is_refused_naming_env03(fast: bool) -> None:
    tables = sample_tables(2)
    data = _replace_inner(dossier_bytes(tables), "XML2", _as_utf16(table_xml("XML2", tables["XML2"])))
    _, problems = validate_dossier(data, fast=fast)
    assert [(p.requirement, p.table, p.field) for p in root_causes(problems)] == [
        ("ENV-03", "XML2", "(document)")
    ]
    assert "UTF-16" in problems[0].rule


@pytest.mark.parametrize("fast", [True, False], ids=["fast", "detailed"])
@pytest.mark.parametrize("declared", ["windows-1258", "ISO-8859-1", "UTF8", "utf-16"])
def test_another_declared_encoding_is_refused(fast: bool, declared: str) -> None:
    good = dossier_bytes(sample_tables(3))
    data = good.replace(b'encoding="utf-8"', f'encoding="{declared}"'.encode(), 1)
    assert data != good
    _, problems = validate_dossier(data, fast=fast)
    assert [p.requirement for p in problems] == ["ENV-01"]
    assert declared in problems[0].rule
    tables = sample_tables(3)
    inner = table_xml("XML1", tables["XML1"]).replace(b'encoding="utf-8"', f'encoding="{declared}"'.encode())
    _, problems = validate_dossier(_replace_inner(good, "XML1", inner), fast=fast)
    assert [(p.requirement, p.table) for p in root_causes(problems)] == [("ENV-03", "XML1")]


@pytest.mark.parametrize("fast", [True, False], ids=["fast", "detailed"])
def test_a_utf8_byte_order_mark_is_accepted_without_a_warning(fast: bool) -> None:
    tables = sample_tables(4)
    good = dossier_bytes(tables)
    inner = b"\xef\xbb\xbf" + table_xml("XML1", tables["XML1"])
    data = b"\xef\xbb\xbf" + _replace_inner(good, "XML1", inner)
    assert validate_dossier(data, fast=fast)[1] == []
    assert validate_dossier(good.replace(b'encoding="utf-8"', b'encoding="UTF-8"'), fast=fast)[1] == []


def test_a_utf16_checkin_is_refused() -> None:
    good = checkin_xml(sample_checkin(5))
    assert validate_checkin(good)[1] == []
    records, problems = validate_checkin(_as_utf16(good))
    assert records == []
    assert [(p.requirement, p.field) for p in problems] == [("XML0-01", "(document)")]


def test_the_first_bytes_decide() -> None:
    assert encoding_problem(b'<?xml version="1.0" encoding="utf-8"?><A/>') is None
    assert encoding_problem(b"<A/>") is None
    assert encoding_problem(b"\xef\xbb\xbf<A/>") is None
    assert encoding_problem(b"<?xml version='1.0' encoding='windows-1258'?><A/>") is not None
    assert encoding_problem(b"<\x00A\x00/\x00>\x00") is not None
    assert encoding_problem(b"\xfe\xff\x00<") is not None


@pytest.mark.parametrize("fast", [True, False], ids=["fast", "detailed"])
def test_names_are_compared_after_nfc_and_kept_as_sent(fast: bool) -> None:
    # DIA_CHI of XML13 and XML14 is marked =XML1 in the field tables: a Vietnamese text.
    tables = sample_tables(8, referral=True, appointment=True, kind="03")
    address = tables["XML1"][0]["DIA_CHI"]
    decomposed = unicodedata.normalize("NFD", address)
    assert decomposed != address
    for kind in ("XML13", "XML14"):
        assert tables[kind][0]["DIA_CHI"] == address
        tables[kind][0]["DIA_CHI"] = decomposed
    dossier, problems = validate_dossier(dossier_bytes(tables), fast=fast)
    assert [p.message() for p in problems] == []
    assert dossier is not None
    assert dossier.tables["XML13"][0]["DIA_CHI"] == decomposed  # never altered in storage
    tables["XML13"][0]["DIA_CHI"] = decomposed + " A"  # a different text still differs
    _, problems = validate_dossier(dossier_bytes(tables), fast=fast)
    assert {(p.requirement, p.field) for p in problems} == {("XML13-03", "DIA_CHI")}


@pytest.mark.parametrize("fast", [True, False], ids=["fast", "detailed"])
def test_bad_base64_in_xml1_is_one_error_with_its_consequences_marked(fast: bool) -> None:
    good = dossier_bytes(sample_tables(6))
    data = re.sub(rb"(<LOAIHOSO>XML1</LOAIHOSO>\s*<NOIDUNGFILE>)", rb"\1!!", good, count=1)
    _, problems = validate_dossier(data, fast=fast)
    roots = root_causes(problems)
    assert [(p.requirement, p.table, p.field) for p in roots] == [("ENV-03", "XML1", "NOIDUNGFILE")]
    followers = [p for p in problems if p.consequence_of]
    assert followers, "the sample has tables that repeat the MA_LK of XML1"
    assert {p.requirement for p in followers} == {"XML1-07"}
    assert all(p.consequence_of == "ENV-03 XML1" for p in followers)
    assert "(consequence of ENV-03 XML1)" in followers[0].message()


@pytest.mark.parametrize("fast", [True, False], ids=["fast", "detailed"])
def test_an_unreadable_xml3_makes_the_totals_consequences_not_other_errors(fast: bool) -> None:
    tables = sample_tables(7)
    tables["XML2"][0]["MA_LK"] = "SOMETHING-ELSE"  # an independent error stays an error
    data = re.sub(rb"(<LOAIHOSO>XML3</LOAIHOSO>\s*<NOIDUNGFILE>)", rb"\1!!", dossier_bytes(tables), count=1)
    _, problems = validate_dossier(data, fast=fast)
    roots = {(p.requirement, p.table) for p in root_causes(problems)}
    assert ("ENV-03", "XML3") in roots
    assert ("XML1-07", "XML2") in roots
    assert all(p.consequence_of == "ENV-03 XML3" for p in problems if p.consequence_of)
    assert {p.requirement for p in problems if p.consequence_of} <= {
        "XML1-09",
        "XML1-10",
        "XML1-11",
        "PRES-04",
        "PRES-03",
    }
