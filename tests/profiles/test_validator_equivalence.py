"""The fast path of the validator gives exactly the detailed path's answer.

``validate_dossier`` reads inner tables with a scanner and checks fields with rules compiled from
the plans (the C extension of :mod:`lienthong.profiles.validator.native`, or the patterns of
:mod:`lienthong.profiles.validator.grammar`); ``fast=False`` reads every table with lxml and every
field through the plan. Both must return the same dossier and the same violations, in the same
order, on clean, mutated and fuzzed dossiers. Every test runs with the compiled scanner and with
the pure-Python one (the ``scanner`` fixture).
"""

from __future__ import annotations

import base64
import binascii
import random
import re
from collections.abc import Callable
from functools import cache

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from lienthong.profiles.mutations import MUTATIONS, apply
from lienthong.profiles.samples import sample_checkin, sample_tables
from lienthong.profiles.tables import VERSIONS, tables
from lienthong.profiles.validation import (
    _b64decode,
    _scan_checkin,
    document_limit,
    validate_checkin,
    validate_dossier,
)
from lienthong.profiles.validator.envelope import scan_envelope
from lienthong.profiles.validator.fields import check_fields, plan
from lienthong.profiles.validator.formats import valid_date8
from lienthong.profiles.validator.grammar import record_grammar, value_pattern
from lienthong.simulators.pki import shared_authority, sign_document
from lienthong.simulators.xml130 import checkin_xml, envelope, table_xml
from tests.profiles.conftest import dossier_bytes

pytestmark = pytest.mark.usefixtures("scanner")

SHAPES: list[dict[str, object]] = [
    {},
    {"kind": "01", "referral": False, "appointment": False},
    {"kind": "03", "referral": True, "appointment": True},
]


def _same(data: bytes, version: str) -> None:
    fast = validate_dossier(data, version)
    detailed = validate_dossier(data, version, fast=False)
    assert fast[0] == detailed[0]
    assert [v.message() for v in fast[1]] == [v.message() for v in detailed[1]]
    assert fast[1] == detailed[1]


@pytest.mark.parametrize("version", VERSIONS)
def test_clean_samples_agree(version: str, to_dossier: Callable[..., bytes]) -> None:
    for seed in range(40):
        data = to_dossier(sample_tables(seed, version=version, **SHAPES[seed % 3]))  # type: ignore[arg-type]
        for judged in (version, "auto", "qd3176"):
            _same(data, judged)


@pytest.mark.parametrize("req", sorted(MUTATIONS))
def test_mutated_samples_agree(req: str, to_dossier: Callable[..., bytes]) -> None:
    for seed in range(6):
        for shape in SHAPES:
            mutated = apply(sample_tables(seed, **shape), req)  # type: ignore[arg-type]
            if mutated is not None:
                data = to_dossier(mutated)
                _same(data, "qd3176")
                _same(data, "auto")


_PIECES = [
    "<",
    ">",
    "&",
    "&amp;",
    "&lt;",
    "&#65;",
    "&nbsp;",
    "]]>",
    "\r",
    "\r\n",
    "\n",
    " ",
    "\t",
    "\x00",
    "\x0b",
    "\ufeff",
    "\ufffe",
    "\xa0",
    "\u2003",
    "/>",
    "<X/>",
    "<X />",
    "<!-- c -->",
    "<![CDATA[x]]>",
    "<?pi x?>",
    ' a="1"',
    "<STT>",
    "</STT>",
    "<GHI_CHU>x</GHI_CHU>",
    "<CHI_TIET_THUOC>",
    "</CHI_TIET_THUOC>",
    "٣",
    "Đức",
    "0",
    "9",
    "-",
    ".",
    ";",
    "A",
    "z",
]


