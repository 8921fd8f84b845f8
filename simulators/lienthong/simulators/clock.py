"""Simulation time: a clock tests can set and speed up, and Vietnam local time (UTC+7) stamps.

Times in the XML tables and in the gateway's answers are Vietnam local time whatever the
machine's time zone (DESIGN decision 7).
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta, timezone

VN_TZ = timezone(timedelta(hours=7), "ICT")


class SimClock:
    """A clock that starts at ``start`` and runs ``speed`` times faster than the wall clock."""

    def __init__(self, start: datetime | None = None, *, speed: float = 1.0) -> None:
        self._anchor = start.astimezone(UTC) if start else datetime.now(UTC)
        self._real = time.monotonic()
        self.speed = speed

    def now(self) -> datetime:
        """The simulated current time, timezone-aware (UTC)."""
        return self._anchor + timedelta(seconds=(time.monotonic() - self._real) * self.speed)

    def set(self, moment: datetime) -> None:
        """Jump to ``moment`` (aware) and keep running from there."""
        self._anchor, self._real = moment.astimezone(UTC), time.monotonic()

    def advance(self, delta: timedelta) -> None:
        """Move the clock forward by ``delta`` at once."""
        self.set(self.now() + delta)


def vn_now(clock: SimClock) -> datetime:
    """The clock's time in Vietnam local time."""
    return clock.now().astimezone(VN_TZ)


STAMP = "%Y%m%d%H%M%S"
"""``yyyyMMddHHmmss``, the gateway's answer time."""


def vn_stamp(moment: datetime, pattern: str = STAMP) -> str:
    """``moment`` written in Vietnam local time (``yyyyMMddHHmmss`` by default)."""
    local = moment.astimezone(VN_TZ)
    if pattern == STAMP and local.year >= 1000:
        # strftime's digits, without its ≈ 10 µs a call (every gateway answer has a stamp)
        return f"{local.year}{local.month:02}{local.day:02}{local.hour:02}{local.minute:02}{local.second:02}"
    return local.strftime(pattern)
