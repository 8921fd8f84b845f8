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
    log_batch: int = 200
    """Reads are logged in memory and written in batches of this size (or after a second). The
    writer thread's burst of CPU delays the reads behind it: at 1,000 the p99 of reads paced at
    70 % of saturation rose to 54-72 ms on one core, at 200 it was 6.4 ms (``lienthong bench book``)."""
