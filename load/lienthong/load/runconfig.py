"""What a load run needs to know, as one JSON file (``LIENTHONG_LOAD_CONFIG``): the CLI writes it,
the locustfile (master and every worker, here or in a cluster) reads it. Plain Python, so the
rate and pool arithmetic is tested without Locust."""

from __future__ import annotations

import json
import math
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from lienthong.load.shapes import shape

REQUESTS_PER_TICKET = {"write": 2, "lookup": 1, "citizen_read": 1, "facility_read": 1}
"""Requests one arrival of a stream makes (a visit sends its check-in and its dossier)."""


@dataclass(frozen=True, slots=True)
class RunConfig:
    urls: dict[str, str]
    streams: dict[str, float]
    """Selected streams → their peak rate in requests per second (the plan's, scaled)."""
    scenario: str = "base"
    shape: str = "flat"
    shape_params: dict[str, float] = field(default_factory=dict)
    scale: float = 1.0
    run_time_s: float = 20.0
    workers: int = 0
    """0: one local process; N: a master and N workers."""
    data: str = ""
    """Pre-generated data per worker; ``{worker}`` is replaced by the worker's index."""
    summary: str = ""
    gates: str = ""
    """A gates TOML file; empty for the built-in gates."""
    sample_every: int = 10
    """Every n-th new episode is followed to the VNeID book (the propagation sample)."""
    propagation_budget_s: float = 60.0
    calls_per_session: int = 15
    concurrency_s: float = 2.0
    """Seconds of latency the user pool absorbs before starts fall late (pool = rate × this)."""
    seed: int = 42

    def write(self, path: Path) -> None:
        path.write_text(json.dumps(asdict(self), ensure_ascii=False, indent=2), encoding="utf-8")

    @classmethod
    def read(cls, path: Path) -> RunConfig:
        return cls(**json.loads(path.read_text(encoding="utf-8")))

    @classmethod
    def from_environment(cls) -> RunConfig | None:
        named = os.environ.get("LIENTHONG_LOAD_CONFIG", "")
        return cls.read(Path(named)) if named else None

    def rate(self, stream: str, elapsed: float) -> float:
        """Target requests per second of ``stream`` at ``elapsed`` seconds, all processes together."""
        phase = min(max(elapsed / self.run_time_s, 0.0), 1.0) if self.run_time_s else 0.0
        return self.streams[stream] * shape(self.shape).multiplier(stream, phase, self.shape_params)

    def ticket_rate(self, stream: str, elapsed: float) -> float:
        """Arrivals per second of ``stream`` in one process (workers share the rate)."""
        return self.rate(stream, elapsed) / REQUESTS_PER_TICKET[stream] / max(1, self.workers)

    def ticket_ceiling(self, stream: str) -> float:
        """The highest arrival rate of ``stream`` one process can be given (its whole share)."""
        highest = self.streams[stream] * shape(self.shape).highest(stream, self.shape_params)
        return highest * 1.01 / REQUESTS_PER_TICKET[stream]

    def pool(self, stream: str, elapsed: float | None = None) -> int:
        """Users of ``stream`` (all processes): enough for its arrivals at ``concurrency_s`` of
        latency each, at least one per process. ``elapsed`` None: the highest over the run."""
        if elapsed is None:
            peak = self.streams[stream] * shape(self.shape).highest(stream, self.shape_params)
        else:
            peak = self.rate(stream, elapsed)
        tickets = peak / REQUESTS_PER_TICKET[stream]
        return max(
            max(1, self.workers), math.ceil(tickets * self.concurrency_s * REQUESTS_PER_TICKET[stream])
        )

    def users(self) -> int:
        """All users of the run: every stream's pool at its highest rate over the run. The pool
        stays; the arrival rate follows the shape (Locust splits users by class weight, and with a
        total that moved, a small total could leave a stream without a single user)."""
        return sum(self.pool(s) for s in self.streams)

    def target_rps(self, stream: str) -> float:
        """The stream's target averaged over the run."""
        return self.streams[stream] * shape(self.shape).mean(stream, self.shape_params)

    def data_path(self, worker: int) -> Path:
        return Path(self.data.replace("{worker}", str(worker)))

    def as_json(self) -> dict[str, Any]:
        return asdict(self)
