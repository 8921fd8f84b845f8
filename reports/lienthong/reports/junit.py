"""``junit.xml``: one testcase per check, requirement IDs as properties, for CI systems."""

from __future__ import annotations

from pathlib import Path

from lxml import etree

from lienthong.conformance.results import Outcome, RunResult


def render(run: RunResult) -> bytes:
    counts = run.counts("checks")
    suite = etree.Element(
        "testsuite",
        name="lienthong",
        tests=str(len(run.checks)),
        failures=str(counts["fail"]),
        errors=str(counts["error"]),
        skipped=str(counts["skip"] + counts["omit"]),
        timestamp=run.started_at,
        time=f"{sum(c.duration_ms for c in run.checks) / 1000:.3f}",
    )
    props = etree.SubElement(suite, "properties")
    etree.SubElement(props, "property", name="run_id", value=run.run_id)
    etree.SubElement(props, "property", name="seed", value=str(run.seed))
    for actor, target in run.targets.items():
        etree.SubElement(props, "property", name=f"target.{actor}", value=target)
    for check in run.checks:
        case = etree.SubElement(
            suite,
            "testcase",
            classname=f"lienthong.{check.actor}",
            name=check.check,
            time=f"{check.duration_ms / 1000:.3f}",
        )
        case_props = etree.SubElement(case, "properties")
        for req_id in check.requirement_ids:
            etree.SubElement(case_props, "property", name="requirement", value=req_id)
        if check.outcome is Outcome.FAIL:
            failure = etree.SubElement(case, "failure", message=check.message[:500], type="conformance")
            failure.text = "\n".join(
                [check.message, *check.details, *(x.curl() for x in check.exchanges)]
                + ([f"case {check.case}: cases/{check.check}.json"] if check.case else [])
            )
        elif check.outcome is Outcome.ERROR:
            etree.SubElement(case, "error", message=check.message[:500], type="harness").text = check.message
        elif check.outcome in (Outcome.SKIP, Outcome.OMIT):
            etree.SubElement(case, "skipped", message=f"{check.outcome.value}: {check.message}"[:500])
    return etree.tostring(suite, encoding="utf-8", xml_declaration=True, pretty_print=True)


def write(run: RunResult, directory: Path) -> Path:
    path = directory / "junit.xml"
    path.write_bytes(render(run))
    return path
