"""The compiled record scanner against the pure-Python one, record by record.

:mod:`lienthong.profiles.validator.native` must be one-sided like the grammar: on any document
it reads the same records (dicts, texts, versions) as the Python scanner, or declines; a record
it marks as keeping the field rules draws nothing from the plan's detailed check; and it never
marks as failing a record the Python grammar accepts. The documents are sample tables whose
records are mutated as text: values from the edge cases of the formats (29 February, lengths at
and past the maximum, white space, entities, Vietnamese text, digits of other scripts), empty,
``<X/>``, removed, repeated and unknown fields, other field orders and white space. Its envelope
reader must give exactly what :mod:`lienthong.profiles.validator.envelope` reads in Python.
"""

from __future__ import annotations

import re
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lienthong.profiles import xml130
from lienthong.profiles.samples import sample_checkin, sample_tables
from lienthong.profiles.tables import VERSIONS, has_table, table_info
from lienthong.profiles.validator import envelope, native
from lienthong.profiles.validator.fields import check_fields, plan
from lienthong.profiles.validator.formats import FORMATS
from lienthong.profiles.validator.grammar import format_pattern
from lienthong.profiles.validator.scan import Note, Scanned, _scan_python, scan_table
from tests.profiles.conftest import dossier_bytes
from tests.profiles.test_validator_equivalence import _signed_sample, edit_near_markup

pytestmark = pytest.mark.skipif(not native.AVAILABLE, reason="the compiled scanner is not built")

SHAPES: list[dict[str, object]] = [
    {},
    {"kind": "01", "referral": False, "appointment": False},
    {"kind": "03", "referral": True, "appointment": True},
]
VALUES = [
    "20240229",
    "20250229",
    "20000229",
    "19000229",
    "20251231",
    "20250431",
    "20251301",
    "202402291230",
    "202502291230",
    "202503122400",
    "202503122359",
    "200308150000",
    "200300000000",
    "200300001260",
    "20250312;20240229",
    "20250312;",
    "0",
    "-1",
    "-0.5",
    "1.5",
    "1.25",
    "1.234",
    "1.",
    ".5",
    "1e3",
    "12345678901234567890",
    "٣",
    "01001",
    "1.1",
    "K01",
    "J18.9",
    "J18.9;E11.9",
    "Z99.99",
    "001203729633",
    "DN4015698091148",
    "058916/BYT-GPHN",
    "G1",
    "000",
    "Nguyễn Văn Đức",
    "Số 1 phố Tràng Tiền, Phường Hoàn Kiếm",
    "𝔘𝔫𝔦",
    " x",
    "x ",
    "\xa0x",
    "x\u2003",
    "a\tb",
    "a\nb",
    "a\rb",
    "\x0b",
    "\ufffe",
    "&amp;",
    "a &lt; b &gt; c",
    "&quot;&apos;",
    "&#65;",
    "&nbsp;",
    "a>b",
]
GAPS = ["", "\n", "\r\n      ", "\t", " "]


def _document(kind: str, records: list[list[tuple[str, str]]], gap: str) -> bytes:
    """An inner document written as text (values as given: they may hold markup)."""
    info = table_info()[kind]

    def fields(record: list[tuple[str, str]]) -> str:
        return "".join(f"{gap}<{tag}{text}" for tag, text in record) + gap

    if info.list_tag:
        body = "".join(f"{gap}<{info.record_tag}>{fields(r)}</{info.record_tag}>" for r in records)
        inner = f"<{info.list_tag}>{body}{gap}</{info.list_tag}>{gap}"
    else:
        inner = fields(records[0])
    return f'<?xml version="1.0" encoding="utf-8"?>\n<{info.root}>{inner}</{info.root}>\n'.encode()


