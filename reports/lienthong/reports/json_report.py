"""``report.json``: the whole run, machine-readable."""

from __future__ import annotations

from pathlib import Path

import orjson

from lienthong.conformance.results import RunResult


def render(run: RunResult) -> bytes:
    document = {
        "run": run,
        "summary": {
            "requirements": run.counts("requirements"),
            "checks": run.counts("checks"),
            "passed": run.passed,
        },
    }
    return orjson.dumps(document, option=orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS)


def write(run: RunResult, directory: Path) -> Path:
    path = directory / "report.json"
    path.write_bytes(render(run))
    return path
