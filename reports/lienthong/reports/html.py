"""``report.html``: a self-contained page (no network, no scripts) listing every requirement with
its outcome, its source and the evidence of each check."""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape

from lienthong.conformance.results import RunResult
from lienthong.profiles.catalogue import requirements
from lienthong.profiles.i18n import _, language, outcome_label, verdict_label

_ENV = Environment(
    loader=PackageLoader("lienthong.reports", "templates"),
    autoescape=select_autoescape(["html", "j2"]),
    trim_blocks=True,
    lstrip_blocks=True,
)
_ENV.globals["_"] = _
_ENV.globals["outcome"] = outcome_label
_ENV.globals["verdict"] = verdict_label


def _marks() -> dict[str, str]:
    return {"V": _("verified"), "S": _("secondary source"), "I": _("inferred")}


def render(run: RunResult) -> str:
    """The page in the current language (:mod:`lienthong.profiles.i18n`); in Vietnamese each
    requirement shows the catalogue's Vietnamese wording next to the English."""
    checks = {c.check: c for c in run.checks}
    catalogue = requirements()
    lang = language()
    vietnamese = {
        req.id: (catalogue[req.id].title_vi, catalogue[req.id].text_vi)
        for req in run.requirements
        if lang == "vi" and req.id in catalogue
    }
    return _ENV.get_template("report.html.j2").render(
        run=run,
        checks=checks,
        marks=_marks(),
        lang=lang,
        vietnamese=vietnamese,
        counts=run.counts("requirements"),
        check_counts=run.counts("checks"),
    )


def write(run: RunResult, directory: Path) -> Path:
    path = directory / "report.html"
    path.write_text(render(run), encoding="utf-8")
    return path
