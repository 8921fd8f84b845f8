"""Gateway accounts and session tokens (``/api/token/take``, headers accessToken/tokenId)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, insert, select

from lienthong.simulators.gateway.schema import accounts, sessions


@dataclass(frozen=True, slots=True)
class Session:
    username: str
    facility: str
    password_md5: str


def open_session(engine: Engine, username: str, password_md5: str, *, expires_at: datetime,
                 any_password: bool = False) -> tuple[str, str] | None:
    """(access_token, id_token) for valid credentials, else None."""
    with engine.begin() as db:
        account = db.execute(select(accounts).where(accounts.c.username == username)).first()
        if account is None or (not any_password and
                               not secrets.compare_digest(account.password_md5, password_md5.upper())):
            return None
        access, ident = secrets.token_hex(24), secrets.token_hex(16)
        db.execute(insert(sessions).values(access_token=access, id_token=ident, username=username,
                                           expires_at=expires_at))
    return access, ident


def current_session(engine: Engine, access_token: str, id_token: str, *, now: datetime) -> Session | None:
    """The live session these headers name, or None (unknown, mismatched or expired)."""
    if not access_token or not id_token:
        return None
    with engine.connect() as db:
        row = db.execute(
            select(sessions.c.username, sessions.c.id_token, sessions.c.expires_at,
                   accounts.c.facility, accounts.c.password_md5)
            .join(accounts, accounts.c.username == sessions.c.username)
            .where(sessions.c.access_token == access_token)
        ).first()
    if row is None or not secrets.compare_digest(row.id_token, id_token):
        return None
    expires = row.expires_at if row.expires_at.tzinfo else row.expires_at.replace(tzinfo=now.tzinfo)
    if expires <= now:
        return None
    return Session(row.username, row.facility, row.password_md5)
