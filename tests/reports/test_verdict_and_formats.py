"""The verdict core: scope, outcomes, verdict and exit code, and the report formats that carry them
(JSON validated against its published schema, JUnit read back by a JUnit parser)."""

from __future__ import annotations

from pathlib import Path

import jsonschema
import orjson
import pytest
from junitparser import Failure, JUnitXml, Skipped

from lienthong.conformance.registry import Check
from lienthong.conformance.results import (
    CheckResult,
    Outcome,
    RunResult,
    Scope,
    Verdict,
)
from lienthong.conformance.runner import summarise
from lienthong.conformance.scope import plan_scope
from lienthong.profiles import requirement, requirements
from lienthong.reports import json_report, junit, write_all

# Real catalogue rows of each firmness, so the verdict is judged on the catalogue's own marks.
FIRM = "ENV-01"  # SHALL [V]
SHOULD = next(r.id for r in requirements().values() if r.level == "SHOULD")
INFERRED = next(r.id for r in requirements().values() if r.level == "SHALL" and r.mark == "I")


def _noop(ctx: object) -> None:
    """A check that does nothing (the runner is not exercised here)."""


def _check(name: str, req_id: str, actor: str = "bhxh", direction: str = "server", opt_in: str = "") -> Check:
    return Check(name, _noop, (req_id,), actor, direction, "bhxh:x", __name__, opt_in)


def _run(outcomes: dict[str, Outcome], scope_ids: tuple[str, ...]) -> RunResult:
    checks = [
        CheckResult(f"c_{req_id}", "t", (req_id,), "bhxh", "server", outcome, message=f"why {req_id}")
        for req_id, outcome in outcomes.items()
    ]
    scope = Scope("run", ("bhxh",), {"bhxh": "simulated"}, "3176", requirements=scope_ids)
    return RunResult(
        "r1",
        "2026-12-06T00:00:00+00:00",
        "2026-12-06T00:00:01+00:00",
        1,
        "0",
        {},
        checks,
        summarise(checks, scope),
        scope,
    )


def test_a_run_passes_only_when_every_shall_in_scope_passed() -> None:
    assert _run({FIRM: Outcome.PASS}, (FIRM,)).verdict is Verdict.PASSED
    assert _run({FIRM: Outcome.FAIL}, (FIRM,)).verdict is Verdict.FAILED
    skipped = _run({FIRM: Outcome.SKIP}, (FIRM,))
    assert skipped.verdict is Verdict.INCOMPLETE
    assert skipped.exit_code == 1
    assert _run({FIRM: Outcome.ERROR}, (FIRM,)).verdict is Verdict.INCOMPLETE
    # A SHALL in scope with no check at all is untested, never a pass.
    assert _run({}, (FIRM,)).verdict is Verdict.INCOMPLETE
    # An empty scope proves nothing.
    assert _run({}, ()).verdict is Verdict.INCOMPLETE


def test_should_and_inferred_failures_are_warnings_that_do_not_fail_the_run() -> None:
    run = _run({FIRM: Outcome.PASS, SHOULD: Outcome.FAIL, INFERRED: Outcome.FAIL}, (FIRM, SHOULD, INFERRED))
    outcomes = {r.id: r.outcome for r in run.requirements if r.in_scope}
    assert outcomes == {FIRM: Outcome.PASS, SHOULD: Outcome.WARN, INFERRED: Outcome.WARN}
    assert run.verdict is Verdict.PASSED
    assert run.counts()["warn"] == 2


def test_out_of_scope_requirements_are_omitted_with_the_reason() -> None:
    run = _run({FIRM: Outcome.PASS}, (FIRM,))
    other = next(r for r in run.requirements if r.id != FIRM)
    assert (other.in_scope, other.outcome) == (False, Outcome.OMIT)
    assert other.message.startswith("out of scope")
    assert run.counts()["omit"] == 0  # tallies count what is in scope


def test_an_internal_error_of_a_check_exits_3() -> None:
    run = _run({FIRM: Outcome.ERROR}, (FIRM,))
    run.checks[0].internal_error = True
    assert run.exit_code == 3


def test_the_scope_is_fixed_by_actors_directions_and_opt_ins() -> None:
    server = _check("s", FIRM)
    sender = _check("h", "ENV-02", actor="hospital", direction="sender")
    expiry = _check("e", "SEC-01", opt_in="wait-token-expiry")
    registered = {c.name: c for c in (server, sender, expiry)}
    scope, runnable = plan_scope(
        command="conformance",
        registered=registered,
        selected=None,
        under_test=frozenset({"bhxh"}),
        directions=frozenset({"server"}),
        targets={"bhxh": "http://127.0.0.1:1"},
        profile="3176",
    )
    assert [c.name for c in runnable] == ["s"]
    assert FIRM in scope.requirements
    assert "sender" in scope.out_of_scope["ENV-02"]
    assert "--wait-token-expiry" in scope.out_of_scope["SEC-01"]
    # A rule of an actor under test that no check verifies stays in scope, so the run says so.
    unchecked = next(
        r.id
        for r in requirements().values()
        if "bhxh" in r.actors and not r.not_tested_reason and r.id not in {FIRM, "ENV-02", "SEC-01"}
    )
    assert unchecked in scope.requirements
    opted, runnable = plan_scope(
        command="conformance",
        registered=registered,
        selected=None,
        under_test=frozenset({"bhxh"}),
        directions=frozenset({"server"}),
        targets={},
        profile="3176",
        opted_in=frozenset({"wait-token-expiry"}),
    )
    assert "SEC-01" in opted.requirements
    assert {c.name for c in runnable} == {"s", "e"}


@pytest.fixture
def written(tmp_path: Path) -> tuple[RunResult, Path]:
    run = _run({FIRM: Outcome.FAIL, SHOULD: Outcome.FAIL, "ENV-02": Outcome.SKIP}, (FIRM, SHOULD, "ENV-02"))
    run.checks[0].details = ["MACSKCB = '' (ENV-01)"]
    write_all(run, tmp_path)
    return run, tmp_path


def test_report_json_follows_its_published_schema(written: tuple[RunResult, Path]) -> None:
    run, directory = written
    document = orjson.loads((directory / "report.json").read_bytes())
    jsonschema.validate(document, json_report.schema(), format_checker=jsonschema.FormatChecker())
    assert document["verdict"] == "failed"
    assert document["schema_version"] == run.schema_version
    broken = dict(document, verdict="PASSED")
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, json_report.schema())


def test_junit_has_one_case_per_requirement_in_scope(written: tuple[RunResult, Path]) -> None:
    _, directory = written
    suite = next(iter(JUnitXml.fromfile(str(directory / "junit.xml"))))
    cases = {case.name.split()[0]: case for case in suite}
    assert set(cases) == {FIRM, SHOULD, "ENV-02"}
    assert (suite.tests, suite.failures, suite.skipped) == (3, 1, 1)
    assert isinstance(cases[FIRM].result[0], Failure)
    assert "MACSKCB" in (cases[FIRM].result[0].text or "")
    assert isinstance(cases["ENV-02"].result[0], Skipped)
    assert not cases[SHOULD].result  # a warning passes in JUnit, noted in system-out
    props = {p.get("name"): p.get("value") for p in cases[FIRM]._elem.iter("property")}
    assert props["requirement"] == FIRM
    assert props["level"] == "SHALL"
    assert props["firmness"] == "verified"
    assert requirement(FIRM).source in props["source"]


def test_junit_render_is_the_file() -> None:
    run = _run({FIRM: Outcome.PASS}, (FIRM,))
    assert b'tests="1"' in junit.render(run)
