"""``lienthong validate FILE...``: judge XML 130 check-ins and dossiers against the catalogue.

Also ``lienthong coverage-matrix``: regenerate docs/coverage-matrix.csv (requirement -> checks ->
the fault that proves each check, validator rules and the mutation that proves them).
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path
from typing import Annotated

import orjson
import typer

from lienthong.conformance.cli import app
from lienthong.profiles.files import FileReport, PathProblem, episode_key_conflicts, validate_files
from lienthong.profiles.tables import VERSIONS
from lienthong.profiles.validation import root_causes


def _line(report: FileReport, text: str) -> str:
    return f"{report.path}: {text}"


@app.command()
def validate(
    paths: Annotated[
        list[Path], typer.Argument(help="XML files, or directories searched for *.xml.", show_default=False)
    ],
    version: Annotated[
        str,
        typer.Option(
            "--version",
            "-V",
            help=f"Profile to judge against: auto (implied by each file), or one of {', '.join(VERSIONS)}.",
        ),
    ] = "auto",
    output: Annotated[str, typer.Option("--format", "-f", help="text or json.")] = "text",
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print only the summary line.")] = False,
) -> None:
    """Validate XML 130 dossiers and check-ins; each error names table, record, field, value,
    rule and requirement ID. Exit code 1 when errors are found, 2 on a usage error."""
    if output not in ("text", "json"):
        typer.echo(f"error: --format must be text or json, not {output!r}", err=True)
        raise typer.Exit(2)
    if version != "auto" and version not in VERSIONS:
        typer.echo(
            f"error: --version must be auto or one of {', '.join(VERSIONS)}, not {version!r}", err=True
        )
        raise typer.Exit(2)
    reports: list[FileReport] = []
    try:
        for report in validate_files(paths, version):
            reports.append(report)
            if output == "text" and not quiet:
                for v in report.violations:
                    typer.echo(_line(report, v.message()))
    except PathProblem as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    for report, violation in episode_key_conflicts(reports):
        report.violations.append(violation)
        if output == "text" and not quiet:
            typer.echo(_line(report, violation.message()))
    if not reports:
        typer.echo("error: no XML file found in the paths given", err=True)
        raise typer.Exit(2)
    bad = [r for r in reports if r.violations]
    errors = sum(len(root_causes(r.violations)) for r in reports)
    consequences = sum(len(r.violations) for r in reports) - errors
    versions = Counter(r.version or "?" for r in reports)
    by_version = ", ".join(f"{n} {v}" for v, n in sorted(versions.items()))
    summary = (
        f"{len(reports)} file(s) judged ({by_version}): {len(reports) - len(bad)} valid, "
        f"{len(bad)} with errors, {errors} error(s)"
        + (f" (and {consequences} consequence(s) of them)" if consequences else "")
    )
    if output == "json":
        body = {
            "summary": {
                "files": len(reports),
                "valid": len(reports) - len(bad),
                "with_errors": len(bad),
                "errors": errors,
                "consequences": consequences,
                "versions": dict(versions),
            },
            "files": [
                {
                    "path": r.path,
                    "kind": r.kind,
                    "version": r.version,
                    "ma_lk": r.ma_lk,
                    "errors": [
                        {
                            "requirement": v.requirement,
                            "table": v.table,
                            "record": v.record,
                            "field": v.field,
                            "value": v.value,
                            "rule": v.rule,
                            "consequence_of": v.consequence_of or None,
                        }
                        for v in r.violations
                    ],
                }
                for r in reports
            ],
        }
        sys.stdout.buffer.write(orjson.dumps(body, option=orjson.OPT_INDENT_2) + b"\n")
    else:
        typer.echo(summary)
    raise typer.Exit(1 if bad else 0)


@app.command("coverage-matrix")
def coverage_matrix(
    out: Annotated[Path, typer.Option("--out", "-o", help="Where to write the CSV.")] = Path(
        "docs/coverage-matrix.csv"
    ),
) -> None:
    """Write the requirement coverage matrix (requirement -> checks -> proving fault)."""
    from lienthong.conformance.registry import registered
    from lienthong.profiles.coverage import coverage_csv, coverage_rows

    checks = {name: (c.verifies, c.fault) for name, c in registered().items()}
    rows = coverage_rows(checks)
    out.write_text(coverage_csv(rows), encoding="utf-8")
    missing = [r.requirement for r in rows if r.status == "MISSING"]
    typer.echo(
        f"wrote {out}: {len(rows)} requirements, {len(missing)} SHALL without check or reason"
        + (f" ({', '.join(missing)})" if missing else "")
    )
