"""Service-level objectives that gate a load run (non-zero exit when breached)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class SLO:
    max_failure_ratio: float = 0.01
    max_p95_ms: float = 500.0
    min_requests: int = 1


@dataclass(frozen=True, slots=True)
class Observed:
    requests: int
    failures: int
    p95_ms: float


def breaches(slo: SLO, seen: Observed) -> list[str]:
    """Each objective the run missed, with the figures (empty when it met them all)."""
    out = []
    if seen.requests < slo.min_requests:
        out.append(f"only {seen.requests} requests were made (at least {slo.min_requests} expected)")
    ratio = seen.failures / seen.requests if seen.requests else 1.0
    if ratio > slo.max_failure_ratio:
        out.append(
            f"failure ratio {ratio:.2%} > {slo.max_failure_ratio:.2%} ({seen.failures} of {seen.requests})"
        )
    if seen.p95_ms > slo.max_p95_ms:
        out.append(f"p95 {seen.p95_ms:.0f} ms > {slo.max_p95_ms:.0f} ms")
    return out
