"""A simulated certification authority and the facility's enveloped XML signature (CHUKYDONVI).

Real parts: RSA-2048 keys, X.509 certificates, XMLDSig enveloped signatures (SHA-256,
``Reference URI=""``) placed inside CHUKYDONVI, as the vendor signer notes describe [S].
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from lxml import etree
from signxml import methods
from signxml.signer import XMLSigner

from lienthong.profiles import xml130
from lienthong.profiles.signature import DS_NS, canonical_verifies, signature_problem

__all__ = [
    "CertificateAuthority",
    "SigningKey",
    "canonical_verifies",
    "shared_authority",
    "sign_document",
    "signature_problem",
]
_VALID_FROM = datetime(2025, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class SigningKey:
    """A facility's private key and certificate, PEM-encoded."""

    key_pem: bytes
    cert_pem: bytes


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"), x509.NameAttribute(NameOID.COMMON_NAME, common_name)]
    )


class CertificateAuthority:
    """Issues facility certificates; lienthong's stand-in for a licensed Vietnamese CA."""

    def __init__(self, name: str = "lienthong Simulated CA") -> None:
        self._key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self._name = _name(name)
        self.cert = (
            x509.CertificateBuilder()
            .subject_name(self._name)
            .issuer_name(self._name)
            .public_key(self._key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(_VALID_FROM)
            .not_valid_after(_VALID_FROM + timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .sign(self._key, hashes.SHA256())
        )

    def issue(self, subject: str, *, days: int = 3650) -> SigningKey:
        """A new key and a certificate for ``subject`` (e.g. the facility name and code)."""
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        cert = (
            x509.CertificateBuilder()
            .subject_name(_name(subject))
            .issuer_name(self._name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(_VALID_FROM)
            .not_valid_after(_VALID_FROM + timedelta(days=days))
            .sign(self._key, hashes.SHA256())
        )
        return SigningKey(
            key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            ),
            cert.public_bytes(serialization.Encoding.PEM),
        )


@cache
def shared_authority() -> CertificateAuthority:
    """One CA per process, so tests that build many networks pay for its key once."""
    return CertificateAuthority()


@cache
def _private_key(pem: bytes) -> Any:
    """The loaded key (loading checks the RSA key, ~0.1 s: once per key, not once per document)."""
    return serialization.load_pem_private_key(pem, password=None)


def sign_document(document: bytes, key: SigningKey) -> bytes:
    """Sign a whole XML 130 document into its (empty) CHUKYDONVI element."""
    root = etree.fromstring(document)
    holder = root.find(xml130.SIGNATURE_TAG)
    if holder is None:
        raise ValueError(f"document has no {xml130.SIGNATURE_TAG} element to sign into")
    for child in list(holder):
        holder.remove(child)
    etree.SubElement(holder, f"{{{DS_NS}}}Signature", Id="placeholder", nsmap={"ds": DS_NS})
    signer = XMLSigner(method=methods.enveloped, signature_algorithm="rsa-sha256", digest_algorithm="sha256")
    signed = signer.sign(root, key=_private_key(key.key_pem), cert=key.cert_pem.decode("ascii"))
    return b'<?xml version="1.0" encoding="utf-8"?>\r\n' + etree.tostring(signed, encoding="utf-8")