def _escape(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _mutate(record: list[tuple[str, str]], op: int, pick: int, arg: int) -> None:
    """Edit one field of ``record``: each item is (tag, the text after ``<tag``)."""
    if not record:
        return
    at = pick % len(record)
    tag, text = record[at]
    value = text[1 : -len(tag) - 3] if text.startswith(">") else ""
    if op == 0:
        record[at] = (tag, f">{VALUES[arg % len(VALUES)]}</{tag}>")
    elif op == 1 and value:
        i = arg % len(value)
        record[at] = (tag, f">{value[:i]}{'0123456789A.-'[arg % 13]}{value[i + 1 :]}</{tag}>")
    elif op == 2:
        longer = value * (1 + arg % 4) if value else "9" * (1 + arg % 40)
        record[at] = (tag, f">{longer[: max(1, arg % 300)]}</{tag}>")
    elif op == 3:
        record[at] = (tag, ["></" + tag + ">", "/>", " />", "\t/>"][arg % 4])
    elif op == 4:
        del record[at]
    elif op == 5:
        record.insert(arg % (len(record) + 1), (tag, text))
    elif op == 6:
        unknown = ["ZZZ", "MA_LK2", "DU_PHONG_X", "TONG_HOP", "CHI_TIET_THUOC", "X"][arg % 6]
        record.insert(arg % (len(record) + 1), (unknown, f">1</{unknown}>"))
    elif op == 7:
        record.append(record.pop(at))
    elif op == 8:
        record[at] = (tag, f">{value[: arg % (len(value) + 1)]}</{tag}>")


def _agree(compiled: Scanned | None, python: Scanned | None, kind: str, version: str) -> str:
    """Assert the one-sidedness; say which reader answered."""
    assert (compiled is None) == (python is None)
    if compiled is None or python is None:
        return "declined"
    assert compiled[0] == python[0]
    assert [list(r) for r in compiled[0]] == [list(r) for r in python[0]]  # the same field order
    for index, (c, p, record) in enumerate(zip(compiled[1], python[1], compiled[0], strict=True), start=1):
        assert (c.text, c.version) == (p.text, p.version)
        assert c.passed >= p.passed
        if c.passed:
            found: list[tuple[str, str, str, str, int]] = []
            check_fields(plan(kind, version), record, index, found)
            assert found == [], (c.text, found)
    return "accepted" if all(n.passed for n in compiled[1]) else "mixed"


def _compare(data: bytes, kind: str, version: str) -> str:
    saved = native.COMPILED
    native.COMPILED = True
    try:
        compiled = scan_table(kind, data, version)
    finally:
        native.COMPILED = saved
    return _agree(compiled, _scan_python(kind, data, version), kind, version)


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 80),
    which=st.integers(0, 20),
    judged=st.sampled_from(VERSIONS),
    gap=st.sampled_from(GAPS),
    edits=st.lists(st.tuples(st.integers(0, 8), st.integers(0, 200), st.integers(0, 10_000)), max_size=4),
)
def test_mutated_records_agree(
    seed: int, which: int, judged: str, gap: str, edits: list[tuple[int, int, int]]
) -> None:
    version = VERSIONS[seed % len(VERSIONS)]
    tables = sample_tables(seed, version=version, **SHAPES[seed % 3])  # type: ignore[arg-type]
    kinds = sorted(k for k in tables if has_table(k, judged))
    kind = kinds[which % len(kinds)]
    records = [[(tag, f">{_escape(v)}</{tag}>") for tag, v in row.items()] for row in tables[kind]]
    for op, pick, arg in edits:
        _mutate(records[arg % len(records)], op, pick, arg)
    _compare(_document(kind, records, gap), kind, judged)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 80),
    judged=st.sampled_from(VERSIONS),
    gap=st.sampled_from(GAPS),
    twice=st.booleans(),
    edits=st.lists(st.tuples(st.integers(0, 8), st.integers(0, 200), st.integers(0, 10_000)), max_size=4),
)
def test_mutated_checkin_records_agree(
    seed: int, judged: str, gap: str, twice: bool, edits: list[tuple[int, int, int]]
) -> None:
    """The check-in's XML0 table (read by the scanner on ``validate_checkin``'s fast path) with
    its records mutated as text, like the dossier tables above."""
    rows = sample_checkin(seed, version=VERSIONS[seed % len(VERSIONS)]) * (2 if twice else 1)
    records = [[(tag, f">{_escape(v)}</{tag}>") for tag, v in row.items()] for row in rows]
    for op, pick, arg in edits:
        _mutate(records[arg % len(records)], op, pick, arg)
    _compare(_document("XML0", records, gap), "XML0", judged)


