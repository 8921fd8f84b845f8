"""``lienthong run``: start the simulated network, send a seeded batch through the whole chain,
run the suite and write the reports. ``--target bhxh=URL`` points the suite at a real gateway."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from lienthong.conformance.cli._app import app
from lienthong.conformance.cli._console import console, fail
from lienthong.conformance.cli._options import http_url, writable_directory
from lienthong.conformance.cli._target import UsageError, keep_case
from lienthong.conformance.cli._verdict import print_result, print_scope
from lienthong.conformance.cli._wiring import (
    execute,
    new_run_id,
    run_directory,
    select_checks,
    send_batch,
    simulated_suite,
)
from lienthong.conformance.cli.conformance import REPORT_FORMATS, build_run, execute_run
from lienthong.conformance.registry import Check, registered
from lienthong.conformance.results import CheckResult, RunResult, Scope
from lienthong.conformance.scope import plan_scope
from lienthong.profiles.i18n import _
from lienthong.reports import FORMATS, write_all
from lienthong.simulators.faults import UnknownFault
from lienthong.simulators.network import NetworkConfig, build_network, chosen_faults
from lienthong.simulators.population.citizens import DEFAULT_SEED

TARGETABLE = ("bhxh",)
SIMULATED_ACTORS = frozenset({"bhxh", "c06", "moh", "hospital"})
PROFILE = "3176"
"""The profile the suite's submissions follow (the current one)."""
_EXAMPLES = {"=": "http://127.0.0.1:8080", ":": "drops_forward"}


