"""Rule SIG-01: the facility's enveloped XML signature in CHUKYDONVI verifies against a
certificate registered for that facility (SHA-256 RSA, Reference URI="", whole document) [S].

Two verifiers give one verdict. signxml (:func:`reference_signature_problem`) is the reference and
decides every document it is given. In front of it, :func:`_lean_verifies` handles the one profile
the gateway accepts (enveloped, RSA-SHA256, SHA-256 digest, C14N 1.1, one reference, X509Data
only) with one parse, one canonicalisation of the document and one RSA verification, a fraction
of signxml's cost. The lean path can only *accept*: it accepts when every check signxml makes for
that profile passes (same parser, the xmldsig schema's verdict, same certificate validity window,
same digest and signature input), and hands anything else — a document of another shape, a failed
check, a malformed value — to signxml, so every rejection and its reason come from the reference.
Before it, :func:`canonical_verifies` makes the same checks without parsing the document when its
bytes are already their own canonical form (what a HIS that signs the document as written sends).
The equivalence tests compare the three on valid, tampered, wrongly signed and reshaped documents.
"""

from __future__ import annotations

import binascii
import hashlib
import re
from datetime import UTC, datetime
from functools import lru_cache

from cryptography import x509
from cryptography.exceptions import InvalidSignature as CryptoInvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from lxml import etree
from signxml.algorithms import DigestAlgorithm, SignatureMethod
from signxml.exceptions import InvalidInput, InvalidSignature
from signxml.verifier import SignatureConfiguration, XMLVerifier

from lienthong.profiles import xml130
from lienthong.profiles.base64_strict import b64decode_strict
from lienthong.profiles.validator import native

DS_NS = "http://www.w3.org/2000/09/xmldsig#"
# Only SHA-256 RSA signatures count (BHXH QĐ 3176 guide [S]).
_EXPECT = SignatureConfiguration(
    signature_methods=frozenset({SignatureMethod.RSA_SHA256}),
    digest_algorithms=frozenset({DigestAlgorithm.SHA256}),
)

_C14N11 = "http://www.w3.org/2006/12/xml-c14n11"
_ENVELOPED = "http://www.w3.org/2000/09/xmldsig#enveloped-signature"
_RSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
_SHA256 = "http://www.w3.org/2001/04/xmlenc#sha256"
_XML_NS = "{http://www.w3.org/XML/1998/namespace}"
_PARSER = etree.XMLParser(resolve_entities=False)
"""The parser signxml uses (``XMLProcessor.parser``)."""


def _ds(name: str) -> str:
    return f"{{{DS_NS}}}{name}"


_SIGNATURE = _ds("Signature")
_DS_PREFIXED = ("<ds:Signature>", '<ds:Signature xmlns:ds="' + DS_NS + '">')
"""The two ways the signature's start tag can be canonicalised in the document."""