BYTES = [
    b"\xff",  # never in UTF-8
    b"\xc3",  # a sequence cut short
    b"\xc0\xaf",  # overlong
    b"\xed\xa0\x80",  # a surrogate
    b"\xf4\x90\x80\x80",  # beyond U+10FFFF
    b"\xef\xbf\xbe",  # U+FFFE
    b"\xef\xbf\xbf",  # U+FFFF
    b"\xef\xbb\xbf",  # U+FEFF
    b"\xc2\xa0",  # no-break space
    b"\xe3\x80\x80",  # ideographic space
    b"\xc2\x85",  # NEL
    "Đức".encode(),
    "ễ".encode() * 3,
    "𝔘".encode(),
    b"<",
    b"\r",
]


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 80),
    which=st.integers(0, 20),
    edits=st.lists(
        st.tuples(st.integers(0, 100_000), st.integers(-2, 2), st.integers(0, 1_000)), min_size=1, max_size=3
    ),
)
def test_byte_edits_agree(seed: int, which: int, edits: list[tuple[int, int, int]]) -> None:
    """The compiled scanner reads the document's bytes and decodes only what it keeps; the Python
    scanner decodes the whole document first. Bytes that are not UTF-8, non-characters, a BOM,
    Unicode white space and multi-byte letters written into values, tags, the gaps between records
    and the tail: both read alike or both decline."""
    tables = sample_tables(seed, **SHAPES[seed % 3])  # type: ignore[arg-type]
    kinds = sorted(k for k in tables if has_table(k, "qd3176"))
    kind = kinds[which % len(kinds)]
    records = [[(tag, f">{_escape(v)}</{tag}>") for tag, v in row.items()] for row in tables[kind]]
    out = bytearray(_document(kind, records, GAPS[seed % len(GAPS)]))
    for where, shift, piece in edits:
        pos = max(0, min(len(out), where % (len(out) + 1) + shift))
        chunk = BYTES[piece % len(BYTES)]
        if piece % 2:
            out[pos:pos] = chunk
        else:
            out[pos : pos + len(chunk)] = chunk
    _compare(bytes(out), kind, "qd3176")


@pytest.mark.parametrize(
    ("value", "accepted"),
    [
        ("ễ" * 255, True),  # HO_TEN is 255 characters: 765 bytes
        ("ễ" * 256, False),
        ("\u3000Nguyễn", False),
        ("Nguyễn\xa0", False),
        ("Nguyễn Văn 𝔘", True),
    ],
)
def test_lengths_are_characters_and_white_space_is_unicode(value: str, accepted: bool) -> None:
    tables = sample_tables(1, version="qd3176", kind="01")
    row = dict(tables["XML1"][0], HO_TEN=value)
    data = _document("XML1", [[(tag, f">{_escape(v)}</{tag}>") for tag, v in row.items()]], "")
    scanned = native.scan(native.table_spec("XML1", "qd3176", Note), data)
    assert scanned is not None
    assert (scanned[0][0] is not None) is accepted
    outcomes = {"accepted"} if accepted else {"mixed", "declined"}  # the grammar may decline too
    assert _compare(data, "XML1", "qd3176") in outcomes
    assert _compare(b"\xef\xbb\xbf" + data, "XML1", "qd3176") in outcomes


_UTF8_EDGES = [b"\xc2\x80", b"\xdf\xbf", b"\xe0\xa0\x80", b"\xef\xbf\xbd", b"\xed\x9f\xbf", b"\xee\x80\x80"]
"""Valid sequences at the edges of the 2- and 3-byte forms (around the surrogates)."""
_UTF8_BAD = [
    *(b"\xc0\x80", b"\xc1\xbf", b"\xe0\x9f\xbf", b"\xed\xa0\x80", b"\xed\xbf\xbf", b"\xf0\x9f\x98\x80"),
    *(b"\xf4\x90\x80\x80", b"\x80", b"\xbf", b"\xe1\xba", b"\xc3", b"\xff", b"\xfe"),
]
"""Overlong forms, surrogates, 4-byte forms (valid and past U+10FFFF), stray and cut sequences."""


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.sampled_from(_UTF8_EDGES + _UTF8_BAD + [b"a", b" ", "\u1ec7".encode(), "\xe9".encode()])
        | st.text(max_size=3).map(lambda t: t.encode("utf-8", "surrogatepass")),
        max_size=8,
    )
)
def test_a_value_s_bytes_read_as_the_strict_decoder_reads_them(parts: list[bytes]) -> None:
    """The scanner's own reading of 2- and 3-byte UTF-8 gives the decoder's str (same characters,
    same width) or leaves the document to it."""
    raw = b"".join(parts)
    tables = sample_tables(1, version="qd3176", kind="01")
    row = dict(tables["XML1"][0], HO_TEN="@")
    data = _document("XML1", [[(tag, f">{v}</{tag}>") for tag, v in row.items()]], "")
    data = data.replace(b">@<", b">" + raw + b"<")
    scanned = native.scan(native.table_spec("XML1", "qd3176", Note), data)
    try:
        expected = raw.decode("utf-8")
    except UnicodeDecodeError:
        assert scanned is None
        return
    if scanned is not None and scanned[0][0] is not None:
        value = scanned[0][0]["HO_TEN"]
        assert value == expected
        assert sys.getsizeof(value) == sys.getsizeof(expected)  # the same width: 1, 2 or 4 bytes a character
    _compare(data, "XML1", "qd3176")


