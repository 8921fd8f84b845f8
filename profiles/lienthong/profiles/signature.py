"""Rule SIG-01: the facility's enveloped XML signature in CHUKYDONVI verifies against a
certificate registered for that facility (SHA-256 RSA, Reference URI="", whole document) [S].

Two verifiers give one verdict. signxml (:func:`reference_signature_problem`) is the reference and
decides every document it is given. In front of it, :func:`_lean_verifies` handles the one profile
the gateway accepts (enveloped, RSA-SHA256, SHA-256 digest, C14N 1.1, one reference, X509Data
only) with one parse, two canonicalisations and one RSA verification, about a fifth of signxml's
cost. The lean path can only *accept*: it accepts when every check signxml makes for that profile
passes (same parser, same schema, same certificate validity window, same digest and signature
input), and hands anything else — a document of another shape, a failed check, a malformed
value — to signxml, so every rejection and its reason come from the reference. The equivalence
tests compare the two on valid, tampered, wrongly signed and reshaped documents.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
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


_SIGNATURE, _SIGNED_INFO, _REFERENCE = _ds("Signature"), _ds("SignedInfo"), _ds("Reference")
_EMPTY_WITH = {  # element -> its only attributes; these elements hold nothing else
    _ds("CanonicalizationMethod"): {"Algorithm": _C14N11},
    _ds("SignatureMethod"): {"Algorithm": _RSA_SHA256},
    _ds("DigestMethod"): {"Algorithm": _SHA256},
}
_CHILDREN = {  # element -> its exact children, in order
    _SIGNATURE: (_SIGNED_INFO, _ds("SignatureValue"), _ds("KeyInfo")),
    _SIGNED_INFO: (_ds("CanonicalizationMethod"), _ds("SignatureMethod"), _REFERENCE),
    _REFERENCE: (_ds("Transforms"), _ds("DigestMethod"), _ds("DigestValue")),
    _ds("Transforms"): (_ds("Transform"), _ds("Transform")),
    _ds("KeyInfo"): (_ds("X509Data"),),
    _ds("X509Data"): (_ds("X509Certificate"),),
}
_VALUES = (_ds("SignatureValue"), _ds("DigestValue"), _ds("X509Certificate"))


def signature_problem(
    document: bytes, trusted_certs: list[bytes], *, root: etree._Element | None = None
) -> str | None:
    """Why the CHUKYDONVI signature of ``document`` does not verify against any of
    ``trusted_certs`` (the facility's registered certificates), or None when it does.

    ``root`` is ``document`` already parsed with the parser's settings used here (the validator's
    :func:`lienthong.profiles.validation.parse_document`), to spare a second parse; it is consumed:
    the lean path removes the signature from it."""
    if trusted_certs and _lean_verifies(document, trusted_certs, root):
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
def _certificate(pem: bytes) -> x509.Certificate | None:
    if not pem.startswith(b"-----BEGIN CERTIFICATE-----"):
        return None  # signxml would wrap it in a second header
    try:
        return x509.load_pem_x509_certificate(pem)
    except ValueError:
        return None


@lru_cache(maxsize=1)
def _schema() -> etree.XMLSchema:
    schema: etree.XMLSchema = XMLVerifier.schemas()[0]  # type: ignore[no-untyped-call]
    return schema


def _blank(text: str | None) -> bool:
    return text is None or not text.strip()


def _exact_shape(signature: etree._Element) -> bool:
    """The signature is the gateway's profile and nothing more: no other element, attribute,
    comment, processing instruction or text (other than the three base64 values)."""
    for node in signature.iter():
        tag = node.tag
        if not isinstance(tag, str) or (node is not signature and not _blank(node.tail)):
            return False
        children = _CHILDREN.get(tag)
        if children is not None:
            attributes = {"URI": ""} if tag == _REFERENCE else {}
            if (
                tuple(c.tag for c in node) != children
                or not _blank(node.text)
                or dict(node.attrib) != attributes
            ):
                return False
        elif tag in _EMPTY_WITH:
            if len(node) or not _blank(node.text) or dict(node.attrib) != _EMPTY_WITH[tag]:
                return False
        elif tag == _ds("Transform"):
            if len(node) or not _blank(node.text) or len(node.attrib) != 1:
                return False
        elif tag in _VALUES:
            if len(node) or node.attrib:
                return False
        else:
            return False
    transforms = signature[0][2][0]
    return [t.get("Algorithm") for t in transforms] == [_ENVELOPED, _C14N11]


def _base64(text: str | None) -> bytes | None:
    try:
        return base64.b64decode("".join((text or "").split()), validate=True)
    except (binascii.Error, ValueError):
        return None


def _lean_verifies(document: bytes, trusted_certs: list[bytes], root: etree._Element | None = None) -> bool:
    """True only when signxml would accept ``document`` (parsed: ``root``) against one of
    ``trusted_certs``; False means "not decided here" (signxml decides)."""
    if root is None:
        try:
            root = etree.fromstring(document, _PARSER)
        except etree.XMLSyntaxError:
            return False
    tree = root.getroottree()
    if tree.docinfo.doctype or root.getprevious() is not None or root.getnext() is not None:
        return False  # DTDs, entities and top-level comments or PIs: signxml's business
    signatures = list(root.iter(_SIGNATURE))
    holder = root.find(xml130.SIGNATURE_TAG)
    if len(signatures) != 1 or holder is None or signatures[0].getparent() is not holder:
        return False
    signature = signatures[0]
    if (
        signature.nsmap != {"ds": DS_NS}  # nothing inherited: in-place c14n = signxml's copy's
        or signature.attrib
        or any(key.startswith(_XML_NS) for node in (root, holder) for key in node.attrib)
        or not _exact_shape(signature)
        or not _schema().validate(signature)
    ):
        return False
    signed_info, signature_value = signature[0], signature[1]
    digest_value = signed_info[2][2]
    raw_signature, digest = _base64(signature_value.text), _base64(digest_value.text)
    if raw_signature is None or digest is None:
        return False
    signed_info_c14n = etree.tostring(signed_info, method="c14n")
    now = datetime.now(UTC)
    for pem in trusted_certs:
        cert = _certificate(pem)
        if cert is None or not cert.not_valid_before_utc <= now <= cert.not_valid_after_utc:
            continue
        key = cert.public_key()
        if not isinstance(key, rsa.RSAPublicKey):
            continue
        try:
            key.verify(raw_signature, signed_info_c14n, padding.PKCS1v15(), hashes.SHA256())
        except CryptoInvalidSignature:
            continue
        break
    else:
        return False
    _remove_enveloped(signature)
    return hashlib.sha256(etree.tostring(root, method="c14n")).digest() == digest


def _remove_enveloped(signature: etree._Element) -> None:
    """The enveloped-signature transform as signxml applies it (the tail text is kept)."""
    parent = signature.getparent()
    assert parent is not None
    if signature.tail is not None:
        previous = signature.getprevious()
        if previous is None:
            parent.text = (parent.text or "") + signature.tail
        else:
            previous.tail = (previous.tail or "") + signature.tail
    parent.remove(signature)
