"""The lean signature verifier agrees with signxml, the reference, on every document: valid,
tampered, wrongly signed, expired and reshaped ones, and random byte mutations."""

from __future__ import annotations

import base64
import random
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree
from signxml.verifier import XMLVerifier

from lienthong.profiles import signature, xml130
from lienthong.profiles.signature import reference_signature_problem, signature_problem
from lienthong.profiles.validation import parse_document, validate_dossier
from lienthong.profiles.validator import native
from lienthong.simulators.facilities import facilities
from lienthong.simulators.pki import SigningKey, shared_authority, sign_document
from lienthong.simulators.population import citizens
from lienthong.simulators.visits import visit_for
from lienthong.simulators.xml130 import envelope, table_xml

SIGNATURE_END = b"</ds:Signature>"
_INSTANT = re.compile(r"validation time \S+")


@pytest.fixture(scope="module")
def keys() -> dict[str, SigningKey]:
    authority = shared_authority()
    return {
        "own": authority.issue("Facility 01001"),
        "other": authority.issue("Facility 01002"),
        "expired": authority.issue("Facility 01003", days=1),
    }


@pytest.fixture(scope="module")
def plain() -> bytes:
    site = facilities(5, 1)[0]
    person = next(iter(citizens(5, 0, 1)))
    visit = visit_for(person, site, seed=5, number=1, arrived=datetime.now(UTC) - timedelta(hours=3))
    tables = {kind: table_xml(kind, records) for kind, records in visit.tables.items()}
    return envelope(site.code, visit.summary["NGAY_RA"][:8], tables)


def _verdict(check: Any, document: bytes, certs: list[bytes]) -> tuple[str, str | None]:
    try:
        problem = check(document, certs)
        return ("answer", problem and _INSTANT.sub("validation time T", problem))
    except Exception as exc:  # the reference raising is a verdict too (the same one is expected)
        return ("raises", type(exc).__name__)


def _shared_tree(document: bytes, certs: list[bytes]) -> str | None:
    """The gateway's way: the validator's tree handed to the signature check (parsed once)."""
    return signature_problem(document, certs, root=parse_document(document))


def _same(document: bytes, certs: list[bytes]) -> tuple[str, str | None]:
    lean = _verdict(signature_problem, document, certs)
    reference = _verdict(reference_signature_problem, document, certs)
    if certs and signature.canonical_verifies(document, certs):  # it may only accept what both accept
        assert reference == ("answer", None), document[-1500:]
        assert signature._lean_verifies(document, certs), document[-1500:]
    assert lean == reference, document[-1500:]
    assert _verdict(_shared_tree, document, certs) == reference, document[-1500:]
    return lean


def test_a_valid_document_is_accepted_by_the_lean_path(plain: bytes, keys: dict[str, SigningKey]) -> None:
    signed = sign_document(plain, keys["own"])
    assert signature._lean_verifies(signed, [keys["own"].cert_pem])
    assert signature._lean_verifies(signed, [keys["own"].cert_pem], parse_document(signed))
    assert _same(signed, [keys["own"].cert_pem]) == ("answer", None)
    assert _same(signed, [keys["other"].cert_pem, keys["own"].cert_pem]) == ("answer", None)


