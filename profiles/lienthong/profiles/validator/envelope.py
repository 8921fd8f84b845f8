"""Reading the GIAMDINHHS envelope without building an element tree.

lxml parses a 10 KB dossier in about 10 µs and walking it through element proxies costs as much
again, nearly all of it for the base64 text of NOIDUNGFILE, which only needs to be found. The
envelope has one fixed shape (BHXH CV 1245 §2.4): :func:`scan_envelope` reads exactly that shape
with regular expressions anchored at known positions and ``bytes.find`` for the long texts, and
returns what the element walk of :mod:`lienthong.profiles.validation` reads from it.

It accepts a strict subset of XML 1.0: UTF-8, an optional standard declaration, no DOCTYPE,
comments, processing instructions or attributes outside the signature, the envelope's elements in
their order with nothing else between them, one HOSO, plain ASCII values without surrounding
white space. The signature element is either empty or a subtree that lxml parses on its own (its
ancestors declare no namespace and the document no entity, so on its own it parses exactly when it
does in place). For anything else it returns None and the caller parses with lxml, which also
says what is wrong. When the C extension is built, :mod:`.native` reads the same shape in one pass
first (an envelope it is not sure of is then read here). The NOIDUNGFILE texts come back
undecoded: the caller decodes them with strict base64, which admits only the base64 alphabet (so
no markup, reference or white space the parser would have read differently), and parses with lxml
when that fails. The equivalence tests hold the readers to the same answer on fuzzed envelopes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml import etree

from lienthong.profiles import xml130
from lienthong.profiles.validator import native

_WS = rb"[ \t\r\n]*+"
_VALUE = rb"([0-9A-Za-z_.\-]*)"
"""An envelope value the scanner reads: ASCII, nothing the parser would change, nothing to strip."""
_DECLARATION = (
    rb"(?:\xef\xbb\xbf)?"
    rb"(?:<\?xml[ \t\r\n]++version=([\"'])1\.0\1"
    rb"(?:[ \t\r\n]++encoding=([\"'])(?:utf|UTF)-8\2)?"
    rb"(?:[ \t\r\n]++standalone=([\"'])(?:yes|no)\3)?"
    rb"[ \t\r\n]*+\?>)?"
)


def _tags(*tags: str) -> bytes:
    """Pattern of ``tags`` in sequence, white space before each; ``NAME=`` is a leaf element whose
    value is captured."""
    parts = []
    for tag in tags:
        if tag.endswith("="):
            name = tag[:-1].encode()
            parts.append(b"<" + name + b">" + _VALUE + b"</" + name + b">")
        else:
            parts.append(b"<" + tag.encode() + b">")
    return _WS + _WS.join(parts)


_HEAD = re.compile(
    _DECLARATION
    + _tags(
        xml130.ENVELOPE_ROOT,
        "THONGTINDONVI",
        "MACSKCB=",
        "/THONGTINDONVI",
        "THONGTINHOSO",
        "NGAYLAP=",
        "SOLUONGHOSO=",
        "DANHSACHHOSO",
        "HOSO",
    )
    + _WS
)
_FILE = re.compile(_tags("FILEHOSO", "LOAIHOSO=", "NOIDUNGFILE"))
_CONTENT_END = b"</NOIDUNGFILE>"
_FILE_END = re.compile(_WS + rb"</FILEHOSO>" + _WS)
_SIGNATURE = xml130.SIGNATURE_TAG.encode()
_LISTING_END = re.compile(_tags("/HOSO", "/DANHSACHHOSO", "/THONGTINHOSO") + _WS + b"<" + _SIGNATURE)
_EMPTY_SIGNATURE = re.compile(rb"(?:" + _WS + rb"/>|>" + _WS + rb"</" + _SIGNATURE + rb">)")
_SIGNATURE_CLOSE = b"</" + _SIGNATURE + b">"
_ROOT_END = re.compile(_WS + rb"</" + xml130.ENVELOPE_ROOT.encode() + rb">" + _WS)
LARGEST = 8_000_000
"""Larger documents go to lxml, whose limits (10 MB for one text node) then decide."""
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)


@dataclass(slots=True, init=False)
class Envelope:
    """What the element walk reads from a dossier envelope."""

    facility: str
    ngaylap: str
    declared: str
    """SOLUONGHOSO."""
    files: list[tuple[str, bytes]]
    """(LOAIHOSO, NOIDUNGFILE text still in base64) of the one HOSO, in document order."""

    def __init__(self, facility: str, ngaylap: str, declared: str, files: list[tuple[str, bytes]]) -> None:
        # Written out: mypyc compiles this one; a NamedTuple's or a dataclass's own runs
        # interpreted (hatch_build.COMPILED).
        self.facility = facility
        self.ngaylap = ngaylap
        self.declared = declared
        self.files = files


def scan_envelope(data: bytes, *, well_formed: bool = False) -> Envelope | None:
    """The envelope of ``data``, or None when it is outside the subset read here (use lxml).

    With the compiled scanner (:mod:`.native`) the envelope is read in one pass in C (the same
    shape; an envelope it is not sure of is read here). ``well_formed``: the caller knows that
    ``data`` is well-formed XML, so the signature element need not be parsed to know it."""
    if native.COMPILED:
        read = native.envelope(data, xml130.ENVELOPE_ROOT, xml130.SIGNATURE_TAG, LARGEST)
        if read is not None:
            facility, ngaylap, declared, files, start, end = read
            if start >= 0 and not well_formed and not _parses(data[start:end]):
                return None
            return Envelope(facility, ngaylap, declared, files)
    return _scan_python(data, well_formed)


def _parses(element: bytes) -> bool:
    """Whether a signature element parses on its own."""
    try:
        etree.fromstring(element, _PARSER)
    except etree.XMLSyntaxError:
        return False
    return True


def signature_end(data: bytes, after: int, well_formed: bool = False) -> int | None:
    """The end of the signature element whose ``<CHUKYDONVI`` ends at ``after``: an empty one
    (``<CHUKYDONVI/>``, ``<CHUKYDONVI></CHUKYDONVI>``), or a subtree up to the document's last
    ``</CHUKYDONVI>`` that parses on its own (not parsed when the caller knows ``data`` to be
    well-formed); None for any other (an attribute on it, no close, a subtree that does not parse).
    The envelope's and the check-in's readers take the signature so."""
    empty = _EMPTY_SIGNATURE.match(data, after)
    if empty is not None:
        return empty.end()
    close = data.rfind(_SIGNATURE_CLOSE)
    if close < after or data[after : after + 1] != b">":
        return None
    end = close + len(_SIGNATURE_CLOSE)
    if not well_formed and not _parses(data[after - len(_SIGNATURE) - 1 : end]):
        return None
    return end


def _scan_python(data: bytes, well_formed: bool = False) -> Envelope | None:
    """:func:`scan_envelope` in Python."""
    if len(data) > LARGEST:
        return None
    head = _HEAD.match(data)
    if head is None:
        return None
    files: list[tuple[str, bytes]] = []
    pos = head.end()
    while True:
        opened = _FILE.match(data, pos)
        if opened is None:
            break
        end = data.find(_CONTENT_END, opened.end())
        if end < 0:
            return None
        files.append((opened.group(1).decode("ascii"), data[opened.end() : end]))
        closed = _FILE_END.match(data, end + len(_CONTENT_END))
        if closed is None:
            return None
        pos = closed.end()
    listing_end = _LISTING_END.match(data, pos)
    if listing_end is None:
        return None
    signed_end = signature_end(data, listing_end.end(), well_formed)
    if signed_end is None or _ROOT_END.fullmatch(data, signed_end) is None:
        return None
    facility, ngaylap, declared = (value.decode("ascii") for value in head.group(4, 5, 6))
    return Envelope(facility, ngaylap, declared, files)
