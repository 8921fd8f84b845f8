"""Configuration of a simulated MoH health-book store."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import timedelta

from lienthong.simulators.clock import SimClock


@dataclass
class MoHConfig:
    database_url: str = "sqlite://"
    faults: frozenset[str] = frozenset()
    clock: SimClock = field(default_factory=SimClock)
    service_token: str = field(default_factory=lambda: secrets.token_urlsafe(16))
    """Bearer token of the gateway (``/internal`` endpoints)."""
    citizen_token_secret: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    """Key of the citizen tokens C06 issues at VNeID sign-in."""
    visibility_delay: timedelta = timedelta(0)
    """How long after storage a visit becomes visible on VNeID (must be within 24 h, QĐ 2733)."""
    token_secret: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    """Key of the facility access tokens this store issues (client credentials, KSK login)."""
    token_lifetime: timedelta = timedelta(hours=1)
    log_batch: int = 1000
    """Reads are logged in memory and written in batches of this size (or after a second)."""