def test_tampered_and_wrongly_signed_documents_are_refused_with_signxml_reasons(
    plain: bytes, keys: dict[str, SigningKey]
) -> None:
    signed = sign_document(plain, keys["own"])
    own, other = [keys["own"].cert_pem], [keys["other"].cert_pem]
    start = signed.index(b"<MACSKCB>") + len(b"<MACSKCB>")
    body_changed = signed[:start] + b"9" + signed[start + 1 :]
    value = signed.index(b"<ds:SignatureValue>") + len(b"<ds:SignatureValue>")
    flipped = b"A" if signed[value : value + 1] != b"A" else b"B"
    value_changed = signed[:value] + flipped + signed[value + 1 :]
    digest = signed.index(b"<ds:DigestValue>") + len(b"<ds:DigestValue>")
    digest_changed = (
        signed[:digest] + (b"A" if signed[digest : digest + 1] != b"A" else b"B") + signed[digest + 1 :]
    )
    for document, certs in (
        (body_changed, own),
        (value_changed, own),
        (digest_changed, own),
        (signed, other),
        (sign_document(plain, keys["other"]), own),
        (sign_document(plain, keys["expired"]), [keys["expired"].cert_pem]),
        (signed, []),
        (plain, own),
        (b"not xml", own),
    ):
        kind, problem = _same(document, certs)
        assert kind == "raises" or problem is not None
        assert not signature._lean_verifies(document, certs) if certs else True


def test_reshaped_documents_get_the_reference_verdict(plain: bytes, keys: dict[str, SigningKey]) -> None:
    signed = sign_document(plain, keys["own"])
    own = [keys["own"].cert_pem]
    cut = signed.index(SIGNATURE_END)
    namespaced = sign_document(
        plain.replace(b"<GIAMDINHHS>", b'<GIAMDINHHS xmlns:x="urn:x">', 1), keys["own"]
    )
    variants = [
        signed.replace(b"<GIAMDINHHS>", b"<!-- a comment is not signed --><GIAMDINHHS>", 1),
        signed.replace(b"<THONGTINDONVI>", b"<THONGTINDONVI><!-- unsigned -->", 1),
        signed.replace(b"<ds:SignedInfo>", b"<ds:SignedInfo><!-- x -->", 1),
        signed.replace(b"<ds:SignedInfo>", b"<ds:SignedInfo> ", 1),
        signed.replace(b"<ds:KeyInfo>", b'<ds:KeyInfo Id="k">', 1),
        signed.replace(b"<ds:Signature ", b'<ds:Signature Id="s" ', 1),
        signed[:cut] + SIGNATURE_END + b"tail" + signed[cut + len(SIGNATURE_END) :],
        signed.replace(
            b'<?xml version="1.0" encoding="utf-8"?>', b'<?xml version="1.0"?><!DOCTYPE GIAMDINHHS>'
        ),
        signed.replace(b"<GIAMDINHHS>", b'<GIAMDINHHS xml:lang="vi">', 1),
        signed.replace(b"rsa-sha256", b"rsa-sha1"),
        signed.replace(b"xmlenc#sha256", b"xmldsig#sha1"),
        signed.replace(b"xml-c14n11", b"REC-xml-c14n-20010315", 1),
        signed.replace(
            b"</THONGTINDONVI>",
            signed[signed.index(b"<ds:Signature") : cut + len(SIGNATURE_END)] + b"</THONGTINDONVI>",
            1,
        ),
        namespaced,
    ]
    verdicts = [_same(document, own) for document in variants]
    assert verdicts[0] == ("answer", None), "a comment outside the root is not signed"
    assert verdicts[1] == ("answer", None), "comments are not signed"
    assert verdicts[-1] == ("answer", None), "signxml decides shapes the lean path leaves to it"
    assert not signature._lean_verifies(namespaced, own)


def test_random_byte_mutations_get_the_same_verdict(plain: bytes, keys: dict[str, SigningKey]) -> None:
    signed = sign_document(plain, keys["own"])
    own = [keys["own"].cert_pem]
    rng = random.Random(2026)
    accepted = 0
    for _ in range(300):
        at = rng.randrange(len(signed))
        mutated = signed[:at] + bytes([rng.randrange(32, 127)]) + signed[at + 1 :]
        accepted += _same(mutated, own) == ("answer", None)
    assert accepted < 300  # most mutations break the signature; those that do not are accepted by both


