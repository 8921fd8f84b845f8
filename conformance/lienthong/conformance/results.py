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


class Verdict(StrEnum):
    """What a run concludes; only PASSED exits 0."""

    PASSED = "passed"
    """Every SHALL in scope passed (or is waived); warnings are shown apart."""
    FAILED = "failed"
    """A firm SHALL in scope failed."""
    INCOMPLETE = "incomplete"
    """Nothing failed, but a SHALL in scope was not tested (skipped, or the harness or network
    failed): the run cannot say the system conforms."""


EXIT_CODES = {Verdict.PASSED: 0, Verdict.FAILED: 1, Verdict.INCOMPLETE: 1}
"""0 pass, 1 fail or not all tested, 2 usage error (the CLI), 3 an internal error of lienthong."""
RESULT_SCHEMA_VERSION = "2"
"""Version of ``report.json``'s shape (its JSON Schema is published in lienthong.reports)."""


@dataclass
class Scope:
    """What a run set out to test, fixed by its command line before any check runs (never by a
    check): the command, the actors under test and their targets, the profile, what the command
    line gave (accounts, patients, credentials, opt-ins), and so the checks and requirements."""

    command: str = "run"
    """The command that ran: run, conformance, certify, load, audit."""
    actors: tuple[str, ...] = ()
    """Actors under test."""
    targets: dict[str, str] = field(default_factory=dict)
    """Actor -> "simulated" or the URL of the system the suite calls: those under test and peers."""
    profile: str = "3176"
    """The profile version the submissions follow (130, 4750 or 3176)."""
    options: dict[str, str] = field(default_factory=dict)
    """What the command line gave that changes the scope (accounts, patients, opt-in checks),
    each with its value or "not given"."""
    checks: tuple[str, ...] = ()
    """Checks selected for the run."""
    requirements: tuple[str, ...] = ()
    """Requirement IDs in scope: the run passes only if every SHALL among them passes."""
    out_of_scope: dict[str, str] = field(default_factory=dict)
    """Requirement ID -> why it is not in this run's scope."""
    role: str = ""
    """``lienthong conformance``: bhxh, c06 or moh (one node under test); "network" otherwise."""
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
    internal_error: bool = False
    """The check crashed: a bug of lienthong's, not a finding (the run exits 3)."""
    case_id: str = ""
    """Where the full evidence of a failure or warning is kept (``cases/<case_id>``)."""


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
    in_scope: bool = True
    title_vi: str = ""
    text_vi: str = ""

    @property
    def firm(self) -> bool:
        """A SHALL resting on a verified or secondary source: only these can fail a system."""
        return self.level == "SHALL" and self.mark in ("V", "S")


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
    schema_version: str = RESULT_SCHEMA_VERSION

    def counts(self, of: str = "requirements") -> dict[str, int]:
        """Outcomes tallied over the requirements in scope (or over the checks)."""
        items: list[CheckResult] | list[RequirementResult]
        items = [r for r in self.requirements if r.in_scope] if of == "requirements" else self.checks
        tally = {outcome.value: 0 for outcome in Outcome}
        for item in items:
            tally[item.outcome.value] += 1
        return tally

    @property
    def untested(self) -> list[RequirementResult]:
        """SHALLs in scope that were neither passed, waived nor only warned about."""
        done = (Outcome.PASS, Outcome.WAIVED, Outcome.WARN, Outcome.FAIL)
        return [r for r in self.requirements if r.in_scope and r.level == "SHALL" and r.outcome not in done]

    @property
    def verdict(self) -> Verdict:
        if any(r.in_scope and r.outcome is Outcome.FAIL for r in self.requirements):
            return Verdict.FAILED
        if self.untested or not any(r.in_scope for r in self.requirements):
            return Verdict.INCOMPLETE
        return Verdict.PASSED

    @property
    def passed(self) -> bool:
        return self.verdict is Verdict.PASSED

    @property
    def exit_code(self) -> int:
        """1 when a firm SHALL failed (a finding stands even if another check crashed), else 3
        when a check of lienthong crashed, else the verdict's code."""
        verdict = self.verdict
        if verdict is not Verdict.FAILED and any(c.internal_error for c in self.checks):
            return 3
        return EXIT_CODES[verdict]
