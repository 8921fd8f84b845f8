"""``lienthong run``: start the simulated network, send a seeded batch through the whole chain,
run the suite and write the reports. ``--target bhxh=URL`` points the suite at a real gateway."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from lienthong.conformance.cli._app import app
from lienthong.conformance.cli._console import COLOURS, console, fail
from lienthong.conformance.cli._target import UsageError, keep_case
from lienthong.conformance.cli._wiring import (
    execute,
    new_run_id,
    run_directory,
    select_checks,
    send_batch,
    simulated_suite,
)
from lienthong.conformance.cli.conformance import REPORT_FORMATS, build_run, execute_run
from lienthong.conformance.registry import Check
from lienthong.conformance.results import CheckResult, RunResult, Scope
from lienthong.reports import write_all
from lienthong.simulators.faults import UnknownFault
from lienthong.simulators.network import NetworkConfig, build_network

TARGETABLE = ("bhxh",)
_EXAMPLES = {"=": "http://127.0.0.1:8080", ":": "drops_forward"}


def _parse_pairs(values: list[str], what: str, sep: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for value in values:
        actor, _, rest = value.partition(sep)
        if not actor or not rest:
            fail(
                f"{what} {value!r} is not of the form ACTOR{sep}VALUE",
                hint=f"for example: --{what} bhxh{sep}{_EXAMPLES[sep]}",
            )
        out.setdefault(actor, []).append(rest)
    return out


@app.command()
def run(
    seed: Annotated[int, typer.Option(help="Seed of the synthetic population and visits.")] = 42,
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
) -> None:
    """Run the conformance suite end to end and write JSON, JUnit XML and HTML reports.

    With ``--target bhxh=URL`` it runs the gateway role of ``lienthong conformance`` against that
    URL instead (same engine, scope, reports and exit codes)."""
    targets = {actor: urls[-1] for actor, urls in _parse_pairs(target, "target", "=").items()}
    for actor in targets:
        if actor not in TARGETABLE:
            fail(f"--target {actor}=...: only {', '.join(TARGETABLE)} can be a real system in this version")
    try:
        checks = select_checks(check)
    except ValueError as exc:
        fail(str(exc), hint="`lienthong run --help`; check names are in the report and the docs")
    faults = {actor: frozenset(names) for actor, names in _parse_pairs(fault, "fault", ":").items()}
    if "bhxh" in targets:
        _against_real_gateway(
            check, targets["bhxh"], seed, out, facility, username, password, account, key, cert, patients
        )
    run_id = new_run_id(seed)
    directory = run_directory(out, run_id)
    try:
        config = NetworkConfig(
            seed=seed,
            population=max(200, 100 + visits),
            data_dir=directory / "network",
            faults=faults,
        )
        result = asyncio.run(_simulated(checks, config, visits, run_id, directory))
    except (UnknownFault, ValueError) as exc:
        fail(str(exc))
    result.scope = Scope("network", dict(result.targets), "3176", opt_in={"wait-token-expiry": True})
    paths = write_all(result, directory)
    _summary(result)
    for name, path in paths.items():
        if path.exists():  # no failures folder when nothing failed
            console.print(f"  {name:8} {path}")
    raise typer.Exit(0 if result.passed else 1)


async def _simulated(
    checks: list[Check], config: NetworkConfig, visits: int, run_id: str, directory: Path
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
                keep_case(directory, run_id, result, suite.server)
                bar.advance(running)

            return await execute(
                checks,
                suite,
                frozenset({"bhxh", "c06", "moh", "hospital"}),
                seed=config.seed,
                run_id=run_id,
                targets=dict.fromkeys(("bhxh", "c06", "moh", "hospital", "vneid"), "simulated"),
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
            f"testing a real gateway needs {', '.join(missing)} (or --account MA_CSKCB:USERNAME:PASSWORD)",
            hint="the facility account registered on that gateway "
            "(the password may come from LIENTHONG_PASSWORD)",
        )
    try:
        run = build_run(
            role="bhxh", target=url, peer=[], profile="3176", account=[*given, *account], key=key,
            cert=cert, patients=patients, service_token="", client="", staff="", wait_token_expiry=False,
            max_body=None, seed=seed, check=names,
        )  # fmt: skip
    except UsageError as exc:
        fail(str(exc), hint=exc.hint)
    raise typer.Exit(execute_run(run, out, list(REPORT_FORMATS)))


def _progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=console,
        transient=True,
    )


def _summary(result: RunResult) -> None:
    table = Table(title=f"lienthong run {result.run_id}", show_lines=False)
    for column in ("requirement", "outcome", "title"):
        table.add_column(column)
    for req in result.requirements:
        colour = COLOURS[req.outcome.value]
        table.add_row(req.id, f"[{colour}]{req.outcome.value}[/]", req.title)
    console.print(table)
    counts = result.counts("requirements")
    console.print(
        " · ".join(f"[{COLOURS[k]}]{v} {k}[/]" for k, v in counts.items())
        + f" — {len(result.requirements)} requirements, {len(result.checks)} checks"
    )
    console.print(f"[bold]{'PASSED' if result.passed else 'FAILED'}[/] — reports in {result.run_id}:")