def test_the_mutations_reach_every_outcome() -> None:
    """The corpus above makes the compiled scanner accept, decline records and decline
    documents."""
    outcomes = set()
    for seed in range(40):
        tables = sample_tables(seed, **SHAPES[seed % 3])  # type: ignore[arg-type]
        for at, kind in enumerate(sorted(tables)):
            records = [[(tag, f">{_escape(v)}</{tag}>") for tag, v in row.items()] for row in tables[kind]]
            if seed % 4:
                _mutate(records[0], seed % 9, at * 7 + seed, seed * 31 + at)
            outcomes.add(_compare(_document(kind, records, GAPS[seed % 5]), kind, "qd3176"))
    assert outcomes == {"accepted", "mixed", "declined"}


def test_clean_samples_are_read_in_c() -> None:
    """Every record of the sample tables is accepted by the compiled scanner itself."""
    for seed in range(30):
        for version in VERSIONS:
            tables = sample_tables(seed, version=version, **SHAPES[seed % 3])  # type: ignore[arg-type]
            for kind, rows in tables.items():
                records = [[(t, f">{_escape(v)}</{t}>") for t, v in row.items()] for row in rows]
                data = _document(kind, records, "\r\n  ")
                scanned = native.scan(native.table_spec(kind, version, Note), data)
                assert scanned is not None
                assert None not in scanned[0], (version, kind)
                assert scanned[0] == rows


@settings(max_examples=400, deadline=None)
@given(
    name=st.sampled_from(sorted(native._PATTERN_FIRST)),
    value=st.one_of(
        st.text(alphabet="0123456789", min_size=8, max_size=16),
        st.text(alphabet="0123456789ABCDGHKNPQSTVXYZ;", min_size=9, max_size=32),
        st.sampled_from(["001203729633", "DN4015698091148", "DN4015698091148;HT3795012345678", "0123456789"]),
    ),
)
def test_an_identifier_its_pattern_accepts_its_checker_accepts(name: str, value: str) -> None:
    """The compiled scanner tries the format's pattern before the checker for identifiers."""
    pattern = format_pattern(name)
    assert pattern is not None
    if re.fullmatch(pattern, value) is not None:
        assert FORMATS[name](value) is None, (name, value)


def test_the_envelope_is_read_in_c() -> None:
    """Plain and signed sample envelopes are read by the compiled reader itself, as in Python."""
    for data in (dossier_bytes(sample_tables(2, kind="01")), _signed_sample()):
        read = native.envelope(data, xml130.ENVELOPE_ROOT, xml130.SIGNATURE_TAG, 8_000_000)
        assert read is not None
        expected = envelope._scan_python(data)
        assert expected is not None
        assert envelope.Envelope(*read[:4]) == expected
        assert (read[4] >= 0) == (b"<CHUKYDONVI/>" not in data)


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    signed=st.booleans(),
    seed=st.integers(0, 30),
    edits=st.lists(
        st.tuples(st.integers(0, 10_000), st.integers(-3, 3), st.integers(0, 10_000)), min_size=0, max_size=3
    ),
)
def test_fuzzed_envelopes_read_alike(signed: bool, seed: int, edits: list[tuple[int, int, int]]) -> None:
    """Edits next to the envelope's markup: the compiled reader gives the Python reader's answer."""
    original = _signed_sample() if signed else dossier_bytes(sample_tables(seed, **SHAPES[seed % 3]))  # type: ignore[arg-type]
    data = edit_near_markup(original, edits)
    saved = native.COMPILED
    native.COMPILED = True
    try:
        compiled = envelope.scan_envelope(data)
    finally:
        native.COMPILED = saved
    assert compiled == envelope._scan_python(data)


