"""``junit.xml``: one test case per requirement in scope, for CI systems.

A CI system counts what a run set out to prove: requirements, not checks. Each test case carries
the requirement's ID, level, firmness (its source's mark) and source as properties, and the
checks that verified it; a skipped SHALL is a ``skipped`` case with the reason, so CI sees it.
Warnings (SHOULDs, [I]-only facts) pass with a ``system-out`` note, as JUnit has no warning state;
out-of-scope requirements are listed only in the suite's properties count.
"""

from __future__ import annotations

from pathlib import Path

from lxml import etree

from lienthong.conformance.results import CheckResult, Outcome, RequirementResult, RunResult

MARKS = {"V": "verified", "S": "secondary", "I": "inferred"}


def _evidence(req: RequirementResult, checks: dict[str, CheckResult]) -> str:
    lines = [req.message]
    for name in req.checks:
        check = checks[name]
        if check.outcome in (Outcome.PASS, Outcome.OMIT):
            continue
        lines += [f"{check.check} ({check.outcome.value}): {check.message}", *check.details]
        if check.case_id:
            lines.append(f"evidence: case {check.case_id}")
        lines += [x.curl() for x in check.exchanges]
    return "\n".join(lines)


def render(run: RunResult) -> bytes:
    checks = {c.check: c for c in run.checks}
    in_scope = [r for r in run.requirements if r.in_scope]
    counts = run.counts("requirements")
    suite = etree.Element(
        "testsuite",
        name="lienthong",
        tests=str(len(in_scope)),
        failures=str(counts["fail"]),
        errors=str(counts["error"]),
        skipped=str(counts["skip"] + counts["omit"]),
        timestamp=run.started_at,
        time=f"{sum(c.duration_ms for c in run.checks) / 1000:.3f}",
    )
    props = etree.SubElement(suite, "properties")
    etree.SubElement(props, "property", name="run_id", value=run.run_id)
    etree.SubElement(props, "property", name="seed", value=str(run.seed))
    etree.SubElement(props, "property", name="verdict", value=run.verdict.value)
    etree.SubElement(props, "property", name="out_of_scope", value=str(len(run.requirements) - len(in_scope)))
    for actor, target in run.targets.items():
        etree.SubElement(props, "property", name=f"target.{actor}", value=target)
    for req in in_scope:
        duration = sum(checks[n].duration_ms for n in req.checks)
        case = etree.SubElement(
            suite,
            "testcase",
            classname=f"lienthong.{req.id.split('-')[0]}",
            name=f"{req.id} {req.title}",
            time=f"{duration / 1000:.3f}",
        )
        case_props = etree.SubElement(case, "properties")
        for name, value in (
            ("requirement", req.id),
            ("level", req.level),
            ("firmness", MARKS.get(req.mark, req.mark)),
            ("source", f"{req.source} {req.article}".strip()),
            ("outcome", req.outcome.value),
        ):
            etree.SubElement(case_props, "property", name=name, value=value)
        for name in req.checks:
            etree.SubElement(case_props, "property", name="check", value=name)
        if req.outcome is Outcome.FAIL:
            failure = etree.SubElement(case, "failure", message=req.message[:500], type="conformance")
            failure.text = _evidence(req, checks)
        elif req.outcome is Outcome.ERROR:
            error = etree.SubElement(case, "error", message=req.message[:500], type="harness")
            error.text = _evidence(req, checks)
        elif req.outcome in (Outcome.SKIP, Outcome.OMIT):
            etree.SubElement(case, "skipped", message=f"{req.outcome.value}: {req.message}"[:500])
        elif req.outcome in (Outcome.WARN, Outcome.WAIVED):
            etree.SubElement(case, "system-out").text = f"{req.outcome.value}: {_evidence(req, checks)}"
    return etree.tostring(suite, encoding="utf-8", xml_declaration=True, pretty_print=True)


def write(run: RunResult, directory: Path) -> Path:
    path = directory / "junit.xml"
    path.write_bytes(render(run))
    return path
