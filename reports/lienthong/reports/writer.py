"""Writing every report format of a run into ``<out>/<run-id>/``."""

from __future__ import annotations

from pathlib import Path

from lienthong.conformance.results import RunResult
from lienthong.reports import evidence, html, json_report, junit, testreport

FORMATS = {
    "json": json_report.write,
    "junit": junit.write,
    "html": html.write,
    "fhir": testreport.write,
    "evidence": evidence.write,
}


def write_all(run: RunResult, directory: Path, formats: list[str] | None = None) -> dict[str, Path]:
    """Write the formats asked for (all by default; evidence of failures always)."""
    directory.mkdir(parents=True, exist_ok=True)
    wanted = [*(formats or FORMATS), "evidence"]
    return {name: writer(run, directory) for name, writer in FORMATS.items() if name in wanted}
