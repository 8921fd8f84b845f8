"""``lienthong certify verdict``: judge what a certification session journaled (running or
stopped), or re-judge a certification bundle, and write the certificate report."""

from __future__ import annotations

import json
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from lienthong.conformance.cli._certify_bundle import BundleError, read_bundle, verdict_bytes, write_bundle
from lienthong.conformance.cli._certify_journal import SessionDirError, SessionRecord, read_session_dir
from lienthong.conformance.cli._console import console, fail
from lienthong.conformance.cli.certify import certify_app
from lienthong.conformance.results import CheckResult, Outcome, RequirementResult, RunResult
from lienthong.conformance.traffic.certification import Verdict, judge_session
from lienthong.conformance.traffic.session_deadline import DeadlineError
from lienthong.conformance.traffic.waivers import Waiver, WaiverError, read_waivers
from lienthong.profiles import requirement
from lienthong.profiles.catalogue import UnknownRequirement
from lienthong.profiles.i18n import _
from lienthong.profiles.patients import PatientsFileError

FORMATS = ("json", "junit", "html")
_OUTCOMES = {
    "fail": Outcome.FAIL,
    "warn": Outcome.WARN,
    "waived": Outcome.WAIVED,
    "pending": Outcome.SKIP,
    "pass": Outcome.PASS,
}
_COLOURS = {"fail": "red", "pending": "yellow", "waived": "magenta", "warn": "yellow", "pass": "green"}


def judge_record(
    record: SessionRecord, judged_at: datetime, waivers: list[Waiver], deadline: str = ""
) -> Verdict:
    return judge_session(
        record.transcripts, record.patients(), record.facts(deadline), judged_at, waivers, record.scenario()
    )


def verdict_document(record: SessionRecord, verdict: Verdict) -> dict[str, Any]:
    session = record.session
    return {
        "session_id": session.get("session_id", ""),
        "facilities": session.get("facilities", []),
        "opened_at": session.get("opened_at"),
        "stopped_at": session.get("stopped_at"),
        "submissions": len(record.transcripts),
        **verdict.as_dict(),
    }


def as_run(document: dict[str, Any]) -> RunResult:
    """The verdict in the shape the JUnit and HTML writers read: one check per episode."""
    checks: list[CheckResult] = []
    worst: dict[str, int] = {}
    for episode in document["episodes"]:
        findings = episode["findings"]
        ids = tuple(dict.fromkeys(f["requirement"] for f in findings))
        lines = [
            f"[{f['outcome']}] {f['requirement']} {f['table']} record {f['record']} field {f['field']} = "
            f"{f['value']!r}: {f['message']}" + (f" ({f['why']})" if f.get("why") else "")
            for f in findings
        ]
        outcome = _OUTCOMES[episode["outcome"]]
        checks.append(
            CheckResult(
                f"episode {episode['facility']}/{episode['ma_lk']}",
                episode["note"],
                ids,
                "hospital",
                "sender",
                outcome,
                lines[0] if lines else "no finding",
                lines,
            )
        )
        for f in findings:
            rank = list(_OUTCOMES).index(f["outcome"])
            worst[f["requirement"]] = min(worst.get(f["requirement"], rank), rank)
    requirements = []
    for req_id, rank in worst.items():
        try:
            req = requirement(req_id)
        except UnknownRequirement:
            continue
        requirements.append(
            RequirementResult(
                req.id,
                req.level,
                req.title,
                req.text,
                req.source,
                req.article,
                req.mark,
                req.actors,
                list(_OUTCOMES.values())[rank],
                [c.check for c in checks if req.id in c.requirement_ids],
            )
        )
    return RunResult(
        str(document.get("session_id", "")),
        str(document.get("opened_at", "")),
        document["judged_at"],
        0,
        "",
        {"hospital": "vendor HIS (certification session)"},
        checks,
        requirements,
    )


def render(document: dict[str, Any], form: str) -> bytes:
    if form == "json":
        return verdict_bytes(document)
    run = as_run(document)
    if form == "junit":
        from lienthong.reports import junit

        return junit.render(run)
    from lienthong.reports import html

    return html.render(run).encode("utf-8")


def show(document: dict[str, Any]) -> None:
    """The verdict on the console: one row per episode, then every finding."""
    title = f"Certification verdict as of {document['judged_at']}: {document['outcome'].upper()}"
    episodes = Table(title=title)
    for column in ("facility", "MA_LK", "outcome", "findings", "submissions"):
        episodes.add_column(column)
    for episode in document["episodes"]:
        colour = _COLOURS[episode["outcome"]]
        episodes.add_row(
            episode["facility"],
            episode["ma_lk"],
            f"[{colour}]{episode['outcome']}[/]",
            str(len(episode["findings"])),
            episode["note"],
        )
    console.print(episodes)
    if not document["episodes"]:
        console.print("[yellow]" + _("The HIS has sent nothing yet: nothing to certify.") + "[/]")
    if "steps" in document:
        steps = Table(
            title=_("Scenario {name} v{version}").format(
                name=document["scenario"]["name"], version=document["scenario"]["version"]
            )
        )
        for column in ("step", "outcome", "MA_LK", "what"):
            steps.add_column(column)
        for step in document["steps"]:
            colour = _COLOURS[step["outcome"]]
            steps.add_row(
                step["step"], f"[{colour}]{step['outcome']}[/]", step["ma_lk"], step["note"] or step["title"]
            )
        console.print(steps)
    findings = [f for episode in document["episodes"] for f in episode["findings"]]
    if findings:
        table = Table(title=_("Findings (requirement, where, why)"))
        for column in ("outcome", "requirement", "MA_LK", "table", "rec", "field", "value", "message"):
            table.add_column(column)
        for f in findings:
            colour = _COLOURS[f["outcome"]]
            why = f" ({f['why']})" if f.get("why") else ""
            table.add_row(
                f"[{colour}]{f['outcome']}[/]",
                f["requirement"],
                f["ma_lk"],
                f["table"],
                str(f["record"]),
                f["field"],
                str(f["value"])[:40],
                (f["message"] + why)[:160],
            )
        console.print(table)
    counts = document["counts"]
    tally = ", ".join(f"{counts.get(o, 0)} {o}" for o in ("pass", "warn", "waived", "pending", "fail"))
    console.print(
        _("episodes: {tally}; dossier deadline {deadline}").format(
            tally=tally, deadline=document["dossier_deadline"]
        )
    )


