"""``report.json``: the whole run, machine-readable, in a versioned shape with a published schema.

The shape is ``schemas/report.schema.json`` (``schema_version`` names it); tests validate every
report against it, so a consumer can rely on the schema rather than on our code.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path
from typing import Any

import orjson

from lienthong.conformance.results import RunResult

SCHEMA_FILE = "report.schema.json"


def schema() -> dict[str, Any]:
    """The JSON Schema every ``report.json`` follows."""
    text = files("lienthong.reports").joinpath("schemas", SCHEMA_FILE).read_bytes()
    parsed: dict[str, Any] = orjson.loads(text)
    return parsed


def document(run: RunResult) -> dict[str, Any]:
    return {
        "schema_version": run.schema_version,
        "verdict": run.verdict.value,
        "exit_code": run.exit_code,
        "run": run,
        "summary": {
            "requirements": run.counts("requirements"),
            "checks": run.counts("checks"),
            "passed": run.passed,
        },
    }


def render(run: RunResult) -> bytes:
    return orjson.dumps(document(run), option=orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS)


def write(run: RunResult, directory: Path) -> Path:
    path = directory / "report.json"
    path.write_bytes(render(run))
    return path
