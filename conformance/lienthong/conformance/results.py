"""Result types of a conformance run; the report writers read only these."""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field
from enum import StrEnum


class Outcome(StrEnum):
    """The closed set of outcomes (Inferno's): what a result means."""

    PASS = "pass"
    FAIL = "fail"
    """The system under test violated a firm (SHALL, [V]/[S]) requirement."""
    WARN = "warn"
    """A SHOULD, or an expectation resting only on an inferred ([I]) fact, was not met."""
    SKIP = "skip"
    """A precondition was not met; nothing was learned."""
    OMIT = "omit"
    """Not applicable to what is under test."""
    WAIVED = "waived"
    """Failed, but an approved, unexpired waiver covers it; shown apart from passes."""
    ERROR = "error"
    """The harness, validator or network failed; nothing was learned about the system."""


# When several checks verify one requirement, the worst outcome wins, in this order.
SEVERITY = (
    Outcome.FAIL,
    Outcome.ERROR,
    Outcome.WAIVED,
    Outcome.WARN,
    Outcome.PASS,
    Outcome.SKIP,
    Outcome.OMIT,
)


@dataclass
class Exchange:
    """One HTTP request and its response, secrets redacted."""

    method: str
    url: str
    request_headers: dict[str, str]
    request_body: str
    status: int
    response_headers: dict[str, str]
    response_body: str

    def curl(self) -> str:
        parts = ["curl", "-X", self.method, shlex.quote(self.url)]
        for name, value in self.request_headers.items():
            if name.lower() not in {
                "host",
                "content-length",
                "accept-encoding",
                "connection",
                "user-agent",
                "accept",
            }:
                parts += ["-H", shlex.quote(f"{name}: {value}")]
        if self.request_body:
            parts += ["--data-raw", shlex.quote(self.request_body)]
        return " ".join(parts)


@dataclass
class CheckResult:
    check: str
    title: str
    requirement_ids: tuple[str, ...]
    actor: str
    direction: str
    outcome: Outcome
    message: str = ""
    details: list[str] = field(default_factory=list)
    exchanges: list[Exchange] = field(default_factory=list)
    duration_ms: float = 0.0
    proven_by_fault: str = ""
    case: str = ""
    """Id of the case file keeping this check's full exchanges (failed, warned or errored checks)."""


@dataclass
class RequirementResult:
    id: str
    level: str
    title: str
    text: str
    source: str
    article: str
    mark: str
    actors: tuple[str, ...]
    outcome: Outcome
    checks: list[str]
    message: str = ""


@dataclass(frozen=True)
class Scope:
    """What a run covers, fixed by the command line before any check runs (never by a check)."""

    role: str
    """bhxh, c06 or moh (one node under test), or "network" (the whole simulated network)."""
    targets: dict[str, str]
    """Node -> URL (or "simulated") the suite calls: the node under test and its peers."""
    profile: str
    accounts: tuple[str, ...] = ()
    """MA_CSKCB:USERNAME of each gateway account given, the main one first (no password)."""
    patients: str = ""
    """The patients file and how many patients it holds; "" when none was given."""
    opt_in: dict[str, bool] = field(default_factory=dict)
    """Opt-in checks by option name (``wait-token-expiry``) and whether the option was given."""
    credentials: tuple[str, ...] = ()
    """Which other credentials were given (service token, MoH client), never their values."""
    max_body: int = 10 * 1024 * 1024
    max_body_stated: bool = False
    """The implementer stated ``max_body`` as the gateway's limit (``--max-body``)."""


@dataclass
class RunResult:
    run_id: str
    started_at: str
    finished_at: str
    seed: int
    tool_version: str
    targets: dict[str, str]
    """Actor -> "simulated" or the URL of the real system under test."""
    checks: list[CheckResult]
    requirements: list[RequirementResult]
    scope: Scope | None = None

    def counts(self, of: str = "requirements") -> dict[str, int]:
        items = self.requirements if of == "requirements" else self.checks
        tally = {outcome.value: 0 for outcome in Outcome}
        for item in items:
            tally[item.outcome.value] += 1
        return tally

    @property
    def passed(self) -> bool:
        return not any(r.outcome in (Outcome.FAIL, Outcome.ERROR) for r in self.requirements)