def _fuzzed(seed: int, edits: list[tuple[int, int, int]]) -> bytes:
    """A sample dossier whose inner documents were edited at byte positions (insert, delete or
    replace with a piece of XML-significant text)."""
    tables_ = sample_tables(seed, **SHAPES[seed % 3])  # type: ignore[arg-type]
    docs = {kind: table_xml(kind, rows) for kind, rows in tables_.items()}
    kinds = sorted(docs)
    for which, at, piece in edits:
        kind = kinds[which % len(kinds)]
        text = docs[kind].decode("utf-8")
        pos = at % (len(text) + 1)
        replacement = _PIECES[piece % len(_PIECES)]
        op = piece % 3
        if op == 0:
            text = text[:pos] + replacement + text[pos:]
        elif op == 1:
            text = text[:pos] + text[pos + 1 + piece % 7 :]
        else:
            text = text[:pos] + replacement + text[pos + len(replacement) :]
        docs[kind] = text.encode("utf-8")
    return envelope(tables_["XML1"][0]["MA_CSKCB"], "20250310", docs)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 200),
    edits=st.lists(
        st.tuples(st.integers(0, 20), st.integers(0, 4000), st.integers(0, 10_000)), min_size=1, max_size=4
    ),
)
def test_fuzzed_documents_agree(seed: int, edits: list[tuple[int, int, int]]) -> None:
    data = _fuzzed(seed, edits)
    _same(data, "qd3176")
    _same(data, "auto")


def test_fuzzing_reaches_both_readers() -> None:
    """The fuzzed corpus exercises the scanner's refusals and its acceptances."""
    rng = random.Random(7)
    outcomes = set()
    for seed in range(60):
        edits = [(rng.randrange(20), rng.randrange(4000), rng.randrange(10_000))]
        problems = validate_dossier(_fuzzed(seed, edits), "qd3176")[1]
        outcomes.add(bool(problems))
    assert outcomes == {True, False}


_VALUES = st.one_of(
    st.text(alphabet="0123456789", min_size=0, max_size=16),
    st.text(alphabet="0123456789.-;", min_size=1, max_size=16),
    st.text(alphabet="0123456789ABCDGHKNPQSTVXYZ.;/()_-", min_size=1, max_size=20),
    st.text(alphabet=st.characters(codec="utf-8", exclude_characters="<&\r"), min_size=1, max_size=12),
    st.sampled_from(["20250229", "20240229", "20000229", "19000229", "202503121130", "20250312", "J18.9"]),
)


@settings(max_examples=400, deadline=None)
@given(value=_VALUES, pick=st.integers(0, 10_000))
def test_a_value_the_grammar_accepts_the_plan_accepts(value: str, pick: int) -> None:
    """One-sidedness field by field: a non-empty value matching its field's pattern draws no
    problem from the plan's detailed check of that field."""
    version = VERSIONS[pick % len(VERSIONS)]
    kinds = tables(version)
    kind = kinds[pick % len(kinds)]
    p = plan(kind, version)
    names = list(p.fields)
    name = names[pick % len(names)]
    fp = p.fields[name]
    pattern, post = value_pattern(fp)
    if not value or re.fullmatch(pattern, value) is None:
        return
    found: list[tuple[str, str, str, str, int]] = []
    check_fields(p, {name: value}, 1, found)
    on_field = [f for f in found if f[1] == name]
    if post:  # the grammar runs the plan's checker on these after the match
        assert fp.check is not None
        on_field = on_field if fp.check(value) is None else []
    assert on_field == [], (version, kind, name, value, pattern)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="0123456789", min_size=8, max_size=8))
def test_the_date_pattern_is_the_calendar(value: str) -> None:
    fp = plan("XML3", "qd3176").fields["NGAY_KQ"]
    assert fp.format == "datetime12"
    pattern, _ = value_pattern(fp)
    assert (re.fullmatch(pattern, value + "1200") is not None) == valid_date8(value)


