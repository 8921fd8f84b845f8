"""``lienthong conformance``: certify one real node (a BHXH gateway, a C06 identity node or a MoH
health-book store) given by URL, with the credentials an implementer of that node has.

The scope (role, target, profile, accounts, patients, opt-in checks) is printed first; exit 0 when
nothing failed, 1 when a requirement failed or the target could not be tested (an unreachable URL
is an *error* of the run, shown, not a usage mistake), 2 for a usage mistake, 3 for an internal
error of lienthong.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from lienthong.conformance.cli._app import app
from lienthong.conformance.cli._console import console, fail
from lienthong.conformance.cli._target import (
    DEFAULT_MAX_BODY,
    PROFILES,
    ROLES,
    TargetRun,
    UsageError,
    exit_code,
    parse_account,
    parse_pair,
    read_patient_file,
    read_signing,
    run_target,
    scope_lines,
)
from lienthong.conformance.cli._verdict import print_result
from lienthong.conformance.cli._wiring import new_run_id, run_directory
from lienthong.profiles.i18n import _
from lienthong.reports.writer import FORMATS

REPORT_FORMATS = tuple(name for name in FORMATS if name != "evidence")


def build_run(
    *,
    role: str,
    target: str,
    peer: list[str],
    profile: str,
    account: list[str],
    key: Path | None,
    cert: Path | None,
    patients: Path | None,
    service_token: str,
    client: str,
    staff: str,
    wait_token_expiry: bool,
    max_body: int | None,
    seed: int,
    check: list[str],
) -> TargetRun:
    """A ``TargetRun`` from the options (``UsageError`` on a mistake); shared with the pytest plugin."""
    peers = {}
    for item in peer:
        node, sep, url = item.partition("=")
        if not (sep and node and url):
            raise UsageError(
                _("--peer {value!r} is not of the form NODE=URL").format(value=item),
                _("for example --peer c06=http://c06:8081"),
            )
        peers[node] = url
    run = TargetRun(
        role=role,
        target=target,
        peers=peers,
        profile=profile,
        accounts=[parse_account(text, position) for position, text in enumerate(account)],
        signing=read_signing(key, cert),
        patients=read_patient_file(patients),
        patients_source=str(patients) if patients else "",
        service_token=service_token,
        moh_client=parse_pair(
            client, "--client", _("MA_CSKCB:CLIENT_SECRET (the facility's MoH client secret)")
        )
        if client
        else None,
        staff=parse_pair(staff, "--staff", _("HO_TEN:CCCD (the staff member registered for look-ups)"))
        if staff
        else None,
        wait_token_expiry=wait_token_expiry,
        max_body=DEFAULT_MAX_BODY if max_body is None else max_body,
        max_body_stated=max_body is not None,
        seed=seed,
        checks=check,
    )
    run.validate()
    return run


@app.command()
def conformance(
    role: Annotated[str, typer.Option(help=f"The node under test: {', '.join(ROLES)}.")],
    target: Annotated[str, typer.Option(help="Base URL of the node under test.")],
    peer: Annotated[
        list[str],
        typer.Option(help="NODE=URL of a node the checks call without judging it (moh: c06=URL)."),
    ] = [],  # noqa: B006
    profile: Annotated[str, typer.Option(help=f"Endpoint family: {'|'.join(PROFILES)}.")] = "3176",
    account: Annotated[
        list[str],
        typer.Option(
            help="MA_CSKCB:USERNAME:PASSWORD of a gateway account (repeatable: the first is the main "
            "one; a second, of another facility, enables the cross-facility checks)."
        ),
    ] = [],  # noqa: B006
    key: Annotated[Path | None, typer.Option(help="The main facility's private key, PEM (to sign).")] = None,
    cert: Annotated[
        Path | None, typer.Option(help="The main facility's registered certificate, PEM.")
    ] = None,
    patients: Annotated[
        Path | None, typer.Option(help="CSV of patients the target knows (docs/conformance-roles.md).")
    ] = None,
    service_token: Annotated[
        str,
        typer.Option(
            help="Bearer token the gateway presents to C06 and the MoH store (c06, moh).",
            envvar="LIENTHONG_SERVICE_TOKEN",
        ),
    ] = "",
    client: Annotated[
        str,
        typer.Option(
            help="MA_CSKCB:CLIENT_SECRET, a facility's client credentials at the MoH store (moh).",
            envvar="LIENTHONG_MOH_CLIENT",
        ),
    ] = "",
    staff: Annotated[
        str, typer.Option(help="HO_TEN:CCCD of the staff member registered for card look-ups (bhxh).")
    ] = "",
    wait_token_expiry: Annotated[
        bool,
        typer.Option(
            "--wait-token-expiry",
            help="Include the checks that wait for a token to expire (expires_in + 5 s, at most 15 min).",
        ),
    ] = False,
    max_body: Annotated[
        int | None,
        typer.Option(
            help="The gateway's stated body limit in bytes; the oversized-body check sends this much "
            "(10 MiB when not given, and accepting it is then a warning, not a failure)."
        ),
    ] = None,
    out: Annotated[Path, typer.Option(help="Directory for run folders.")] = Path("reports/runs"),
    format: Annotated[
        list[str],
        typer.Option(help=f"Report formats (repeatable): {', '.join(REPORT_FORMATS)}; default all."),
    ] = [],  # noqa: B006
    check: Annotated[list[str], typer.Option(help="Run only these checks (repeatable).")] = [],  # noqa: B006
    seed: Annotated[int, typer.Option(help="Seed of the suite's own sample dossiers.")] = 42,
) -> None:
    """Certify a real node: run the checks of its role against it and write the reports."""
    unknown = [f for f in format if f not in REPORT_FORMATS]
    if unknown:
        fail(
            _("--format {value}: not a report format").format(value=", ".join(unknown)),
            hint=_("choose from {formats}").format(formats=", ".join(REPORT_FORMATS)),
        )
    try:
        run = build_run(
            role=role, target=target, peer=peer, profile=profile, account=account, key=key, cert=cert,
            patients=patients, service_token=service_token, client=client, staff=staff,
            wait_token_expiry=wait_token_expiry, max_body=max_body, seed=seed, check=check,
        )  # fmt: skip
    except UsageError as exc:
        fail(str(exc), hint=exc.hint)
    raise typer.Exit(execute_run(run, out, format or list(REPORT_FORMATS)))


def execute_run(run: TargetRun, out: Path, formats: list[str]) -> int:
    """Print the scope, run, print the findings, write the reports; the exit code."""
    scope, checks = run.plan()
    console.print("[bold]" + _("scope") + "[/] " + _("(fixed by the command line; no check changes it)"))
    for line in scope_lines(scope, len(checks)):
        console.print(f"  {line}")
    console.print(
        "  "
        + _("requirements {in_scope} in scope, {out} out of scope (listed with why in the reports)").format(
            in_scope=len(scope.requirements), out=len(scope.out_of_scope)
        )
    )
    run_id = new_run_id(run.seed)
    directory = run_directory(out, run_id)
    with _progress() as bar:
        task = bar.add_task("checks", total=len(checks))
        result = asyncio.run(
            run_target(run, run_id, directory=directory, progress=lambda _: bar.advance(task))
        )
    paths = {name: FORMATS[name](result, directory) for name in [*formats, "evidence"]}
    print_result(result, paths)
    return exit_code(result)


def _progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), console=console, transient=True
    )