def _parse_pairs(values: list[str], what: str, sep: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for value in values:
        actor, _sep, rest = value.partition(sep)
        if not actor or not rest:
            fail(
                _("--{what} {value!r} is not of the form ACTOR{sep}VALUE").format(
                    what=what, value=value, sep=sep
                ),
                hint=_("for example: --{what} bhxh{sep}{example}").format(
                    what=what, sep=sep, example=_EXAMPLES[sep]
                ),
            )
        out.setdefault(actor, []).append(rest)
    return out


@app.command()
def run(
    seed: Annotated[int, typer.Option(help="Seed of the synthetic population and visits.")] = DEFAULT_SEED,
    visits: Annotated[int, typer.Option(min=1, max=10_000, help="Visits the simulated hospital sends.")] = 20,
    out: Annotated[Path, typer.Option(help="Directory for run folders.")] = Path("reports/runs"),
    target: Annotated[
        list[str],
        typer.Option(help="ACTOR=URL: test a real system instead of the simulated one (bhxh)."),
    ] = [],  # noqa: B006
    check: Annotated[list[str], typer.Option(help="Run only these checks (repeatable).")] = [],  # noqa: B006
    fault: Annotated[
        list[str],
        typer.Option(
            help="ACTOR:FAULT: make a simulated actor misbehave on purpose, to see the suite catch it."
        ),
    ] = [],  # noqa: B006
    facility: Annotated[
        str, typer.Option(help="Facility code (MA_CSKCB) of the account on a real gateway.")
    ] = "",
    username: Annotated[str, typer.Option(help="Gateway account username (real gateway).")] = "",
    password: Annotated[
        str,
        typer.Option(help="Gateway account password (real gateway).", envvar="LIENTHONG_PASSWORD"),
    ] = "",
    key: Annotated[
        Path | None, typer.Option(help="Facility private key, PEM (to sign for a real gateway).")
    ] = None,
    cert: Annotated[Path | None, typer.Option(help="Facility certificate, PEM.")] = None,
    account: Annotated[
        list[str],
        typer.Option(help="MA_CSKCB:USERNAME:PASSWORD on a real gateway (repeatable; see `conformance`)."),
    ] = [],  # noqa: B006
    patients: Annotated[
        Path | None, typer.Option(help="CSV of patients a real gateway knows (see `conformance`).")
    ] = None,
    report_format: Annotated[
        list[str],
        typer.Option("--format", help=f"Report formats to write (repeatable): {', '.join(FORMATS)}."),
    ] = [],  # noqa: B006
) -> None:
    """Run the conformance suite end to end and write JSON, JUnit XML and HTML reports.

    With ``--target bhxh=URL`` it runs the gateway role of ``lienthong conformance`` against that
    URL instead (same engine, scope, reports and exit codes)."""
    targets = {actor: urls[-1] for actor, urls in _parse_pairs(target, "target", "=").items()}
    for actor in targets:
        if actor not in TARGETABLE:
            fail(
                _("--target {actor}=...: only {actors} can be a real system in this version").format(
                    actor=actor, actors=", ".join(TARGETABLE)
                ),
                hint=_("for example: --target bhxh=http://127.0.0.1:8080"),
            )
        http_url(targets[actor], f"--target {actor}=")
    given = {
        "--facility": facility,
        "--username": username,
        "--key": key,
        "--cert": cert,
        "--account": account,
        "--patients": patients,
    }
    real_only = [name for name, value in given.items() if value]
    if real_only and not targets:
        fail(
            _("{options} given without --target: these options apply only to a real gateway").format(
                options=", ".join(real_only)
            ),
            hint=_("add --target bhxh=URL, or leave them out to test the simulated network"),
        )
    try:
        chosen = select_checks(check) if check else None
    except ValueError as exc:
        fail(str(exc), hint=_("the check names are in docs/coverage-matrix.csv and in each report"))
    unknown_formats = [f for f in report_format if f not in FORMATS]
    if unknown_formats:
        fail(
            _("--format {value!r} is not a report format").format(value=unknown_formats[0]),
            hint=_("one of: {formats} (repeat --format for several; default: all)").format(
                formats=", ".join(FORMATS)
            ),
        )
    faults = {actor: frozenset(names) for actor, names in _parse_pairs(fault, "fault", ":").items()}
    try:
        chosen_faults(NetworkConfig(faults=faults))  # unknown actors and fault names, before anything runs
    except (UnknownFault, ValueError) as exc:
        fail(str(exc), hint=_("the faults of each actor are listed in docs/coverage-matrix.csv"))
    writable_directory(out, "--out")
    if "bhxh" in targets:
        _against_real_gateway(
            check, targets["bhxh"], seed, out, facility, username, password, account, key, cert, patients,
            report_format or list(REPORT_FORMATS),
        )  # fmt: skip
    scope, checks = plan_scope(
        command="run",
        registered=registered(),
        selected=chosen,
        under_test=SIMULATED_ACTORS,
        directions=frozenset({"server", "sender", "chain"}),
        targets=dict.fromkeys(sorted(SIMULATED_ACTORS), "simulated"),
        profile=PROFILE,
        # the simulation clock moves past a token's lifetime: no waiting, so always in scope
        opted_in=frozenset({"wait-token-expiry"}),
        options=_scope_options(faults),
    )
    scope.role = "network"
    run_id = new_run_id(seed)
    directory = run_directory(out, run_id)
    print_scope(scope)
    config = NetworkConfig(
        seed=seed,
        population=max(200, 100 + visits),
        data_dir=directory / "network",
        faults=faults,
    )
    # a ValueError from the run itself is a bug of ours (exit 3), not a wrong option
    result = asyncio.run(_simulated(checks, scope, config, visits, run_id, directory))
    paths = write_all(result, directory, report_format or None)
    print_result(result, paths)
    raise typer.Exit(result.exit_code)


def _scope_options(faults: dict[str, frozenset[str]]) -> dict[str, str]:
    given = ", ".join(f"{a}:{f}" for a, names in sorted(faults.items()) for f in sorted(names))
    return {"faults": given or "none (the conformant network)"}


async def _simulated(
    checks: list[Check], scope: Scope, config: NetworkConfig, visits: int, run_id: str, directory: Path
) -> RunResult:
    network = build_network(config)
    try:
        with _progress() as bar:
            sending = bar.add_task("hospital sends visits", total=visits)
            await send_batch(
                network,
                visits,
                faults=config.faults.get("hospital", frozenset()),
                progress=lambda: bar.advance(sending),
            )
            suite = await simulated_suite(network)
            running = bar.add_task("checks", total=len(checks))

            def done(result: CheckResult) -> None:
                keep_case(directory, run_id, result, suite.server, scope)
                bar.advance(running)

            return await execute(
                checks,
                suite,
                frozenset({"bhxh", "c06", "moh", "hospital"}),
                seed=config.seed,
                run_id=run_id,
                targets=dict.fromkeys(("bhxh", "c06", "moh", "hospital", "vneid"), "simulated"),
                scope=scope,
                progress=done,
            )
    finally:
        await network.aclose()


def _against_real_gateway(
    names: list[str],
    url: str,
    seed: int,
    out: Path,
    facility: str,
    username: str,
    password: str,
    account: list[str],
    key: Path | None,
    cert: Path | None,
    patients: Path | None,
    formats: list[str],
) -> NoReturn:
    """The gateway role of ``lienthong conformance``, on the same engine (``_target``)."""
    given = [f"{facility}:{username}:{password}"] if facility or username or password else []
    missing = [
        name
        for name, value in (("--facility", facility), ("--username", username), ("--password", password))
        if not value
    ]
    if (given and missing) or not (given or account):
        fail(
            _("testing a real gateway needs {options}").format(
                options=", ".join(missing or ["--facility", "--username", "--password"])
            )
            + " (or --account MA_CSKCB:USERNAME:PASSWORD)",
            hint=_(
                "give the facility account registered on that gateway "
                "(the password may come from LIENTHONG_PASSWORD)"
            ),
        )
    try:
        run = build_run(
            role="bhxh", target=url, peer=[], profile="3176", account=[*given, *account], key=key,
            cert=cert, patients=patients, service_token="", client="", staff="", wait_token_expiry=False,
            max_body=None, seed=seed, check=names,
        )  # fmt: skip
    except UsageError as exc:
        fail(str(exc), hint=exc.hint)
    raise typer.Exit(execute_run(run, out, formats))


def _progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=console,
        transient=True,
    )