def test_the_signature_found_in_the_canonical_document_is_the_signed_one(
    plain: bytes, keys: dict[str, SigningKey]
) -> None:
    """The lean path reads the signature's shape from the document's canonical bytes: look-alike
    start tags elsewhere (a comment, a foreign element, a second prefix binding) and blanks or
    character references inside the signature get the reference verdict."""
    signed = sign_document(plain, keys["own"])
    own = [keys["own"].cert_pem]
    ds_on_root = sign_document(
        plain.replace(b"<GIAMDINHHS>", f'<GIAMDINHHS xmlns:ds="{signature.DS_NS}">'.encode(), 1), keys["own"]
    )
    variants = [
        signed.replace(b"<THONGTINDONVI>", b"<THONGTINDONVI><!-- <ds:Signature> -->", 1),
        signed.replace(b"<THONGTINDONVI>", b'<THONGTINDONVI><?pi <ds:Signature xmlns:ds="x">?>', 1),
        signed.replace(b"<THONGTINDONVI>", b'<THONGTINDONVI><ds:Signature xmlns:ds="urn:x"/>', 1),
        signed.replace(b"<GIAMDINHHS>", b'<GIAMDINHHS xmlns:ds="urn:x">', 1),
        signed.replace(b"<ds:SignatureValue>", b"<ds:SignatureValue>&#13;", 1),
        signed.replace(b"<ds:SignatureValue>", b"<ds:SignatureValue>\n ", 1),
        signed.replace(b"<ds:DigestValue>", b"<ds:DigestValue>&#160;", 1),
        signed.replace(b"</ds:SignedInfo>", b"\t</ds:SignedInfo>", 1),
        signed.replace(b"</ds:SignedInfo>", b"&#xA0;</ds:SignedInfo>", 1),
        signed.replace(b"<ds:KeyInfo>", b'<ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#">', 1),
        signed.replace(b"<ds:X509Data>", b'<ds:X509Data xmlns:ds="urn:x">', 1),
        signed.replace(b"<ds:X509Certificate>", b"<ds:X509Certificate>&amp;", 1),
        signed.replace(b"<CHUKYDONVI>", b"<CHUKYDONVI/><CHUKYDONVI>", 1),
        ds_on_root,
    ]
    verdicts = [_same(document, own) for document in variants]
    assert verdicts[0] == ("answer", None), "comments are not signed"
    assert verdicts[5] == ("answer", None), "blanks in a base64 value are allowed"
    assert verdicts[-1] == ("answer", None)
    assert signature._lean_verifies(ds_on_root, own), "the signature's start tag without its declaration"
    assert signature._lean_verifies(variants[5], own)
    assert not signature._lean_verifies(variants[-2], own), "the signature must be in the first holder"


def _off_pad_bits(signed: bytes, element: bytes) -> bytes:
    """``signed`` with the last base64 digit of ``element``'s value before its padding changed in
    the bits the padding leaves unused: the decoder reads the same bytes, the schema refuses it."""
    alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    end = signed.index(b"</ds:" + element + b">")
    value_end = len(signed[:end].rstrip().rstrip(b"="))
    digit = alphabet.index(signed[value_end - 1 : value_end])
    return signed[: value_end - 1] + alphabet[digit | 1 : (digit | 1) + 1] + signed[value_end:]


def test_base64_values_the_schema_refuses_get_the_reference_verdict(
    plain: bytes, keys: dict[str, SigningKey]
) -> None:
    """The lean path reads the three base64 values without the xmldsig schema: a value the schema
    refuses (pad bits set, padding in excess or in the middle) is left to signxml."""
    signed = sign_document(plain, keys["own"])
    own = [keys["own"].cert_pem]
    digest = signed.index(b"</ds:DigestValue>")
    variants = [
        _off_pad_bits(signed, b"DigestValue"),
        _off_pad_bits(signed, b"SignatureValue"),
        _off_pad_bits(signed, b"X509Certificate"),
        signed[:digest] + b"=" + signed[digest:],
        signed.replace(b"</ds:X509Certificate>", b"====</ds:X509Certificate>", 1),
        signed.replace(b"<ds:X509Certificate>", b"<ds:X509Certificate>QQ==", 1),
        signed.replace(b"<ds:X509Certificate>", b"<ds:X509Certificate>\n \t", 1),
    ]
    assert all(variant != signed for variant in variants)
    verdicts = [_same(document, own) for document in variants]
    assert verdicts[-1] == ("answer", None), "blanks in a base64 value are allowed"
    assert signature._lean_verifies(variants[-1], own)
    for document in variants[:-1]:
        assert not signature._lean_verifies(document, own)


