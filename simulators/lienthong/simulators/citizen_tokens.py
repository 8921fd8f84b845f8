"""Citizen access tokens: issued by C06 at VNeID sign-in, checked by the MoH store.

HS256 JWTs (joserfc) carrying the citizen's CCCD, VNeID account level and the CCCDs of the wards
whose health book they manage. The simulation clock decides expiry, so tests can age a token.
Verified tokens are cached (the signature check is the costly part of a book read).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import OctKey

from lienthong.simulators.token_cache import VerifiedTokens


@dataclass(frozen=True, slots=True)
class CitizenClaims:
    cccd: str
    level: int
    wards: frozenset[str]
    expires: int
    """Unix seconds."""

    def may_read(self, cccd: str) -> bool:
        """A citizen reads their own book and the books of their wards."""
        return cccd == self.cccd or cccd in self.wards


def issue(
    secret: str,
    cccd: str,
    *,
    now: datetime,
    lifetime: timedelta = timedelta(hours=1),
    level: int = 2,
    wards: Iterable[str] = (),
) -> str:
    key = OctKey.import_key(secret.encode())
    claims = {
        "sub": cccd,
        "scope": "citizen",
        "level": level,
        "wards": sorted(wards),
        "iat": int(now.timestamp()),
        "exp": int((now + lifetime).timestamp()),
    }
    return jwt.encode({"alg": "HS256"}, claims, key)


def _decode(secret: str, token: str) -> CitizenClaims | None:
    try:
        claims = jwt.decode(token, OctKey.import_key(secret.encode()), algorithms=["HS256"]).claims
    except (JoseError, ValueError, TypeError):
        return None
    sub, wards = claims.get("sub"), claims.get("wards", [])
    if claims.get("scope") != "citizen" or not isinstance(sub, str) or not isinstance(wards, list):
        return None
    try:
        return CitizenClaims(
            sub, int(claims.get("level", 2)), frozenset(str(w) for w in wards), int(claims.get("exp", 0))
        )
    except (TypeError, ValueError):
        return None


_verified = VerifiedTokens(lambda secret, token: (c, c.expires) if (c := _decode(secret, token)) else None)


def claims(secret: str, token: str, *, now: datetime, accept_expired: bool = False) -> CitizenClaims | None:
    """The claims of a valid, unexpired citizen token, or None."""
    return _verified.get(secret, token, now=now, accept_expired=accept_expired)


def subject(secret: str, token: str, *, now: datetime, accept_expired: bool = False) -> str | None:
    """The CCCD a valid, unexpired citizen token speaks for, or None."""
    found = claims(secret, token, now=now, accept_expired=accept_expired)
    return found.cccd if found else None
