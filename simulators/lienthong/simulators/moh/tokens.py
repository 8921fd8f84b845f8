"""Facility access tokens: OAuth2-style client credentials with scopes (and the KSK login).

HS256 JWTs (joserfc) signed by the store; the simulation clock decides expiry. Verified tokens
are cached: the signature check is the costly part of a read.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import OctKey

from lienthong.simulators.moh.access import Caller
from lienthong.simulators.token_cache import VerifiedTokens


def issue(secret: str, client_id: str, scopes: list[str], *, now: datetime, lifetime: timedelta) -> str:
    claims = {
        "sub": client_id,
        "kind": "facility",
        "scope": " ".join(scopes),
        "iat": int(now.timestamp()),
        "exp": int((now + lifetime).timestamp()),
    }
    return jwt.encode({"alg": "HS256"}, claims, OctKey.import_key(secret.encode()))


def _decode(secret: str, token: str) -> tuple[Caller, int] | None:
    try:
        claims = jwt.decode(token, OctKey.import_key(secret.encode()), algorithms=["HS256"]).claims
        sub, scope, exp = claims["sub"], claims.get("scope", ""), int(claims["exp"])
    except (JoseError, ValueError, TypeError, KeyError):
        return None
    if claims.get("kind") != "facility" or not isinstance(sub, str) or not isinstance(scope, str):
        return None
    return Caller("facility", sub, frozenset(scope.split())), exp


_verified = VerifiedTokens(_decode)


def facility(secret: str, token: str, *, now: datetime, accept_expired: bool = False) -> Caller | None:
    """The facility a valid, unexpired token speaks for, or None."""
    return _verified.get(secret, token, now=now, accept_expired=accept_expired)