_DIGITS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
_VALUES = st.one_of(
    st.text(alphabet=_DIGITS + "= \t\n", max_size=40),
    st.binary(max_size=40).map(lambda raw: base64.b64encode(raw).decode()),
    st.tuples(st.binary(max_size=40), st.lists(st.sampled_from(" \t\n"), max_size=6), st.randoms()).map(
        lambda t: _scatter(base64.b64encode(t[0]).decode(), t[1], t[2])
    ),
)


def _scatter(text: str, blanks: list[str], rng: random.Random) -> str:
    for blank in blanks:
        at = rng.randrange(len(text) + 1)
        text = text[:at] + blank + text[at:]
    return text


@settings(max_examples=500, deadline=None)
@given(_VALUES)
def test_the_lean_path_reads_a_base64_value_when_the_schema_accepts_it(text: str) -> None:
    """What the lean path reads as base64 is what libxml2 accepts as base64Binary under the
    xmldsig schema, in DigestValue, SignatureValue and X509Certificate alike (the lean path may
    only be stricter; on these texts the two agree), and it decodes to Python's bytes."""
    schema = XMLVerifier.schemas()[0]
    decoded = signature._base64(text.encode())
    if decoded is not None:
        assert decoded == base64.b64decode("".join(text.split()), validate=True)
    for wrapped in (
        f"<ds:DigestValue xmlns:ds='{signature.DS_NS}'>{text}</ds:DigestValue>",
        f"<ds:SignatureValue xmlns:ds='{signature.DS_NS}'>{text}</ds:SignatureValue>",
        f"<ds:X509Data xmlns:ds='{signature.DS_NS}'>"
        f"<ds:X509Certificate>{text}</ds:X509Certificate></ds:X509Data>",
    ):
        assert schema.validate(etree.fromstring(wrapped)) == (decoded is not None), (text, wrapped)


def test_a_document_signed_as_written_verifies_from_its_bytes(
    plain: bytes, keys: dict[str, SigningKey]
) -> None:
    """The gateway's first try: no parse of the whole document, no canonicalisation of it."""
    signed = sign_document(plain, keys["own"])
    own = [keys["own"].cert_pem]
    assert signature.canonical_verifies(signed, own)
    assert not signature.canonical_verifies(signed, [keys["other"].cert_pem])
    tampered = signed.replace(b"<MACSKCB>", b"<MACSKCB>9", 1)
    assert not signature.canonical_verifies(tampered, own)
    assert _same(tampered, own)[1] is not None


_PIECES = [
    b"\r",
    b"\r\n",
    b"&#65;",
    b"&#x41;",
    b"&amp;",
    b"&lt;",
    b"&gt;",
    b"&quot;",
    b"&",
    b">",
    b"<",
    b"/>",
    b"<A/>",
    b"<A></A>",
    b"<A>",
    b"</A>",
    b' a="1"',
    b" ",
    b"\t",
    b"<!-- c -->",
    b"<![CDATA[x]]>",
    b"<?pi x?>",
    b"<!DOCTYPE x>",
    b"<ds:X></ds:X>",
    b'<x:A xmlns:x="urn:x"></x:A>',
    b"\xef\xbb\xbf",
    b"\xff",
    b"\xc3",
    b"\xc0\xaf",
    b"\xed\xa0\x80",
    b"\xef\xbf\xbe",
    b"\xf4\x90\x80\x80",
    b"\x01",
    b"\x7f",
    b"\xc2\x85",
    "Đức".encode(),
    b"<CHUKYDONVI></CHUKYDONVI>",
    b"</CHUKYDONVI><CHUKYDONVI>",
]


