"""Facility clients of the store and the OAuth2 client-credentials token endpoint (RFC 6749 §4.4)."""

from __future__ import annotations

import base64
import binascii
import hashlib
import secrets
from typing import Any

from sqlalchemy import Engine, insert, select, update
from starlette.requests import Request

from lienthong.simulators._node import BadRequest, JSONAnswer, body_fields
from lienthong.simulators.moh import tokens
from lienthong.simulators.moh.config import MoHConfig
from lienthong.simulators.moh.fhir_more import SEARCHABLE
from lienthong.simulators.moh.schema import clients

FACILITY_SCOPES = tuple(f"system/{kind}.read" for kind in SEARCHABLE)
"""What a facility client may ask for (SMART backend-services style scopes)."""


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def register_client(
    engine: Engine,
    client_id: str,
    secret: str,
    *,
    facility: str,
    scopes: tuple[str, ...] = FACILITY_SCOPES,
    gln: str = "",
    cert_pem: bytes = b"",
) -> None:
    row = {
        "secret_sha256": _sha256(secret),
        "facility": facility,
        "scopes": " ".join(scopes),
        "gln": gln,
        "cert_pem": cert_pem.decode("ascii"),
    }
    with engine.begin() as db:
        if db.execute(select(clients.c.client_id).where(clients.c.client_id == client_id)).first() is None:
            db.execute(insert(clients).values(client_id=client_id, **row))
        else:
            db.execute(update(clients).where(clients.c.client_id == client_id).values(**row))


def authenticate(engine: Engine, client_id: str, secret: str) -> Any:
    """The client row for valid credentials, else None."""
    with engine.connect() as db:
        row = db.execute(select(clients).where(clients.c.client_id == client_id)).first()
    if row is None or not secret or not secrets.compare_digest(row.secret_sha256, _sha256(secret)):
        return None
    return row


def _basic(request: Request) -> tuple[str, str]:
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return "", ""
    try:
        user, _, password = base64.b64decode(value, validate=True).decode("utf-8").partition(":")
    except (binascii.Error, ValueError):
        return "", ""
    return user, password


def _oauth_error(code: str, text: str, status: int = 400) -> JSONAnswer:
    return JSONAnswer(
        {"error": code, "error_description": text}, status_code=status, headers={"cache-control": "no-store"}
    )


async def token_endpoint(engine: Engine, config: MoHConfig, request: Request) -> JSONAnswer:
    """``POST /oauth/token``: grant_type=client_credentials, client_id/secret (form or Basic), scope."""
    try:
        form = await body_fields(request)
    except BadRequest as exc:
        return _oauth_error("invalid_request", str(exc))
    if form.get("grant_type") != "client_credentials":
        return _oauth_error("unsupported_grant_type", "grant_type must be client_credentials")
    client_id, secret = _basic(request)
    client_id, secret = client_id or form.get("client_id", ""), secret or form.get("client_secret", "")
    client = authenticate(engine, client_id, secret)
    if client is None:
        return _oauth_error("invalid_client", "unknown client or wrong secret", 401)
    allowed = client.scopes.split()
    asked = form.get("scope", "").split() or allowed
    unknown = [s for s in asked if s not in allowed]
    if unknown:
        return _oauth_error("invalid_scope", f"not allowed for this client: {' '.join(unknown)}")
    token = tokens.issue(
        config.token_secret, client.facility, asked, now=config.clock.now(), lifetime=config.token_lifetime
    )
    return JSONAnswer(
        {
            "access_token": token,
            "token_type": "Bearer",
            "expires_in": int(config.token_lifetime.total_seconds()),
            "scope": " ".join(asked),
        },
        headers={"cache-control": "no-store"},
    )