def _exit(document: dict[str, Any]) -> None:
    if document["outcome"] != "pass":
        raise typer.Exit(1)


@certify_app.command("verdict")
def verdict(
    data_dir: Annotated[
        Path | None, typer.Option(help="The session's data directory (as given to certify --open).")
    ] = None,
    output_format: Annotated[str, typer.Option("--format", help="json, junit or html.")] = "json",
    out: Annotated[
        Path | None, typer.Option(help="Write the report here (default: DATA_DIR/verdict.EXT).")
    ] = None,
    bundle: Annotated[
        Path | None,
        typer.Option(
            help="With --data-dir: also write the certification bundle here. Alone: re-judge this "
            "bundle from its transcripts, as of its judged-at time."
        ),
    ] = None,
    waivers: Annotated[
        Path | None, typer.Option(help="Waivers (JSON list: requirement, scope, reason, approver, expiry).")
    ] = None,
    dossier_deadline: Annotated[
        str,
        typer.Option(
            help="Override the session's --dossier-deadline (e.g. 0 to judge every missing dossier now)."
        ),
    ] = "",
    wait: Annotated[
        float,
        typer.Option(min=0, max=600, help="Seconds to let a running session's C06 checks finish first."),
    ] = 10.0,
) -> None:
    """Judge what a certification session's HIS sent; exit 0 when certified, 1 when not (yet)."""
    if output_format not in FORMATS:
        fail(
            _("--format {value!r} is not one of {choices}").format(
                value=output_format, choices=", ".join(FORMATS)
            ),
            hint=_("for example --format junit"),
        )
    try:
        chosen = read_waivers(waivers) if waivers else []
    except WaiverError as exc:
        fail(
            str(exc), hint=_("each waiver needs requirement, scope, reason, approver and expiry (yyyy-mm-dd)")
        )
    if data_dir is None and bundle is None:
        fail(
            _("certify verdict needs --data-dir DIR (a session) or --bundle FILE (re-judge a bundle)"),
            hint="lienthong certify verdict --data-dir .lienthong/certify",
        )
    try:
        if data_dir is None:
            assert bundle is not None
            _rejudge(bundle, output_format, out)
            return
        record = read_session_dir(data_dir)
        settle_until = time.monotonic() + wait
        while any(t.forward == "pending" for t in record.transcripts) and time.monotonic() < settle_until:
            time.sleep(0.3)  # a running session forwards to C06 in the background: let it answer
            record = read_session_dir(data_dir)
        judged_at = datetime.now(UTC)
        document = verdict_document(record, judge_record(record, judged_at, chosen, dossier_deadline))
    except (SessionDirError, BundleError, PatientsFileError, DeadlineError) as exc:
        fail(
            str(exc), hint=_("give the --data-dir of a `lienthong certify --open` session, or a bundle file")
        )
    target = out or data_dir / f"verdict.{ {'json': 'json', 'junit': 'xml', 'html': 'html'}[output_format] }"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(render(document, output_format))
    show(document)
    console.print(_("report: {path}").format(path=target))
    if bundle is not None:
        write_bundle(bundle, record, document, document["judged_at"], chosen)
        console.print(
            _("bundle: {path} (re-judge it with: lienthong certify verdict --bundle {path})").format(
                path=bundle
            )
        )
    _exit(document)


def _rejudge(path: Path, output_format: str, out: Path | None) -> None:
    found = read_bundle(path)
    judged_at = datetime.fromisoformat(found.manifest["judged_at"])
    document = verdict_document(found.record, judge_record(found.record, judged_at, found.waivers))
    if found.edited:
        console.print("[yellow]" + _("edited since judging:") + "[/] " + ", ".join(found.edited))
    if drift := found.drift():
        console.print(
            "[yellow]" + _("judged then with other rules than installed now:") + "[/] " + ", ".join(drift)
        )
    same = verdict_bytes(document) == verdict_bytes(found.verdict)
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(render(document, output_format))
    show(document)
    if same:
        console.print(
            "[green]"
            + _("re-judged from {count} transcripts: identical verdict").format(
                count=len(found.record.transcripts)
            )
            + "[/]"
        )
        _exit(document)
        return
    before = {(e["facility"], e["ma_lk"]): e["outcome"] for e in found.verdict.get("episodes", [])}
    changed = [
        f"{e['facility']}/{e['ma_lk']}: {before.get((e['facility'], e['ma_lk']), 'absent')} -> {e['outcome']}"
        for e in document["episodes"]
        if before.get((e["facility"], e["ma_lk"])) != e["outcome"]
    ]
    differs = _("re-judged verdict differs from the bundle's verdict")
    console.print(f"[red]{differs}[/]: " + ("; ".join(changed) or _("details differ")))
    json.dump({"changed": changed}, sys.stderr)
    raise typer.Exit(1)