def _edited(signed: bytes, edits: list[tuple[int, int, int]]) -> bytes:
    out = bytearray(signed)
    for where, shift, piece in edits:
        marks = [m.start() for m in re.finditer(rb"[<>]", out)]
        pos = max(0, min(len(out), marks[where % len(marks)] + shift))
        chunk = _PIECES[piece % len(_PIECES)]
        if piece % 3 == 0:
            out[pos : pos + len(chunk)] = chunk
        elif piece % 3 == 1:
            out[pos:pos] = chunk
        else:
            del out[pos : pos + 1 + piece % 5]
    return bytes(out)


@settings(max_examples=400, deadline=None)
@given(
    edits=st.lists(
        st.tuples(st.integers(0, 10_000), st.integers(-2, 2), st.integers(0, 10_000)), min_size=1, max_size=3
    )
)
def test_what_the_byte_reader_takes_is_well_formed_and_its_own_canonical_form(
    plain: bytes, keys: dict[str, SigningKey], edits: list[tuple[int, int, int]]
) -> None:
    """Edits next to markup (CR, character and entity references, empty-element tags,
    attributes, comments, CDATA, DOCTYPE, prefixes, bytes that are not UTF-8 or not XML
    characters, a second holder...): whenever ``canonical_spans`` answers and the signature
    element parses on its own, lxml parses the document and C14N writes its document element
    back byte for byte outside the signature."""
    signed = _edited(sign_document(plain, keys["own"]), edits)
    spans = native.canonical_spans(signed, xml130.SIGNATURE_TAG, signature._SIG_OPEN, signature._SIG_CLOSE)
    if spans is None:
        return
    root_start, root_end, sig_start, sig_end = spans
    element = signed[sig_start:sig_end]
    assert signature._signature_parts(element) == _parts_by_parsing(element)
    try:  # the signature element itself is parsed on its own (canonical_verifies)
        etree.fromstring(element, signature._PARSER)
    except etree.XMLSyntaxError:
        return
    root = parse_document(signed)
    assert root is not None, signed
    # What the gateway then tells the validator: the document is well-formed.
    assert validate_dossier(signed, "qd3176", well_formed=True) == validate_dossier(signed, "qd3176")
    canonical = etree.tostring(root, method="c14n")
    at = canonical.find(b"<ds:Signature")
    end = canonical.find(b"</ds:Signature>") + len(b"</ds:Signature>")
    assert canonical[:at] == signed[root_start:sig_start]
    assert canonical[end:] == signed[sig_end:root_end]
    holder = root.find(xml130.SIGNATURE_TAG)
    assert holder is not None
    assert holder.find(f"{{{signature.DS_NS}}}Signature") is not None
    _same(signed, [keys["own"].cert_pem])


def test_the_byte_reader_takes_the_edits_that_keep_the_form() -> None:
    """The property above is not empty: some edited documents are still read."""
    authority = shared_authority()
    key = authority.issue("Facility 01001")
    site = facilities(5, 1)[0]
    person = next(iter(citizens(5, 0, 1)))
    visit = visit_for(person, site, seed=5, number=1, arrived=datetime.now(UTC) - timedelta(hours=3))
    plain = envelope(
        site.code, visit.summary["NGAY_RA"][:8], {k: table_xml(k, r) for k, r in visit.tables.items()}
    )
    signed = sign_document(plain, key)
    read = [
        native.canonical_spans(
            _edited(signed, [(w, 1, p)]), "CHUKYDONVI", signature._SIG_OPEN, signature._SIG_CLOSE
        )
        is not None
        for w in range(0, 60, 7)
        for p in (4, 5, 6, 16, 17, 18, 35)  # references and blanks, a letter
    ]
    assert any(read)
    assert not all(read)


