"""Rule SIG-01: the facility's enveloped XML signature in CHUKYDONVI verifies against a
certificate registered for that facility (SHA-256 RSA, Reference URI="", whole document) [S]."""

from __future__ import annotations

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


def signature_problem(document: bytes, trusted_certs: list[bytes]) -> str | None:
    """Why the CHUKYDONVI signature of ``document`` does not verify against any of
    ``trusted_certs`` (the facility's registered certificates), or None when it does."""
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
