"""An open model: requests are started at a target arrival rate whatever the latency.

Locust users are a closed model (a user waits for its answer before the next request), and
``constant_throughput`` is still closed: a slow server lowers the load. Here every user of a
stream claims the next start time of one shared Poisson schedule (like k6's constant-arrival-rate
executor): the schedule never waits for answers, so while users are free the arrival rate holds;
when all users are busy, starts fall late and are counted, and the achieved rate shows the
shortfall against the target.
"""

from __future__ import annotations

import heapq
import random
from collections.abc import Callable
from dataclasses import dataclass, field

LATE_AFTER = 1.0
"""Seconds after its scheduled time a start counts as late (the pool of users was exhausted)."""
IDLE_STEP = 0.5
"""Seconds to look again when the current rate is zero."""


@dataclass
class Arrivals:
    """The Poisson schedule of one stream in one process; ``rate(elapsed)`` in arrivals per second."""

    rate: Callable[[float], float]
    seed: int = 0
    started: int = 0
    late: int = 0
    _next: float | None = None
    _origin: float = 0.0
    _rng: random.Random = field(default_factory=random.Random)
    _ahead: list[float] = field(default_factory=list)
    """Claimed starts still in the future (a heap): at most one per user."""

    def __post_init__(self) -> None:
        self._rng.seed(self.seed)

    def begin(self, now: float) -> None:
        self._origin, self._next = now, now

    def claim(self, now: float) -> float:
        """Seconds the claiming user must wait before its next start (0 when the start is due)."""
        if self._next is None:
            self.begin(now)
        assert self._next is not None
        start = self._next
        while True:
            current = self.rate(max(0.0, self._next - self._origin))
            if current > 0:
                self._next += self._rng.expovariate(current)
                break
            self._next += IDLE_STEP
            start = self._next
        self.started += 1
        while self._ahead and self._ahead[0] <= now:
            heapq.heappop(self._ahead)
        if start > now:
            heapq.heappush(self._ahead, start)
        if now - start > LATE_AFTER:
            self.late += 1
        return max(0.0, start - now)

    def due(self, now: float) -> int:
        """Arrivals the schedule holds up to ``now``: those started, and those still owed because no
        user was free to claim them (the same Poisson draws a claim would have taken)."""
        if self._next is None:
            return 0
        owed, at = 0, self._next
        rng = random.Random()
        rng.setstate(self._rng.getstate())
        while at <= now:
            current = self.rate(max(0.0, at - self._origin))
            if current > 0:
                owed += 1
                at += rng.expovariate(current)
            else:
                at += IDLE_STEP
        return self.started - sum(1 for at in self._ahead if at > now) + owed