def _shape(*, written: bool = False) -> re.Pattern[bytes]:
    """The canonical bytes of the gateway's profile and nothing more: no other element, attribute,
    comment, processing instruction or text (the three base64 values aside), blanks only between
    elements. Groups: SignedInfo's content, DigestValue, SignatureValue, X509Certificate.

    ``written``: the same signature as a signer may write it in a document whose canonical form
    declares nothing else (:func:`canonical_verifies`): an element with no content may also be an
    empty-element tag (signxml writes those), the start tag must declare ``ds`` and the
    certificate is base64 text and blanks. Expanding those tags gives the element's C14N
    exactly (:func:`_signature_parts`)."""
    blank = r"[ \t\n]*"
    base64_text = r"([A-Za-z0-9+/= \t\n]*)"

    def empty(name: str, algorithm: str) -> str:
        tag = f'{blank}<ds:{name} Algorithm="{re.escape(algorithm)}"'
        return tag + (f"(?:/>|></ds:{name}>)" if written else f"></ds:{name}>")

    def opened(*names: str) -> str:
        return "".join(f"{blank}<ds:{name}>" for name in names)

    def closed(*names: str) -> str:
        return "".join(f"{blank}</ds:{name}>" for name in names)

    starts = _DS_PREFIXED[1:] if written else _DS_PREFIXED
    start = "|".join(re.escape(tag[len("<ds:Signature") :]) for tag in starts)
    certificate = base64_text if written else "([^<]*)"
    pattern = (
        f"<ds:Signature(?:{start}){opened('SignedInfo')}"
        f"({empty('CanonicalizationMethod', _C14N11)}{empty('SignatureMethod', _RSA_SHA256)}"
        f'{blank}<ds:Reference URI="">{opened("Transforms")}'
        f"{empty('Transform', _ENVELOPED)}{empty('Transform', _C14N11)}{closed('Transforms')}"
        f"{empty('DigestMethod', _SHA256)}{opened('DigestValue')}{base64_text}</ds:DigestValue>"
        f"{closed('Reference')}{blank})</ds:SignedInfo>"
        f"{opened('SignatureValue')}{base64_text}</ds:SignatureValue>"
        f"{opened('KeyInfo', 'X509Data', 'X509Certificate')}{certificate}</ds:X509Certificate>"
        f"{closed('X509Data', 'KeyInfo', 'Signature')}"
    )
    return re.compile(pattern.encode())


_SHAPE = _shape()
_WRITTEN = _shape(written=True)
_EMPTY_ELEMENTS = tuple(
    (tag.encode() + b"/>", tag.encode() + f"></ds:{name}>".encode())
    for name, algorithm in (
        ("CanonicalizationMethod", _C14N11),
        ("SignatureMethod", _RSA_SHA256),
        ("Transform", _ENVELOPED),
        ("Transform", _C14N11),
        ("DigestMethod", _SHA256),
    )
    for tag in (f'<ds:{name} Algorithm="{algorithm}"',)
)
"""The empty elements of SignedInfo (:data:`_WRITTEN`) as empty-element tags and in C14N."""
_SIGNATURE_PREFIXES = 3
_SIGNED_INFO_OPEN = f'<ds:SignedInfo xmlns:ds="{DS_NS}">'.encode()


def signature_problem(
    document: bytes, trusted_certs: list[bytes], *, root: etree._Element | None = None
) -> str | None:
    """Why the CHUKYDONVI signature of ``document`` does not verify against any of
    ``trusted_certs`` (the facility's registered certificates), or None when it does.

    ``root`` is ``document`` already parsed with the parser's settings used here (the validator's
    :func:`lienthong.profiles.validation.parse_document`), to spare a second parse; it is left
    as it is. A caller that parsed the document has tried :func:`canonical_verifies` first (the
    gateway does), or has no parse left to spare: only without ``root`` is it tried here."""
    if trusted_certs and (
        (root is None and canonical_verifies(document, trusted_certs))
        or _lean_verifies(document, trusted_certs, root)
    ):
        return None
    return reference_signature_problem(document, trusted_certs)


def reference_signature_problem(document: bytes, trusted_certs: list[bytes]) -> str | None:
    """:func:`signature_problem` decided by signxml alone (the reference of the lean verifier)."""
    try:
        root = etree.fromstring(document)
    except etree.XMLSyntaxError as exc:
        return f"not XML: {exc.msg}"
    holder = root.find(xml130.SIGNATURE_TAG)
    if holder is None or holder.find(f"{{{DS_NS}}}Signature") is None:
        return f"{xml130.SIGNATURE_TAG} holds no XML signature"
    if not trusted_certs:
        return "the facility has no registered certificate"
    reason = "the signature does not verify"
    for cert in trusted_certs:
        try:
            XMLVerifier().verify(document, x509_cert=cert.decode("ascii"), expect_config=_EXPECT)
        except InvalidSignature as exc:
            reason = f"the signature does not verify: {exc}"
        except InvalidInput as exc:
            reason = f"the signature is malformed: {exc}"
        else:
            return None
    return reason


