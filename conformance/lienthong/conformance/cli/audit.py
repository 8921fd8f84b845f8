"""``lienthong audit SOURCE... --out DIR``: what facilities sent, judged and scored (MoH monitoring);
``lienthong dashboard --results DIR``: the results as an offline web page."""

from __future__ import annotations

import csv
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from lienthong.conformance.audit import engine
from lienthong.conformance.audit.aggregate import RegisterProblem, build_result, read_register
from lienthong.conformance.audit.dashboard import page
from lienthong.conformance.audit.labels import LANGUAGES
from lienthong.conformance.audit.outputs import FORMATS, write_outputs
from lienthong.conformance.audit.sources import Source, SourceProblem, open_source
from lienthong.conformance.cli._app import app
from lienthong.conformance.cli._console import console, fail
from lienthong.conformance.traffic import Finding
from lienthong.profiles.i18n import _

FINDINGS_COLUMNS = (
    "requirement",
    "facility",
    "ma_lk",
    "table",
    "record",
    "field",
    "value",
    "message",
    "submission",
)


def _formats(raw: list[str]) -> list[str]:
    formats = [part.strip() for item in raw for part in item.split(",") if part.strip()]
    wrong = [f for f in formats if f not in FORMATS]
    if wrong:
        fail(
            _("--format {value} is not a format of the audit.").format(value=", ".join(wrong)),
            hint=_("Give one or more of {formats} (audit.json is always written).").format(
                formats=", ".join(FORMATS)
            ),
        )
    return formats or ["json"]


def audit_to(
    specs: list[str],
    out: Path,
    *,
    formats: list[str],
    lang: str,
    register_path: Path | None = None,
    token: str = "",
    as_of: datetime | None = None,
    restart: bool = False,
    show_progress: bool = True,
) -> dict[str, object]:
    """The audit as the command runs it (the tests call this too); raises SourceProblem or
    RegisterProblem on a user mistake."""
    register = read_register(register_path) if register_path is not None else None
    sources: list[Source] = [open_source(spec, token=token) for spec in specs]
    out.mkdir(parents=True, exist_ok=True)
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        disable=not show_progress,
        transient=False,
    ) as bar:
        tasks: dict[str, int] = {}

        def shown(state: engine.Progress) -> None:
            if state.source not in tasks:
                tasks[state.source] = int(bar.add_task(f"audit {state.source}", total=state.total))
            bar.update(tasks[state.source], completed=state.read)  # type: ignore[arg-type]

        run = engine.run_audit(sources, out, restart=restart, progress=shown)
    with (out / "findings.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(FINDINGS_COLUMNS)

        def keep(finding: Finding) -> None:
            writer.writerow([getattr(finding, c) for c in FINDINGS_COLUMNS])

        result = build_result(run.judge, sources=run.sources, register=register, as_of=as_of, on_finding=keep)
    write_outputs(result, out, formats, lang)
    (out / "dashboard.html").write_text(page(result, lang), encoding="utf-8")
    return result


@app.command()
def audit(
    sources: Annotated[
        list[str],
        typer.Argument(
            help="Folders of XML 130 files, gateway SQLite files, postgresql:// URLs or a gateway's "
            "http(s):// base URL (its /lienthong/submissions journal).",
            show_default=False,
            metavar="SOURCE...",
        ),
    ],
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder for the results.")],
    output: Annotated[
        list[str], typer.Option("--format", "-f", help="json, csv, html (repeat or comma-separate).")
    ] = ["json"],  # noqa: B006  (typer reads the default)
    facilities: Annotated[
        Path | None, typer.Option("--facilities", help="Facility register CSV: facility,name,province,level.")
    ] = None,
    lang: Annotated[str, typer.Option("--lang", help="Labels: vi or en.")] = "vi",
    token: Annotated[str, typer.Option("--token", help="Admin token of a journal API source.")] = "",
    as_of: Annotated[
        str, typer.Option("--as-of", help="Judge what is missing as of this time (YYYY-MM-DDTHH:MM, local).")
    ] = "",
    restart: Annotated[bool, typer.Option("--restart", help="Ignore the saved state in --out.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
) -> None:
    """Audit what facilities sent: interconnection by the QĐ 2733 visit types, timeliness and the
    QĐ 2062 quality scores (đúng, đủ, sạch, sống) per facility, with trends, league tables and the
    records behind every point lost. Resumable: a second run on the same sources continues."""
    if lang not in LANGUAGES:
        fail(
            _("--lang {value!r} is not a language of the labels.").format(value=lang),
            hint=_("Give one of {choices}.").format(choices=", ".join(LANGUAGES)),
        )
    formats = _formats(output)
    moment = None
    if as_of:
        try:
            moment = datetime.fromisoformat(as_of).replace(tzinfo=None)
        except ValueError:
            fail(
                _("--as-of {value!r} is not a time.").format(value=as_of),
                hint=_("Write it as YYYY-MM-DDTHH:MM (Vietnam local time)."),
            )
    try:
        result = audit_to(
            sources,
            out,
            formats=formats,
            lang=lang,
            register_path=facilities,
            token=token,
            as_of=moment,
            restart=restart,
            show_progress=not quiet,
        )
    except (SourceProblem, RegisterProblem) as exc:
        fail(f"{exc}.", hint=_("Check the SOURCE arguments and --facilities, then run the audit again."))
    rows = result["facilities"]
    assert isinstance(rows, list)
    worst = [r for r in rows if r["score"] is not None][-3:]
    console.print(
        _(
            "audited {submissions:,} submissions, {visits:,} visits, {facilities:,} facilities -> {path}"
        ).format(
            submissions=result["submissions"],
            visits=result["episodes"],
            facilities=len(rows),
            path=out / "audit.json",
        )
    )
    for row in worst:
        console.print(
            _("  lowest: {facility} score {score} ({rules})").format(
                facility=row["facility"], score=row["score"], rules=", ".join(row["rules"])
            )
        )


@app.command()
def dashboard(
    results: Annotated[Path, typer.Option("--results", help="The --out folder of lienthong audit.")],
    port: Annotated[int, typer.Option("--port", help="Port on 127.0.0.1 (0: a free one).")] = 8765,
    lang: Annotated[str, typer.Option("--lang", help="Labels: vi or en.")] = "vi",
) -> None:
    """Serve the audit results as an offline web page on 127.0.0.1 (filters by province, facility,
    month and rule; drill-down to the failing records). Stop with Ctrl-C."""
    import time

    from lienthong.conformance.audit.dashboard import ResultsProblem, serve

    if lang not in LANGUAGES:
        fail(
            _("--lang {value!r} is not a language of the labels.").format(value=lang),
            hint=_("Give one of {choices}.").format(choices=", ".join(LANGUAGES)),
        )
    if not 0 <= port <= 65535:
        fail(
            _("--port {port} is not a port.").format(port=port),
            hint=_("Give a number from 0 to 65535 (0 picks a free one)."),
        )
    try:
        server, _thread = serve(results, port=port, lang=lang)
    except ResultsProblem as exc:
        fail(f"{exc}.", hint=_("Give --results the folder an audit wrote."))
    except OSError as exc:
        fail(
            _("cannot listen on 127.0.0.1:{port}: {reason}.").format(port=port, reason=exc.strerror),
            hint=_("Give another --port, or 0."),
        )
    console.print(
        _("dashboard of {results} at {url} (Ctrl-C stops it)").format(
            results=results, url=f"http://127.0.0.1:{server.server_address[1]}/"
        )
    )
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        server.shutdown()
