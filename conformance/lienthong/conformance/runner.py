"""Running checks and rolling their outcomes up to requirements."""

from __future__ import annotations

import inspect
import time
from collections.abc import Callable, Iterable

import httpx

from lienthong.conformance.context import SenderContext, ServerContext
from lienthong.conformance.failures import CheckFailed, CheckWarned, Omitted, Skipped
from lienthong.conformance.registry import Check
from lienthong.conformance.results import SEVERITY, CheckResult, Outcome, RequirementResult, Scope
from lienthong.conformance.scope import applies
from lienthong.profiles import requirements
from lienthong.profiles.catalogue import requirement


def is_firm(req_ids: Iterable[str]) -> bool:
    """Whether breaking these requirements is a failure: some of them is a SHALL whose source is
    verified (V) or secondary (S). SHOULDs and [I]-only facts give warnings."""
    return any(requirement(r).level == "SHALL" and requirement(r).mark in ("V", "S") for r in req_ids)


async def run_check(
    item: Check,
    *,
    server: ServerContext | None,
    sender: SenderContext | None,
    under_test: frozenset[str],
) -> CheckResult:
    result = CheckResult(
        item.name,
        item.title,
        item.verifies,
        item.actor,
        item.direction,
        Outcome.PASS,
        proven_by_fault=item.fault,
    )
    started = time.perf_counter()
    ctx = sender if item.direction == "sender" else server
    try:
        if not applies(item, under_test):
            raise Omitted(f"{item.actor} is not under test in this run")
        if ctx is None:
            raise Skipped(f"no {item.direction}-direction context in this run")
        outcome = item.func(ctx)
        if inspect.isawaitable(outcome):
            await outcome
        result.message = "passed"
    except CheckFailed as exc:
        # Only a firm requirement (SHALL, on a verified or secondary source) can fail a system;
        # a SHOULD or an expectation resting on an inferred fact is a warning.
        outcome = Outcome.FAIL if is_firm(item.verifies) else Outcome.WARN
        result.outcome, result.message, result.details = outcome, str(exc), exc.details
    except CheckWarned as exc:
        result.outcome, result.message, result.details = Outcome.WARN, str(exc), exc.details
    except Skipped as exc:
        result.outcome, result.message = Outcome.SKIP, str(exc)
    except Omitted as exc:
        result.outcome, result.message = Outcome.OMIT, str(exc)
    except httpx.HTTPError as exc:
        result.outcome = Outcome.ERROR
        result.message = f"network error talking to the system under test: {type(exc).__name__}: {exc}"
    except Exception as exc:  # a bug in lienthong, not a finding about the system under test
        result.outcome, result.internal_error = Outcome.ERROR, True
        result.message = (
            f"internal error in lienthong check {item.name}: {type(exc).__name__}: {exc} (please report)"
        )
    result.duration_ms = (time.perf_counter() - started) * 1000
    if server is not None and item.direction != "sender":
        result.exchanges = server.recorder.take()
    return result


async def run_checks(
    items: Iterable[Check],
    *,
    server: ServerContext | None,
    sender: SenderContext | None,
    under_test: frozenset[str],
    progress: Callable[[CheckResult], None] | None = None,
) -> list[CheckResult]:
    results = []
    for item in items:
        result = await run_check(item, server=server, sender=sender, under_test=under_test)
        results.append(result)
        if progress:
            progress(result)
    return results


def summarise(results: list[CheckResult], scope: Scope | None = None) -> list[RequirementResult]:
    """Every catalogued requirement with the worst outcome of its checks; those outside the
    run's scope are omitted with the reason."""
    by_req: dict[str, list[CheckResult]] = {}
    for result in results:
        for req_id in result.requirement_ids:
            by_req.setdefault(req_id, []).append(result)
    out = []
    for req in requirements().values():
        mine = by_req.get(req.id, [])
        in_scope = scope is None or req.id in scope.requirements
        if not in_scope:
            outcome = Outcome.OMIT
            message = f"out of scope: {scope.out_of_scope.get(req.id, 'not in this run') if scope else ''}"
        elif mine:
            outcome = min((r.outcome for r in mine), key=SEVERITY.index)
            message = "; ".join(f"{r.check}: {r.message}" for r in mine if r.outcome == outcome)
            if outcome is Outcome.FAIL and not is_firm([req.id]):
                outcome = Outcome.WARN  # a check of several requirements failed; this one is not firm
        else:
            outcome = Outcome.SKIP
            message = f"not tested: {req.not_tested_reason or 'no check in lienthong verifies it yet'}"
        out.append(
            RequirementResult(
                req.id,
                req.level,
                req.title,
                req.text,
                req.source,
                req.article,
                req.mark,
                req.actors,
                outcome,
                [r.check for r in mine],
                message,
                in_scope,
                getattr(req, "title_vi", ""),
                getattr(req, "text_vi", ""),
            )
        )
    return out
