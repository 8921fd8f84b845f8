"""``lienthong sign FILE --key KEY.pem --cert CERT.pem``: sign a dossier or a check-in as a HIS does.

The signature is the profile's (SIG-01): an enveloped XMLDSig over the whole document
(``Reference URI=""``, RSA-SHA256, SHA-256 digests, the certificate in KeyInfo) placed in the
document's CHUKYDONVI, made by the simulated hospital's own signer
(:func:`lienthong.simulators.pki.sign_document`) and checked afterwards with the gateway's verifier.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Annotated

import typer
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from lienthong.conformance.cli._app import app
from lienthong.conformance.cli._console import console, fail
from lienthong.profiles import xml130
from lienthong.profiles.i18n import _
from lienthong.profiles.validation import parse_document
from lienthong.profiles.validator.encoding import encoding_problem
from lienthong.simulators.pki import SigningKey, sign_document, signature_problem

SIGNABLE = {xml130.ENVELOPE_ROOT: "dossier", xml130.CHECKIN_ROOT: "check-in"}


def _read(path: Path, what: str) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        fail(
            _("{what} {path}: cannot be read ({reason})").format(
                what=what, path=path, reason=exc.strerror or exc
            ),
            hint=_("give the path of an existing file"),
        )


def signing_key(key_path: Path, cert_path: Path) -> SigningKey:
    """The key and certificate of ``key_path``/``cert_path``, checked to belong together; a user
    error (exit 2) when either is not what it should be."""
    key_pem, cert_pem = _read(key_path, "--key"), _read(cert_path, "--cert")
    try:
        key = serialization.load_pem_private_key(key_pem, password=None)
    except (ValueError, TypeError) as exc:
        fail(
            _("--key {path}: is not an unencrypted PEM private key ({error})").format(
                path=key_path, error=exc
            ),
            hint=_("give the facility's KEY.pem, e.g. .lienthong/network/keys/79002.key.pem"),
        )
    try:
        cert = x509.load_pem_x509_certificate(cert_pem)
    except ValueError as exc:
        fail(
            _("--cert {path}: is not a PEM certificate ({error})").format(path=cert_path, error=exc),
            hint=_("give the facility's CERT.pem, e.g. .lienthong/network/keys/79002.cert.pem"),
        )
    public = serialization.PublicFormat.SubjectPublicKeyInfo
    if key.public_key().public_bytes(serialization.Encoding.DER, public) != cert.public_key().public_bytes(
        serialization.Encoding.DER, public
    ):
        fail(
            _("--key {key} does not belong to --cert {cert} (their public keys differ)").format(
                key=key_path, cert=cert_path
            ),
            hint=_("give the key and the certificate of the same facility"),
        )
    return SigningKey(key_pem, cert_pem)


def sign_file(document: bytes, key: SigningKey, *, where: str) -> bytes:
    """``document`` signed into its CHUKYDONVI; a user error when it is not a signable document."""
    problem = encoding_problem(document)
    if problem is not None:
        fail(f"{where}: {problem[1]}", hint=_("re-encode the file as UTF-8 and sign it again"))
    root = parse_document(document)
    if root is None:
        fail(
            _("{where}: is not well-formed XML").format(where=where),
            hint=_("check the file with: lienthong validate FILE"),
        )
    if root.tag not in SIGNABLE:
        fail(
            _(
                "{where}: the root element is {tag!r}; only a dossier ({dossier}) or a "
                "check-in ({checkin}) is signed"
            ).format(where=where, tag=root.tag, dossier=xml130.ENVELOPE_ROOT, checkin=xml130.CHECKIN_ROOT),
            hint=_("give a GIAMDINHHS dossier or a CHI_TIEU_TRANG_THAI_KCB check-in"),
        )
    if root.find(xml130.SIGNATURE_TAG) is None:
        fail(
            _("{where}: has no {tag} element to sign into").format(where=where, tag=xml130.SIGNATURE_TAG),
            hint=_("add an empty <{tag}/> as the root's last child (ENV-01, XML0-01)").format(
                tag=xml130.SIGNATURE_TAG
            ),
        )
    signed = sign_document(document, key)
    problem_text = signature_problem(signed, [key.cert_pem])
    if problem_text is not None:  # our signer made a signature our verifier refuses: a bug of ours
        fail(f"{where}: the signature made does not verify ({problem_text})", code=3)
    return signed


def write_atomically(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` (a temporary file renamed over it: never half written)."""
    folder = path.resolve().parent
    folder.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


@app.command()
def sign(
    file: Annotated[Path, typer.Argument(help="The dossier or check-in to sign.", show_default=False)],
    key: Annotated[Path, typer.Option("--key", help="The facility's private key (PEM).", show_default=False)],
    cert: Annotated[
        Path, typer.Option("--cert", help="The facility's certificate (PEM).", show_default=False)
    ],
    out: Annotated[
        Path | None, typer.Option("--out", help="Where to write the signed file (default: replace FILE).")
    ] = None,
) -> None:
    """Sign a dossier (GIAMDINHHS) or a check-in (CHI_TIEU_TRANG_THAI_KCB) with a facility key:
    an enveloped XMLDSig (RSA-SHA256) in CHUKYDONVI, as the gateway verifies it. An earlier
    signature in CHUKYDONVI is replaced."""
    chosen = signing_key(key, cert)
    document = _read(file, "FILE")
    signed = sign_file(document, chosen, where=str(file))
    target = out or file
    try:
        write_atomically(target, signed)
    except OSError as exc:
        fail(
            _("--out {path}: cannot be written ({reason})").format(path=target, reason=exc.strerror or exc),
            hint=_("choose a writable path"),
        )
    console.print(
        _("signed {file} -> {target} (verified with {cert})").format(file=file, target=target, cert=cert),
        soft_wrap=True,
    )