def test_records_read_in_any_field_order_with_entities_and_empty_elements(
    to_dossier: Callable[..., bytes],
) -> None:
    """The scanner and the grammar read a record however its fields are ordered, with the
    predefined entities and ``<X/>``, as lxml does."""
    grammar = record_grammar("XML4", "qd3176")
    row = dict(sample_tables(1, kind="01")["XML4"][0], GIA_TRI="5 < 6 & 7")
    escaped = {k: v.replace("&", "&amp;").replace("<", "&lt;") for k, v in row.items()}
    text = "\n".join(f"<{k}>{v}</{k}>" for k, v in reversed(escaped.items())) + "<DU_PHONG/>"
    assert grammar.read(text) == {**dict(reversed(row.items())), "DU_PHONG": ""}
    tables_ = sample_tables(1, kind="01")
    tables_["XML4"] = [dict(reversed(r.items())) | {"GIA_TRI": "5 < 6 & 7"} for r in tables_["XML4"]]
    _same(to_dossier(tables_), "qd3176")


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="ABCabc012+/= \n!-_", max_size=24))
def test_strict_base64_accepts_no_more_than_validate(text: str) -> None:
    try:
        expected: bytes | None = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        expected = None
    try:
        got: bytes | None = _b64decode(text)
    except (binascii.Error, ValueError):
        got = None
    assert got == expected


# The envelope: read by the scanner (validator.envelope) on the fast path, by lxml on the detailed one.


@cache
def _signed_sample() -> bytes:
    key = shared_authority().issue("Phong kham 01001")
    return sign_document(dossier_bytes(sample_tables(3, kind="01")), key)


def test_the_envelope_scanner_reads_plain_and_signed_dossiers() -> None:
    plain = dossier_bytes(sample_tables(2, kind="01"))
    for data in (plain, _signed_sample()):
        scanned = scan_envelope(data)
        assert scanned is not None
        root = etree.fromstring(data)
        assert scanned.facility == root.findtext("THONGTINDONVI/MACSKCB")
        files = root.findall("THONGTINHOSO/DANHSACHHOSO/HOSO/FILEHOSO")
        assert [(k, c.decode()) for k, c in scanned.files] == [
            (f.findtext("LOAIHOSO"), f.findtext("NOIDUNGFILE")) for f in files
        ]
        _same(data, "qd3176")


_ENVELOPE_PIECES = [
    *_PIECES,
    "<CHUKYDONVI/>",
    "</CHUKYDONVI>",
    "<HOSO>",
    "</HOSO>",
    "<FILEHOSO>",
    "</FILEHOSO>",
    "<LOAIHOSO>XML2</LOAIHOSO>",
    "<NOIDUNGFILE>",
    "=",
    "==",
    "QQ==",
    "<?xml version='1.0'?>",
    "<!DOCTYPE GIAMDINHHS>",
    "<ds:X/>",
    "\ufeff",
    "<?xml version='1.0' encoding='windows-1258'?>",
    '<?xml version="1.0" encoding="UTF-16"?>',
    '<?xml version="1.0" encoding="Utf-8"?>',
]


def edit_near_markup(data: bytes, edits: list[tuple[int, int, int]]) -> bytes:
    """``data`` with each edit (which mark, offset, piece) applied next to a ``<`` or ``>``: a piece
    of :data:`_ENVELOPE_PIECES` inserted, a few bytes deleted, or bytes overwritten."""
    out = bytearray(data)
    for which, offset, piece in edits:
        marks = [m.start() for m in re.finditer(rb"[<>]", out)]
        pos = max(0, min(len(out), marks[which % len(marks)] + offset))
        replacement = _ENVELOPE_PIECES[piece % len(_ENVELOPE_PIECES)].encode("utf-8")
        op = piece % 3
        if op == 0:
            out[pos:pos] = replacement
        elif op == 1:
            del out[pos : pos + 1 + piece % 7]
        else:
            out[pos : pos + len(replacement)] = replacement
    return bytes(out)