@lru_cache(maxsize=256)
def _rsa_key(pem: bytes) -> tuple[datetime, datetime, rsa.RSAPublicKey] | None:
    """The certificate's validity window and RSA key, read once (each read builds new objects)."""
    if not pem.startswith(b"-----BEGIN CERTIFICATE-----"):
        return None  # signxml would wrap it in a second header
    try:
        cert = x509.load_pem_x509_certificate(pem)
    except ValueError:
        return None
    key = cert.public_key()
    if not isinstance(key, rsa.RSAPublicKey):
        return None
    return cert.not_valid_before_utc, cert.not_valid_after_utc, key


_DIGITS = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
_UNUSED_BITS = {1: 0b11, 2: 0b1111}
"""The bits of the last digit that one or two ``=`` leave unused."""


def _base64(text: bytes) -> bytes | None:
    """The bytes of a base64 value that the xmldsig schema's ``base64Binary`` accepts, else None.

    With the signature's shape pinned by :data:`_SHAPE`, this is the check signxml's schema run
    adds for the gateway's profile. Only canonical encodings (blanks aside) are taken: libxml2
    refuses extra or misplaced padding and set unused bits, which Python's decoder lets through
    (the equivalence tests hold this to the schema's verdict)."""
    compact = b"".join(text.split())
    data = compact.rstrip(b"=")
    pad = len(compact) - len(data)
    if len(compact) % 4 or pad > 2 or (pad and _DIGITS.find(data[-1:]) & _UNUSED_BITS[pad]):
        return None
    try:
        return b64decode_strict(compact)  # the alphabet, and "=" only at the end
    except (binascii.Error, ValueError):
        return None


def _lean_verifies(document: bytes, trusted_certs: list[bytes], root: etree._Element | None = None) -> bool:
    """True only when signxml would accept ``document`` (parsed: ``root``) against one of
    ``trusted_certs``; False means "not decided here" (signxml decides).

    One canonicalisation of the whole document serves everything: the signature's shape is read
    from its canonical bytes (:data:`_SHAPE`), SignedInfo's canonical form is its content there
    under the one ``ds`` declaration in scope, and the enveloped-signature transform is the
    document's canonical bytes without the signature's (what the transform leaves, tail and all,
    canonicalises to exactly that)."""
    if root is None:
        try:
            root = etree.fromstring(document, _PARSER)
        except etree.XMLSyntaxError:
            return False
    tree = root.getroottree()
    if tree.docinfo.doctype or root.getprevious() is not None or root.getnext() is not None:
        return False  # DTDs, entities and top-level comments or PIs: signxml's business
    signatures = list(root.iter(_SIGNATURE))
    if len(signatures) != 1:
        return False
    holder = signatures[0].getparent()  # must be root.find(SIGNATURE_TAG), the first such child
    if (
        holder is None
        or holder.tag != xml130.SIGNATURE_TAG
        or holder.getparent() is not root
        or next(holder.itersiblings(xml130.SIGNATURE_TAG, preceding=True), None) is not None
    ):
        return False
    if signatures[0].nsmap != {"ds": DS_NS} or any(  # nothing else in scope: SignedInfo's c14n below
        key.startswith(_XML_NS) for node in (root, holder) for key in node.attrib
    ):
        return False
    try:
        canonical = etree.tostring(root, method="c14n")
    except etree.C14NError:
        return False
    # The profile's signature holds the only three "<ds:Signature" in the document (Signature,
    # SignatureMethod, SignatureValue): one more anywhere (a comment, say) leaves it to signxml.
    if canonical.count(b"<ds:Signature") != _SIGNATURE_PREFIXES:
        return False
    shape = _SHAPE.match(canonical, canonical.find(b"<ds:Signature"))
    if shape is None:
        return False
    whole = memoryview(canonical)  # the enveloped transform: the document without the signature
    return _shape_verifies(shape.groups(), (whole[: shape.start()], whole[shape.end() :]), trusted_certs)


