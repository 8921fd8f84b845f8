"""``testreport.json``: the run as a FHIR R4 TestReport, one test per check, one assert per
requirement it verifies (TestReport.test.action.assert.result uses FHIR's report-action codes)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson

from lienthong.conformance.results import CheckResult, Outcome, RunResult

# Our outcomes -> http://hl7.org/fhir/report-action-result-codes (R4 has no "omit").
ACTION_RESULT = {
    Outcome.PASS: "pass",
    Outcome.FAIL: "fail",
    Outcome.WARN: "warning",  # FHIR TestReport action result code
    Outcome.WAIVED: "skip",
    Outcome.SKIP: "skip",
    Outcome.OMIT: "skip",
    Outcome.ERROR: "error",
}


def _test(check: CheckResult) -> dict[str, Any]:
    detail = check.message if check.outcome is not Outcome.PASS else ""
    return {
        "name": check.check,
        "description": check.title,
        "action": [
            {
                "assert": {
                    "result": ACTION_RESULT[check.outcome],
                    "message": f"{req_id}: {detail}".rstrip(": "),
                    "detail": f"lienthong requirement {req_id}",
                }
            }
            for req_id in check.requirement_ids
        ],
    }


def render(run: RunResult) -> dict[str, Any]:
    ran = [c for c in run.checks if c.outcome is not Outcome.OMIT]
    passed = sum(c.outcome is Outcome.PASS for c in ran)
    return {
        "resourceType": "TestReport",
        "id": run.run_id,
        "name": f"lienthong conformance run {run.run_id}",
        "status": "completed",
        "testScript": {"display": f"lienthong {run.tool_version} suite, seed {run.seed}"},
        "result": "pass" if run.passed else "fail",
        "score": round(100 * passed / len(ran), 1) if ran else 0,
        "tester": f"lienthong {run.tool_version}",
        "issued": run.finished_at,
        "participant": [
            {
                "type": "server" if target != "simulated" else "test-engine",
                "uri": target if target != "simulated" else f"urn:lienthong:simulated:{actor}",
                "display": actor,
            }
            for actor, target in run.targets.items()
        ],
        "test": [_test(check) for check in run.checks],
    }


def write(run: RunResult, directory: Path) -> Path:
    path = directory / "testreport.json"
    path.write_bytes(orjson.dumps(render(run), option=orjson.OPT_INDENT_2))
    return path
