"""The statistics of one load run in a portable shape: written by the locustfile when Locust quits
(by the master in a distributed run, so local and distributed runs give the same shape), read by
the CLI for the verdict and the reports."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

SUMMARY_VERSION = 1


@dataclass(frozen=True, slots=True)
class Figures:
    """Response-time and count figures of one request name or endpoint group."""

    requests: int
    failures: int
    p50_ms: float
    p95_ms: float
    p99_ms: float
    rps: float


@dataclass(frozen=True, slots=True)
class Stream:
    """Target and achieved rate of one stream (requests per second over the run)."""

    target_rps: float
    achieved_rps: float
    started: int = 0
    """Arrivals started (tickets claimed)."""
    late: int = 0
    """Arrivals started more than a second after their scheduled time (all users were busy)."""
    slack_rps: float = 0.0
    """One arrival over the run: the edge of a run (an arrival woken as the stop came) is not a
    shortfall of the system under test."""
    scheduled_rps: float = 0.0
    """Requests per second of the arrivals the schedule drew over the run (the target as drawn:
    the Poisson draw of a short run lies above or below the plan's mean)."""


@dataclass(frozen=True, slots=True)
class RunSummary:
    scenario: str
    shape: str
    scale: float
    workers: int
    duration_s: float
    groups: dict[str, Figures]
    requests: dict[str, Figures]
    streams: dict[str, Stream]
    errors: dict[str, int] = field(default_factory=dict)
    """The most frequent failure messages with their counts."""
    notes: list[str] = field(default_factory=list)
    version: int = SUMMARY_VERSION

    def as_json(self) -> dict[str, Any]:
        return asdict(self)

    def write(self, path: Path) -> None:
        path.write_text(json.dumps(self.as_json(), ensure_ascii=False, indent=2), encoding="utf-8")

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RunSummary:
        return cls(
            scenario=data["scenario"],
            shape=data["shape"],
            scale=float(data["scale"]),
            workers=int(data["workers"]),
            duration_s=float(data["duration_s"]),
            groups={k: Figures(**v) for k, v in data["groups"].items()},
            requests={k: Figures(**v) for k, v in data["requests"].items()},
            streams={k: Stream(**v) for k, v in data["streams"].items()},
            errors=dict(data.get("errors", {})),
            notes=list(data.get("notes", [])),
            version=int(data.get("version", SUMMARY_VERSION)),
        )

    @classmethod
    def read(cls, path: Path) -> RunSummary:
        return cls.from_json(json.loads(path.read_text(encoding="utf-8")))
