"""Configuration of a simulated BHXH gateway."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING

from lienthong.simulators.clock import SimClock
from lienthong.simulators.population.citizens import DEFAULT_SEED

if TYPE_CHECKING:
    from lienthong.simulators.gateway.scripted import ScriptedAnswer


@dataclass
class GatewayConfig:
    database_url: str = "sqlite://"
    faults: frozenset[str] = frozenset()
    variants: frozenset[str] = frozenset()
    """Conformant variants (``faults.GatewayVariant``): other legal answers the suite must accept."""
    clock: SimClock = field(default_factory=SimClock)
    token_lifetime: timedelta = timedelta(hours=1)
    admin_token: str = field(default_factory=lambda: secrets.token_urlsafe(16))
    """Bearer token of lienthong's own journal API (not part of the BHXH API)."""
    service_token: str = field(default_factory=lambda: secrets.token_urlsafe(16))
    """Bearer token the gateway presents to C06 and the MoH store."""
    synchronous: str = "NORMAL"
    """SQLite ``PRAGMA synchronous`` (WAL): ``NORMAL`` keeps every answered submission through a
    process kill; ``FULL`` (an fsync per commit group) also through a power loss."""
    require_checkin: bool = True
    """Refuse a non-emergency BHYT dossier whose MA_LK had no accepted check-in (XML0-06: QĐ 130
    Đ3 k1 [V], QĐ 4750 Đ2 k2 [S]). Only benchmarks of the bare ingest path turn it off."""
    require_signature: bool = True
    """Signing is mandatory from 01/01/2026 (NĐ 188/2025 Đ69 k9) [S]."""
    max_attempts: int = 8
    forward_interval: float = 0.2
    """Seconds between outbox sweeps when served."""
    header_faults: bool = False
    """Honour the ``X-Lienthong-Fault`` request header (test networks only)."""
    seed: int = DEFAULT_SEED
    population: int = 0
    """Citizens of the synthetic population whose cards the lookup API knows (0: none)."""
    variant_delay: float = 0.1
    """Delay of every submission under the ``slower`` variant."""
    slow_seconds: float = 2.1
    """Delay of the ``slow_answer`` fault."""
    hang_seconds: float = 2.1
    """How long ``hangs_after_commit`` withholds the answer: past the 2 s budget of API-09 (raise it to
    outlast a HIS's own timeout)."""
    scripted: list[ScriptedAnswer] = field(default_factory=list)
    """One-shot behaviours of a certification scenario's steps (``gateway.scripted``), each applied
    once, to the first dossier of its patient the gateway would accept."""
    withhold_seconds: float = 65.0
    """How long ``withhold_first_answer`` withholds its answer: past a HIS's own timeout (a
    certification session's ``--withhold-seconds``)."""
