"""The KSK health-check data-sync channel (QĐ 1551/QĐ-BYT as amended by QĐ 2062) [S].

``POST /api/auth/login`` gives a facility a bearer token; ``POST /api/platform/data-sync/push``
(header ``service-type: 100``) takes ``{header: {sender_id, msg_id, send_datetime}, data, signature}``:
``data`` is the base64 of a signed ``KHAMSUCKHOE`` XML file, ``signature`` the base64 SHA256withRSA
signature of the canonical header JSON (sorted keys, no spaces) followed by ``data`` [I: the exact
bytes signed are not published]. Answers carry the published codes (CM_*, PS_DS_*).
"""

from __future__ import annotations

import base64
import binascii
import re
from datetime import datetime
from typing import Any

import orjson
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from lxml import etree
from sqlalchemy import insert, select
from starlette.requests import Request

from lienthong.profiles.signature import signature_problem
from lienthong.simulators._node import BadRequest, JSONAnswer, body_fields, json_object
from lienthong.simulators.faults import MohFault
from lienthong.simulators.moh import tokens
from lienthong.simulators.moh.clients import authenticate
from lienthong.simulators.moh.reads import identify
from lienthong.simulators.moh.schema import clients, ksk_messages
from lienthong.simulators.moh.store import MoHStore

SERVICE_TYPE = "100"
KSK_SCOPE = "ksk.push"
MSG_ID = re.compile(r"(\d{13})(\d{6})([0-9a-f]{32})")


def signed_bytes(header: dict[str, Any], data: str) -> bytes:
    return orjson.dumps(header, option=orjson.OPT_SORT_KEYS) + data.encode("utf-8")


def sign(header: dict[str, Any], data: str, key_pem: bytes) -> str:
    """The ``signature`` a sender puts on a push (client side, for simulated hospitals and tests)."""
    key = serialization.load_pem_private_key(key_pem, password=None)
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ValueError("the KSK signature needs an RSA key")
    return base64.b64encode(
        key.sign(signed_bytes(header, data), padding.PKCS1v15(), hashes.SHA256())
    ).decode()


def msg_id(sender_id: str, moment: datetime, uuid_hex: str) -> str:
    """sender_id + YYMMDD + UUIDv4 without dashes."""
    return f"{sender_id}{moment:%y%m%d}{uuid_hex}"


def _answer(code: str, message: str, status: int = 400, **extra: Any) -> JSONAnswer:
    return JSONAnswer({"code": code, "message": message, **extra}, status_code=status)


async def login(store: MoHStore, request: Request) -> JSONAnswer:
    try:
        asked = await body_fields(request)
    except BadRequest as exc:
        return _answer("CM_INVALID_REQUEST", str(exc))
    client = authenticate(store.engine, asked.get("username", ""), asked.get("password", ""))
    if client is None:
        return _answer("CM_UNAUTHORIZED", "wrong username or password", 401)
    config = store.config
    token = tokens.issue(
        config.token_secret,
        client.facility,
        [KSK_SCOPE],
        now=config.clock.now(),
        lifetime=config.token_lifetime,
    )
    return _answer(
        "CM_SUCCESS",
        "ok",
        200,
        data={
            "access_token": token,
            "token_type": "Bearer",
            "expires_in": int(config.token_lifetime.total_seconds()),
        },
    )


def _rsa_problem(cert_pem: str, header: dict[str, Any], data: str, signature: object) -> str | None:
    if not isinstance(signature, str) or not signature:
        return "PS_DS_RSA_SIGNATURE_MISSING"
    try:
        public = x509.load_pem_x509_certificate(cert_pem.encode("ascii")).public_key()
        if not isinstance(public, rsa.RSAPublicKey):
            return "PS_DS_RSA_SIGNATURE_INVALID"
        public.verify(
            base64.b64decode(signature, validate=True),
            signed_bytes(header, data),
            padding.PKCS1v15(),
            hashes.SHA256(),
        )
    except (InvalidSignature, ValueError, binascii.Error):
        return "PS_DS_RSA_SIGNATURE_INVALID"
    return None


def _document_problem(data: str, cert_pem: str) -> tuple[str, str] | None:
    try:
        document = base64.b64decode(data, validate=True)
        root = etree.fromstring(document, etree.XMLParser(resolve_entities=False, no_network=True))
    except (binascii.Error, ValueError, etree.XMLSyntaxError):
        return "CM_INVALID_REQUEST", "data: must be the base64 of a KHAMSUCKHOE XML file"
    if root.tag != "KHAMSUCKHOE":
        return "CM_INVALID_REQUEST", f"data: root element is {str(root.tag)[:40]}, expected KHAMSUCKHOE"
    problem = signature_problem(document, [cert_pem.encode("ascii")] if cert_pem else [])
    if problem and "holds no XML signature" in problem:
        return "PS_DS_CA_SIGNATURE_MISSING", problem
    if problem:
        return "PS_DS_CA_SIGNATURE_INVALID", problem
    return None


async def push(store: MoHStore, request: Request) -> JSONAnswer:
    caller = identify(store.config, request)
    if caller is None or caller.kind != "facility" or KSK_SCOPE not in caller.scopes:
        return _answer("CM_UNAUTHORIZED", "a bearer token from POST /api/auth/login is required", 401)
    if request.headers.get("service-type") != SERVICE_TYPE:
        return _answer("CM_INVALID_REQUEST", f"header service-type must be {SERVICE_TYPE}")
    try:
        body = await json_object(request)
    except BadRequest as exc:
        return _answer("CM_INVALID_REQUEST", str(exc))
    header, data = body.get("header"), body.get("data")
    if not isinstance(header, dict) or not isinstance(data, str):
        return _answer("CM_INVALID_REQUEST", "body: needs an object header and a string data")
    with store.engine.connect() as db:
        client = db.execute(select(clients).where(clients.c.facility == caller.id)).first()
    if client is None:
        return _answer("CM_UNAUTHORIZED", "the facility is no longer registered", 401)
    checked = MohFault.KSK_ACCEPTS_UNSIGNED not in store.config.faults
    code = _rsa_problem(client.cert_pem, header, data, body.get("signature")) if checked else None
    if code:
        return _answer(code, "the signature over header + data is missing or does not verify")
    sender, message = str(header.get("sender_id", "")), str(header.get("msg_id", ""))
    matched = MSG_ID.fullmatch(message)
    if sender != client.gln or not matched or matched.group(1) != sender:
        return _answer(
            "CM_INVALID_REQUEST",
            "header: sender_id must be this facility's 13-digit GLN and "
            "msg_id = sender_id + YYMMDD + UUIDv4 without dashes",
        )
    if not isinstance(header.get("send_datetime"), int) or isinstance(header.get("send_datetime"), bool):
        return _answer("CM_INVALID_REQUEST", "header.send_datetime: must be Unix time in milliseconds")
    bad = _document_problem(data, client.cert_pem) if checked else None
    if bad:
        return _answer(*bad)
    with store.engine.begin() as db:
        if db.execute(select(ksk_messages.c.msg_id).where(ksk_messages.c.msg_id == message)).first() is None:
            db.execute(
                insert(ksk_messages).values(
                    msg_id=message,
                    sender_id=sender,
                    client_id=caller.id,
                    received_at=store.config.clock.now(),
                    payload=data.encode("ascii", "replace"),
                )
            )
    return _answer("PS_DS_SAVE_SUCCESS", "saved", 200, msg_id=message)