@pytest.mark.parametrize(
    "content", [b"AB]]>CD", b"<X>AB</X>", b"<X>", b"&bogus;", b"A&amp;B", b"\xff\xfe", b"A\x0bB"]
)
def test_a_file_of_an_unknown_kind_is_read_alike(content: bytes) -> None:
    """The envelope readers leave the content of a FILEHOSO whose LOAIHOSO is unknown undecoded:
    text that could make the document ill-formed (``]]>`` once slipped through: lxml refuses it,
    the readers answered ENV-02) goes to lxml."""
    data = dossier_bytes(sample_tables(4, kind="01"))
    start = data.index(b"<LOAIHOSO>XML2</LOAIHOSO>")
    body_start = data.index(b"<NOIDUNGFILE>", start) + len(b"<NOIDUNGFILE>")
    body_end = data.index(b"</NOIDUNGFILE>", body_start)
    edited = (
        data[:start] + b"<LOAIHOSO>XM</LOAIHOSO>" + data[start + 25 : body_start] + content + data[body_end:]
    )
    _same(edited, "qd3176")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    signed=st.booleans(),
    edits=st.lists(
        st.tuples(st.integers(0, 10_000), st.integers(-3, 3), st.integers(0, 10_000)), min_size=1, max_size=3
    ),
)
def test_fuzzed_envelopes_agree(signed: bool, edits: list[tuple[int, int, int]]) -> None:
    """Edits near the envelope's markup (and anywhere in a signed one's signature) leave the
    scanner and lxml with the same answer."""
    original = _signed_sample() if signed else dossier_bytes(sample_tables(4, kind="01"))
    _same(edit_near_markup(original, edits), "qd3176")


_DECLARATIONS = [
    b'<?xml version="1.0" encoding="utf-8"?>',
    b'<?xml version="1.0" encoding="UTF-8"?>',
    b"<?xml version='1.0' encoding='Utf-8' standalone='yes'?>",
    b'<?xml version="1.0" encoding="windows-1258"?>',
    b'<?xml version="1.0" encoding="UTF8"?>',
    b'<?xml version="1.0"?>',
    b"",
]


@pytest.mark.parametrize("bom", [b"", b"\xef\xbb\xbf"], ids=["no-bom", "utf8-bom"])
@pytest.mark.parametrize("declaration", _DECLARATIONS)
def test_encodings_are_judged_alike(bom: bytes, declaration: bytes) -> None:
    """Every declaration, with or without the UTF-8 byte order mark, in the envelope and in a
    table, and the UTF-16 forms of both: the scanners and lxml give one answer (ENV-01/ENV-03)."""
    tables_ = sample_tables(5)
    docs = {kind: table_xml(kind, rows) for kind, rows in tables_.items()}
    head = re.compile(rb"^<\?xml[^>]*\?>")
    docs["XML1"] = bom + head.sub(declaration, docs["XML1"])
    _same(envelope(tables_["XML1"][0]["MA_CSKCB"], "20250310", docs), "qd3176")
    data = bom + head.sub(declaration, dossier_bytes(tables_))
    assert data.startswith(bom + declaration)
    _same(data, "qd3176")
    refused = b"1258" in declaration or b"UTF8" in declaration
    assert bool(validate_dossier(data, "qd3176")[1]) is refused
    for codec in ("utf-16", "utf-16-be"):
        _same(data.decode("utf-8-sig").encode(codec), "qd3176")


# Check-ins: on the fast path the XML0 records are read by the record scanner (the signature
# element cut out, validation._scan_checkin) and a record keeping every field rule skips the plan;
# fast=False parses with lxml and runs the plan on every record.


