"""The FHIR TestReport is valid FHIR (R4B model, wire-compatible for TestReport) and mirrors the run."""

from __future__ import annotations

import pytest

from lienthong.conformance.results import CheckResult, Outcome, RequirementResult, RunResult
from lienthong.reports import testreport


def _run(outcomes: list[Outcome]) -> RunResult:
    checks = [
        CheckResult(f"check_{i}", f"Check {i}", (f"REQ-{i}",), "bhxh", "server", o, message=f"m{i}")
        for i, o in enumerate(outcomes)
    ]
    reqs = [
        RequirementResult(f"REQ-{i}", "SHALL", "t", "x", "s", "a", "V", ("bhxh",), o, [f"check_{i}"])
        for i, o in enumerate(outcomes)
    ]
    return RunResult(
        "r1",
        "2026-11-22T00:00:00+00:00",
        "2026-11-22T00:01:00+00:00",
        1,
        "0.1.0",
        {"bhxh": "http://127.0.0.1:8080"},
        checks,
        reqs,
    )


def test_testreport_maps_outcomes_and_scores_the_run() -> None:
    report = testreport.render(_run([Outcome.PASS, Outcome.FAIL, Outcome.OMIT, Outcome.ERROR]))
    results = [t["action"][0]["assert"]["result"] for t in report["test"]]
    assert results == ["pass", "fail", "skip", "error"]
    assert report["result"] == "fail"
    assert report["score"] == 33.3  # 1 of the 3 checks that ran (omit does not count)
    assert report["participant"][0]["uri"] == "http://127.0.0.1:8080"


def test_testreport_is_a_valid_fhir_resource() -> None:
    fhir = pytest.importorskip("fhir.resources.R4B.testreport")  # a test dependency in tox.ini
    fhir.TestReport.model_validate(testreport.render(_run([Outcome.PASS, Outcome.SKIP])))
