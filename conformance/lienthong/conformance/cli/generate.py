"""``lienthong generate``: a deterministic synthetic population (and its care) written to files;
with ``--facility``, visits of the demo network's citizens at one of its facilities, as check-ins
and dossiers ``lienthong simulate`` accepts (``--sign``: signed with the facility's demo key)."""

from __future__ import annotations

from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from lienthong.conformance.cli import app
from lienthong.conformance.cli._console import fail as usage_error
from lienthong.conformance.cli._demo import DEMO_DATA_DIR
from lienthong.conformance.cli.generate_facility import FACILITY_VISITS, write_facility_visits
from lienthong.simulators.population.citizens import DEFAULT_SEED, DEMO_POPULATION

POPULATION_COUNT = 1000


@app.command()
def generate(
    out: Annotated[Path, typer.Option("--out", help="Directory to write into (created if missing).")],
    seed: Annotated[
        int, typer.Option("--seed", help="Population seed: same seed, same bytes (simulate's default too).")
    ] = DEFAULT_SEED,
    count: Annotated[
        int | None,
        typer.Option(
            "--count",
            help=f"Number of citizens (default {POPULATION_COUNT}; "
            f"with --facility, of visits: {FACILITY_VISITS}).",
            show_default=False,
        ),
    ] = None,
    fmt: Annotated[
        str | None,
        typer.Option(
            "--format", help="csv, xml130, fhir (or a plug-in exporter); default csv.", show_default=False
        ),
    ] = None,
    start: Annotated[int, typer.Option("--start", help="Index of the first citizen.")] = 0,
    workers: Annotated[int, typer.Option("--workers", help="Worker processes (output is identical).")] = 1,
    facility: Annotated[
        str | None,
        typer.Option(
            "--facility",
            help="Write check-ins and dossiers of visits at this demo facility of lienthong simulate "
            "(01001, 79002, 48003), for citizens its C06 and card register know.",
            show_default=False,
        ),
    ] = None,
    sign: Annotated[
        bool, typer.Option("--sign", help="With --facility: sign them with the facility's demo key.")
    ] = False,
    data_dir: Annotated[
        Path,
        typer.Option(help="With --sign: the --data-dir of lienthong simulate, whose keys/ are used."),
    ] = DEMO_DATA_DIR,
    population: Annotated[
        int,
        typer.Option(help="With --facility: the --population of lienthong simulate."),
    ] = DEMO_POPULATION,
    day: Annotated[
        str | None,
        typer.Option(help="With --facility: the day of the visits, YYYY-MM-DD (default: yesterday)."),
    ] = None,
) -> None:
    """Generate citizens START .. START+COUNT-1 of population SEED, with visits and vaccines; or,
    with --facility, their visits at a demo facility as check-ins and dossiers."""
    visits = facility is not None or sign
    count = (FACILITY_VISITS if visits else POPULATION_COUNT) if count is None else count
    if count < 1:
        usage_error(f"--count must be at least 1 (got {count})")
    if seed < 0:
        usage_error(f"--seed must be a non-negative integer (got {seed})")
    if visits:
        write_facility_visits(
            out,
            facility=facility,
            seed=seed,
            count=count,
            start=start,
            fmt=fmt,
            sign=sign,
            data_dir=data_dir,
            population=population,
            day=day,
        )
        return
    fmt = fmt or "csv"
    from lienthong.simulators.population import slots
    from lienthong.simulators.population.exporters import exporters
    from lienthong.simulators.population.stream import generate as run

    err = Console(stderr=True)

    def fail(message: str) -> None:
        err.print(f"[red]error:[/red] {message}")
        raise typer.Exit(2)

    def stopped(why: str, out: Path) -> NoReturn:
        err.print(f"[red]error:[/red] {why}; the files in {out} are incomplete: run the command again")
        raise typer.Exit(1)

    if fmt not in exporters():
        fail(f"--format {fmt!r} is not a known format; choose one of {', '.join(sorted(exporters()))}")
    if workers < 1:
        fail(f"--workers must be at least 1 (got {workers})")
    try:
        slots.check_indices(start, count)
    except ValueError as exc:
        fail(str(exc))
    if out.exists() and not out.is_dir():
        fail(f"--out {out} exists and is not a directory")
    with Progress(
        TextColumn("generating"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=err,
        transient=True,
    ) as bar:
        task = bar.add_task("citizens", total=count)
        try:
            summary = run(
                seed,
                count,
                fmt,
                out,
                start=start,
                workers=workers,
                progress=lambda n: bar.advance(task, n),
            )
        except BrokenProcessPool:
            # A worker killed from outside (the kernel's out-of-memory killer, kill -9) ends the pool.
            stopped("a worker process died (killed, or out of memory)", out)
        except OSError as exc:  # a full disk is the usual one at national scale
            stopped(f"could not write {exc.filename or out}: {exc.strerror or exc}", out)
    err.print(
        f"wrote {summary.citizens:,} citizens ({fmt}) to {out}: "
        f"{len(summary.files):,} files, {sum(summary.files.values()):,} bytes"
    )