def _same_checkin(data: bytes, version: str) -> bool:
    """Both paths give the same records (fields in the same order) and violations; whether the
    fast path read ``data`` with the scanner."""
    fast = validate_checkin(data, version)
    detailed = validate_checkin(data, version, fast=False)
    assert fast[0] == detailed[0]
    assert [list(r) for r in fast[0]] == [list(r) for r in detailed[0]]
    assert [v.message() for v in fast[1]] == [v.message() for v in detailed[1]]
    assert fast[1] == detailed[1]
    return document_limit(data, "checkin") is None and _scan_checkin(data, "qd3176") is not None


_CHECKIN_VALUES = [
    "",
    "x" * 300,
    "20250229",
    "202502291230",
    "202503122400",
    "9" * 13,
    "-1",
    "1.5",
    "٣",
    "Nguyễn Văn Đức",
    " 01001",
    "01001 ",
    "a &amp; b",
    "2;3",
    "ZZ",
    "001203729633",
    "DN4015698091148",
]


def broken_checkins(seeds: int = 12) -> list[tuple[str, bytes]]:
    """A seeded set of broken check-ins, with what broke them: the profile's mutations applied to
    the check-in record as to an XML1 summary (those that apply: most are XML1 field rules the
    check-in shares), one field given an edge value, the record repeated with a wrong STT."""
    rng = random.Random(4750)
    out: list[tuple[str, bytes]] = []
    for seed in range(seeds):
        record = sample_checkin(seed)[0]
        for req in sorted(MUTATIONS):
            try:
                mutated = apply({"XML1": [dict(record)]}, req)
            except (KeyError, IndexError, ArithmeticError, ValueError, TypeError):
                continue  # a mutation of another table
            if mutated is not None:
                out.append((req, checkin_xml(mutated["XML1"])))
        for _ in range(6):
            name = rng.choice(sorted(record))
            value = rng.choice(_CHECKIN_VALUES)
            out.append((f"{name}={value!r}", checkin_xml([{**record, name: value}])))
        second = {**record, "STT": rng.choice(["1", "3", ""])}
        out.append(("STT", checkin_xml([record, second])))
    return out


@pytest.mark.parametrize("version", VERSIONS)
def test_clean_checkins_agree_and_are_scanned(version: str) -> None:
    for seed in range(20):
        data = checkin_xml(sample_checkin(seed, version=version))
        for judged in (version, "auto", "qd3176"):
            assert _same_checkin(data, judged)
        assert validate_checkin(data, version)[1] == []


def test_broken_checkins_agree() -> None:
    """The fast path and lxml give the same violations on the seeded broken check-ins, most of
    which the fast path reads (so it, not lxml, found their violations)."""
    broken = broken_checkins()
    scanned_with_violations = 0
    requirements: set[str] = set()
    for _, data in broken:
        for judged in ("qd3176", "auto", "qd130"):
            scanned = _same_checkin(data, judged)
        problems = validate_checkin(data, "qd3176")[1]
        requirements.update(v.requirement for v in problems)
        scanned_with_violations += scanned and bool(problems)
    assert len(broken) > 200
    assert scanned_with_violations > len(broken) // 2
    assert len(requirements) >= 8, requirements


@cache
def _signed_checkin() -> bytes:
    key = shared_authority().issue("Phong kham 01001")
    return sign_document(checkin_xml(sample_checkin(5)), key)


def test_a_signed_checkin_is_scanned() -> None:
    assert _same_checkin(_signed_checkin(), "qd3176")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    signed=st.booleans(),
    seed=st.integers(0, 40),
    edits=st.lists(
        st.tuples(st.integers(0, 10_000), st.integers(-3, 3), st.integers(0, 10_000)), min_size=1, max_size=3
    ),
)
def test_fuzzed_checkins_agree(signed: bool, seed: int, edits: list[tuple[int, int, int]]) -> None:
    """Edits near a check-in's markup (the root, the list, the records, the signature element and
    a signature's subtree) leave both paths with the same answer."""
    original = _signed_checkin() if signed else checkin_xml(sample_checkin(seed))
    _same_checkin(edit_near_markup(original, edits), "qd3176")