@pytest.mark.parametrize(
    ("tag", "good", "bad"),
    [
        ("NGAY_YL", "202501051527", "202501321527"),  # the same length, another day: not a date
        ("SO_LUONG", "12.5", "12.."),
        ("DON_GIA", "4931.500", "4931.5.0"),
        ("MA_NHOM", "4", "0"),  # not a code of the list
    ],
)
def test_a_value_like_the_last_one_is_judged_afresh(tag: str, good: str, bad: str) -> None:
    """Each field keeps the last value it accepted (its bytes and str), and the field after the
    last one read is tried before the tag hash: a broken value after a good one, the good one
    after a broken one, and a value of the same length with other bytes are judged as if read
    for the first time (the Python scanner's answer)."""
    rows = sample_tables(3, version="qd3176", kind="03")["XML2"]
    spec = native.table_spec("XML2", "qd3176", Note)
    order = [good, bad, good, bad, bad, good, good]
    records = [
        [(t, f">{_escape(value if t == tag else v)}</{t}>") for t, v in rows[at % len(rows)].items()]
        for at, value in enumerate(order)
    ]
    data = _document("XML2", records, "\n")
    scanned = native.scan(spec, data)
    assert scanned is not None
    assert [row is not None for row in scanned[0]] == [value == good for value in order]
    assert _compare(data, "XML2", "qd3176") == "mixed"


def test_fields_out_of_order_or_named_like_the_next_one_read_alike() -> None:
    """A record whose fields are not in the table's order, or whose tag starts with the name of
    the field expected next (``MA_LK2`` where ``MA_LK`` comes), reads as the Python scanner reads it."""
    rows = sample_tables(4, version="qd3176", kind="03")["XML2"]
    base = [(t, f">{_escape(v)}</{t}>") for t, v in rows[0].items()]
    swapped = [base[1], base[0], *base[2:]]
    prefixed = [("MA_LK2", base[0][1].replace("</MA_LK>", "</MA_LK2>")), *base[1:]]
    for records in ([swapped, base], [prefixed, base], [base, list(reversed(base))]):
        assert _compare(_document("XML2", records, "\n"), "XML2", "qd3176") in {"accepted", "mixed"}


def test_a_separator_like_the_learnt_one_reads_alike() -> None:
    """Each field keeps the bytes that last separated it from the next field (its close tag, the
    white space, the next field's name) and reads them again in one comparison: after records
    that taught it, a record indented otherwise, one whose next tag starts with the learnt name
    (``NGAY_VAO_NOI_TRU`` where ``NGAY_VAO`` comes: another field, read as such), one whose next
    tag is unknown and one whose close tag differs read as the Python scanner reads them."""
    sample = sample_tables(4, version="qd3176", kind="03")["XML1"][0]
    names = list(plan("XML1", "qd3176").fields)
    base = [(t, f">{_escape(sample.get(t, ''))}</{t}>") for t in names]  # the table's order
    wider = [(t, f"{text} ") for t, text in base]  # one more space before each next tag
    at = names.index("NGAY_VAO")
    assert names[at + 1] == "NGAY_VAO_NOI_TRU"
    longer_first = [*base[:at], base[at + 1], base[at], *base[at + 2 :]]
    unknown = [*base[:at], ("NGAY_VAO9", ">1</NGAY_VAO9>"), *base[at:]]
    spaced_close = [*base[:at], (base[at][0], f"{base[at][1][:-1]} >"), *base[at + 1 :]]
    spec = native.table_spec("XML1", "qd3176", Note)
    outcomes, in_c = [], []
    for record in (base, wider, base, longer_first, base, unknown, base, spaced_close):
        data = _document("XML1", [record], "\n")
        scanned = native.scan(spec, data)
        in_c.append(scanned is not None and scanned[0][0] is not None)
        outcomes.append(_compare(data, "XML1", "qd3176"))
    assert in_c[:5] == [True] * 5  # the compiled scanner read them itself
    assert outcomes[:5] == ["accepted"] * 5
    assert outcomes[5] == "mixed"
    assert outcomes[6] == "accepted"
    assert outcomes[7] in {"mixed", "declined"}
