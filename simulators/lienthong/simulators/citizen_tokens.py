"""Citizen access tokens: issued by C06 at VNeID sign-in, checked by the MoH store.

HS256 JWTs (joserfc) with the simulation clock deciding expiry, so tests can age a token.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import OctKey


def issue(secret: str, cccd: str, *, now: datetime, lifetime: timedelta = timedelta(hours=1)) -> str:
    key = OctKey.import_key(secret.encode())
    claims = {"sub": cccd, "scope": "citizen", "iat": int(now.timestamp()),
              "exp": int((now + lifetime).timestamp())}
    return jwt.encode({"alg": "HS256"}, claims, key)


def subject(secret: str, token: str, *, now: datetime, accept_expired: bool = False) -> str | None:
    """The CCCD a valid, unexpired citizen token speaks for, or None."""
    if not token:
        return None
    try:
        claims = jwt.decode(token, OctKey.import_key(secret.encode()), algorithms=["HS256"]).claims
    except (JoseError, ValueError):
        return None
    if claims.get("scope") != "citizen" or not isinstance(claims.get("sub"), str):
        return None
    if not accept_expired and int(claims.get("exp", 0)) <= now.timestamp():
        return None
    return str(claims["sub"])