def _parts_by_parsing(element: bytes) -> tuple[bytes, ...] | None:
    """The signature's parts the slow way: parse, C14N, then the canonical shape."""
    try:
        canonical = etree.tostring(etree.fromstring(element, signature._PARSER), method="c14n")
    except (etree.XMLSyntaxError, etree.C14NError):
        return None
    shape = signature._SHAPE.fullmatch(canonical)
    return None if shape is None else shape.groups()


_TAG = b'<ds:Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"'
_VARIANTS: list[tuple[bytes, bytes, bool, bool]] = [
    # (what, its replacement, still in the written shape (read without a parse), still signed:
    # signxml's verdict, which checks the registered certificate, not the text of KeyInfo's)
    (b"/>", b"/>", True, True),
    (_TAG + b"/>", _TAG + b"></ds:Transform>", True, True),  # the same C14N
    (b"</ds:SignatureValue>", b"\n</ds:SignatureValue>", True, True),
    (b"<ds:X509Certificate>", b"<ds:X509Certificate>\n \n", True, True),
    (b"<ds:KeyInfo>", b"\t<ds:KeyInfo> ", True, True),
    (b"<ds:SignedInfo>", b"<ds:SignedInfo>\n  \t", True, False),  # SignedInfo's bytes changed
    (b"</ds:DigestValue>", b" </ds:DigestValue>", True, False),
    (b"<ds:Reference", b"\r\n<ds:Reference", False, False),
    (b"<ds:X509Certificate>", b"<ds:X509Certificate>\r", False, True),
    (b"<ds:X509Certificate>", b"<ds:X509Certificate>&#65;", False, False),
    (b"<ds:X509Certificate>", b"<ds:X509Certificate>&amp;", False, True),
    (b"<ds:X509Certificate>", b"<ds:X509Certificate>>", False, True),
    (b"<ds:X509Certificate>", b"<ds:X509Certificate>\x0b", False, False),
    (b"<ds:X509Certificate>", "<ds:X509Certificate>Đ".encode(), False, True),
    (b"</ds:DigestValue>", b"&#x3D;</ds:DigestValue>", False, False),
    (b'URI=""', b"URI=''", False, True),  # the same C14N, but parsed
    (b'URI=""', b'URI="" ', False, True),
    (b"/>", b" />", False, True),
    (b"<ds:SignedInfo>", b'<ds:SignedInfo Id="x">', False, False),
    (b"<ds:SignedInfo>", b"<ds:SignedInfo><!-- c -->", False, True),
    (b'<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#">', b"<ds:Signature>", False, False),
    (b"<ds:KeyInfo>", b'<ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#">', False, True),
    (b"</ds:Signature>", b"</ds:Signature >", False, True),
]


@pytest.mark.parametrize(("what", "replacement", "written", "signed_still"), _VARIANTS)
def test_a_signature_written_in_the_profiles_shape_is_read_as_its_c14n(
    plain: bytes,
    keys: dict[str, SigningKey],
    what: bytes,
    replacement: bytes,
    written: bool,
    signed_still: bool,
) -> None:
    """The byte path reads a signature written in the profile's shape without parsing it: its
    parts are exactly those of its C14N. Any other form is parsed (or refused) as before."""
    signed = sign_document(plain, keys["own"])
    start = signed.index(b"<ds:Signature ")
    end = signed.index(SIGNATURE_END) + len(SIGNATURE_END)
    element = signed[start:end].replace(what, replacement, 1)
    assert (signature._WRITTEN.fullmatch(element) is not None) == written
    assert signature._signature_parts(element) == _parts_by_parsing(element)
    document = signed[:start] + element + signed[end:]
    verdict = _same(document, [keys["own"].cert_pem])  # the reference's verdict, whichever path
    assert (verdict == ("answer", None)) == signed_still, verdict
    if written and signed_still:
        assert signature.canonical_verifies(document, [keys["own"].cert_pem])