_SIG_OPEN = _DS_PREFIXED[1].encode()
_SIG_CLOSE = b"</ds:Signature>"


def canonical_verifies(document: bytes, trusted_certs: list[bytes]) -> bool:
    """:func:`_lean_verifies` without parsing or canonicalising the document: True only when
    ``document``'s bytes outside its signature are already the canonical form of its document
    element (the subset ``native.canonical_spans`` recognises in C: well-formed, no attribute,
    no CR, no empty-element tag, no reference but ``&amp;`` ``&lt;`` ``&gt;``, ...: C14N would write
    those bytes back unchanged) and the signature verifies on them. Only the signature element
    is parsed and canonicalised (it may be written in any form: signxml writes empty-element
    tags). False: not decided here.

    The gateway asks this first: a document its HIS signed as written is then verified without
    parsing the whole document, and validated from its bytes."""
    if not native.COMPILED:
        return False
    spans = native.canonical_spans(document, xml130.SIGNATURE_TAG, _SIG_OPEN, _SIG_CLOSE)
    if spans is None:
        return False
    root_start, root_end, sig_start, sig_end = spans
    parts = _signature_parts(document[sig_start:sig_end])
    if parts is None:
        return False
    whole = memoryview(document)
    return _shape_verifies(parts, (whole[root_start:sig_start], whole[sig_end:root_end]), trusted_certs)


def _signature_parts(element: bytes) -> tuple[bytes, ...] | None:
    """The groups of :data:`_SHAPE` in the C14N of a signature element that declares ``ds`` and
    sits where nothing else is in scope (so it canonicalises alone as it does in the document);
    None when it is not well-formed or not in the profile's shape. Written in that shape
    (:data:`_WRITTEN`), its C14N is its own bytes with the empty-element tags expanded, so the
    groups are read from the bytes without a parse and a C14N (≈ 10 µs)."""
    written = _WRITTEN.fullmatch(element)
    if written is not None:
        signed_info, *values = written.groups()
        for tag, canonical_tag in _EMPTY_ELEMENTS:  # each appears once, in one of its two forms
            signed_info = signed_info.replace(tag, canonical_tag)
        return (signed_info, *values)
    try:
        canonical = etree.tostring(etree.fromstring(element, _PARSER), method="c14n")
    except (etree.XMLSyntaxError, etree.C14NError):
        return None
    shape = _SHAPE.fullmatch(canonical)
    return None if shape is None else shape.groups()


def _shape_verifies(
    parts: tuple[bytes, ...], enveloped: tuple[memoryview, memoryview], trusted_certs: list[bytes]
) -> bool:
    """The checks of the signature whose canonical bytes matched :data:`_SHAPE` with groups
    ``parts``, ``enveloped`` being the canonical document element without them (the digest's
    input)."""
    signed_info, digest_text, value_text, cert_text = parts
    raw_signature, digest = _base64(value_text), _base64(digest_text)
    if raw_signature is None or digest is None or _base64(cert_text) is None:
        return False  # with the shape pinned, all the xmldsig schema adds (no schema run: ≈ 40 µs)
    signed_info_c14n = b"".join((_SIGNED_INFO_OPEN, signed_info, b"</ds:SignedInfo>"))
    now = datetime.now(UTC)
    for pem in trusted_certs:
        known = _rsa_key(pem)
        if known is None or not known[0] <= now <= known[1]:
            continue
        key = known[2]
        try:
            key.verify(raw_signature, signed_info_c14n, padding.PKCS1v15(), hashes.SHA256())
        except CryptoInvalidSignature:
            continue
        break
    else:
        return False
    digest_of = hashlib.sha256(enveloped[0])
    digest_of.update(enveloped[1])
    return digest_of.digest() == digest
