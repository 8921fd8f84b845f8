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
import math
import random
from collections.abc import Callable
from dataclasses import dataclass, field

LATE_AFTER = 1.0
"""Seconds after its scheduled time a start counts as late (the pool of users was exhausted)."""
IDLE_STEP = 0.5
"""Seconds to look again when no arrival is ahead."""
HORIZON = 3600.0
"""How far ahead a schedule looks for its next arrival before it waits and looks again."""


@dataclass
class Arrivals:
    """The Poisson schedule of one stream in one process: ``rate(elapsed)`` arrivals per second,
    never above ``ceiling``. Arrivals are drawn by thinning (Lewis and Shedler): candidates at the
    ceiling's rate, each kept with probability rate/ceiling, which is exact when the rate moves (a
    gap drawn at a quiet moment does not hold back the busy hour after it)."""

    rate: Callable[[float], float]
    ceiling: float
    seed: int = 0
    started: int = 0
    late: int = 0
    running: int = 0
    """Arrivals whose task is running now."""
    in_flight_at_stop: int = 0
    """Arrivals still running when the run began to stop: neither made nor missed."""
    _next: float | None = None
    _origin: float = 0.0
    """When the schedule began (0: at the first claim)."""
    _rng: random.Random = field(default_factory=random.Random)
    _ahead: list[float] = field(default_factory=list)
    """Claimed starts still in the future (a heap): at most one per user."""

    def __post_init__(self) -> None:
        self._rng.seed(self.seed)

    def _after(self, moment: float, rng: random.Random, until: float) -> float:
        """The first arrival after ``moment``, or infinity when none comes by ``until``."""
        if self.ceiling <= 0:
            return math.inf
        while moment <= until:
            moment += rng.expovariate(self.ceiling)
            if rng.random() * self.ceiling < self.rate(max(0.0, moment - self._origin)):
                return moment
        return math.inf

    def begin(self, now: float) -> None:
        self._origin, self._next = now, None

    def claim(self, now: float) -> float:
        """Seconds the claiming user must wait before its next start (0 when the start is due)."""
        if self._next is None:
            self._origin = self._origin or now
            self._next = self._after(self._origin, self._rng, now + HORIZON)
        if self._next == math.inf:  # nothing to start for a long while: look again later
            self._next = None
            return IDLE_STEP
        start, self._next = self._next, self._after(self._next, self._rng, self._next + HORIZON)
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
        user was free to claim them (the same draws a claim would have taken)."""
        rng = random.Random()
        rng.setstate(self._rng.getstate())
        owed, at = 0, self._next if self._next is not None else math.inf
        while at <= now:
            owed += 1
            at = self._after(at, rng, now)
        return self.started - sum(1 for start in self._ahead if start > now) + owed
