"""Gateway accounts and session tokens (``/api/token/take``, headers accessToken/tokenId).

Live sessions are kept in memory as well as in the database, so a submission costs no query to
authenticate. The database stays the record (a restarted gateway reloads from it); the memory copy
is written when a session opens, dropped when one is revoked or its account changes, and re-read
from the database after ``CACHE_SECONDS`` so a change made by another process is seen soon. The
expiry is checked against the simulation clock on every request, cached or not.
"""

from __future__ import annotations

import secrets
import time
import weakref
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, delete, insert, select

from lienthong.simulators.gateway.schema import accounts, sessions

CACHE_SECONDS = 5.0
"""How long a session read from the database is trusted without reading it again."""
_CACHE_SIZE = 50_000
"""Past this many sessions in memory the copy is emptied (the database has them all)."""


@dataclass(frozen=True, slots=True)
class Session:
    username: str
    facility: str
    password_md5: str


@dataclass(frozen=True, slots=True)
class _Known:
    id_token: str
    expires_at: datetime
    session: Session
    read_at: float


_known: weakref.WeakKeyDictionary[Engine, dict[str, _Known]] = weakref.WeakKeyDictionary()


def _cache(engine: Engine) -> dict[str, _Known]:
    cache = _known.get(engine)
    if cache is None:
        cache = _known[engine] = {}
    return cache


def forget_sessions(engine: Engine) -> None:
    """Drop the memory copy of every session (after accounts change)."""
    _cache(engine).clear()


def open_session(
    engine: Engine, username: str, password_md5: str, *, expires_at: datetime, any_password: bool = False
) -> tuple[str, str] | None:
    """(access_token, id_token) for valid credentials, else None."""
    with engine.begin() as db:
        account = db.execute(select(accounts).where(accounts.c.username == username)).first()
        if account is None or (
            not any_password and not secrets.compare_digest(account.password_md5, password_md5.upper())
        ):
            return None
        access, ident = secrets.token_hex(24), secrets.token_hex(16)
        db.execute(
            insert(sessions).values(
                access_token=access, id_token=ident, username=username, expires_at=expires_at
            )
        )
    session = Session(username, account.facility, account.password_md5)
    cache = _cache(engine)
    if len(cache) >= _CACHE_SIZE:
        cache.clear()
    cache[access] = _Known(ident, expires_at, session, time.monotonic())
    return access, ident


def revoke_session(engine: Engine, access_token: str) -> bool:
    """End a session now (in the database and in memory); whether it existed."""
    _cache(engine).pop(access_token, None)
    with engine.begin() as db:
        return db.execute(delete(sessions).where(sessions.c.access_token == access_token)).rowcount > 0


def _read(engine: Engine, access_token: str) -> _Known | None:
    with engine.connect() as db:
        row = db.execute(
            select(
                sessions.c.username,
                sessions.c.id_token,
                sessions.c.expires_at,
                accounts.c.facility,
                accounts.c.password_md5,
            )
            .join(accounts, accounts.c.username == sessions.c.username)
            .where(sessions.c.access_token == access_token)
        ).first()
    if row is None:
        return None
    session = Session(row.username, row.facility, row.password_md5)
    return _Known(row.id_token, row.expires_at, session, time.monotonic())


def current_session(
    engine: Engine, access_token: str, id_token: str, *, now: datetime, accept_expired: bool = False
) -> Session | None:
    """The live session these headers name, or None (unknown, mismatched, revoked or expired)."""
    if not access_token or not id_token:
        return None
    cache = _cache(engine)
    known = cache.get(access_token)
    if known is None or time.monotonic() - known.read_at > CACHE_SECONDS:
        known = _read(engine, access_token)
        if known is None:
            cache.pop(access_token, None)
            return None
        cache[access_token] = known
    if not secrets.compare_digest(known.id_token, id_token):
        return None
    expires = known.expires_at if known.expires_at.tzinfo else known.expires_at.replace(tzinfo=now.tzinfo)
    if expires <= now and not accept_expired:
        return None
    return known.session
