"""``report.html``: a self-contained page (no network, no scripts) listing every requirement with
its outcome, its source and the evidence of each check."""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape

from lienthong.conformance.results import RunResult

_ENV = Environment(
    loader=PackageLoader("lienthong.reports", "templates"),
    autoescape=select_autoescape(["html", "j2"]),
    trim_blocks=True,
    lstrip_blocks=True,
)
MARKS = {"V": "verified", "S": "secondary source", "I": "inferred"}


def render(run: RunResult) -> str:
    checks = {c.check: c for c in run.checks}
    return _ENV.get_template("report.html.j2").render(
        run=run,
        checks=checks,
        marks=MARKS,
        counts=run.counts("requirements"),
        check_counts=run.counts("checks"),
    )


def write(run: RunResult, directory: Path) -> Path:
    path = directory / "report.html"
    path.write_text(render(run), encoding="utf-8")
    return path
