"""``lienthong load plan|run``: the capacity model, and Locust runs against the network."""

from __future__ import annotations

import csv
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from lienthong.conformance.cli._app import app
from lienthong.conformance.cli._console import console, fail
from lienthong.conformance.cli._served import served_network
from lienthong.load import SCENARIOS, demand, scaled, surge
from lienthong.simulators.population.citizens import DEFAULT_SEED

load_app = typer.Typer(help="Load tests shaped by the 40-million-user capacity model.", no_args_is_help=True)
app.add_typer(load_app, name="load")


@load_app.command("plan")
def plan(
    scale: Annotated[
        float,
        typer.Option(min=0.0001, max=1.0, help="Fraction of the population to model (scaled-down runs)."),
    ] = 1.0,
) -> None:
    """Print the request rates each scenario puts on the national nodes."""
    table = Table(title=f"Capacity model, scale {scale:g} of the 40-million-user population")
    for column in (
        "scenario",
        "citizen avg → peak rps",
        "write avg → peak wps",
        "facility read peak",
        "total peak rps",
    ):
        table.add_column(column, justify="right")
    for name, assumptions in SCENARIOS.items():
        d = demand(scaled(assumptions, scale))
        table.add_row(
            name,
            f"{d.citizen_avg:,.0f} → {d.citizen_peak:,.0f}",
            f"{d.write_avg:,.0f} → {d.write_peak:,.0f}",
            f"{d.facility_read_peak:,.0f}",
            f"{d.total_peak:,.0f}",
        )
    table.add_row("surge", "", "", "", f"{surge(scaled(SCENARIOS['base'], scale)):,.0f}")
    console.print(table)


@load_app.command("run")
def run(
    users: Annotated[int, typer.Option(min=1, max=2000, help="Concurrent Locust users.")] = 10,
    spawn_rate: Annotated[float, typer.Option(min=0.1, help="Users started per second.")] = 10,
    run_time: Annotated[str, typer.Option(help="Duration, e.g. 20s or 2m (always bounded).")] = "20s",
    processes: Annotated[
        int,
        typer.Option(
            min=0,
            max=16,
            help="Locust worker processes (0: one process; N: a master and N workers).",
        ),
    ] = 0,
    tags: Annotated[str, typer.Option(help="Only tasks with these tags: gateway, book.")] = "",
    p95_ms: Annotated[float, typer.Option(help="SLO: 95th percentile response time, ms.")] = 500,
    max_failures: Annotated[float, typer.Option(help="SLO: highest failure ratio.")] = 0.01,
    seed: int = DEFAULT_SEED,
    out: Annotated[Path, typer.Option(help="Where the Locust CSV files go.")] = Path("reports/load"),
) -> None:
    """Serve the simulated network on loopback and run Locust against it; exit 1 on an SLO breach."""
    if not run_time[:-1].isdigit() or run_time[-1] not in "smh":
        fail(f"--run-time {run_time!r} must be a number followed by s, m or h (e.g. 20s)")
    out.mkdir(parents=True, exist_ok=True)
    with (
        tempfile.TemporaryDirectory(prefix="lienthong-load-") as scratch,
        served_network(Path(scratch), seed=seed, population=300) as network,
    ):
        data = Path(scratch) / "load-data.json"
        data.write_text(json.dumps(network.load_data(dossiers=200)), encoding="utf-8")
        prefix = out / "locust"
        command = [
            sys.executable,
            "-m",
            "locust",
            "-f",
            _locustfile(),
            "--headless",
            "-u",
            str(users),
            "-r",
            str(spawn_rate),
            "-t",
            run_time,
            "--csv",
            str(prefix),
            "--only-summary",
            "--stop-timeout",
            "5",
            "--loglevel",
            "WARNING",
        ]
        if processes:
            command += ["--processes", str(processes)]
        if tags:
            command += ["--tags", *tags.split(",")]
        env = os.environ | {
            "LIENTHONG_LOAD_DATA": str(data),
            "LIENTHONG_SLO_P95_MS": str(p95_ms),
            "LIENTHONG_SLO_FAILURES": str(max_failures),
            **network.urls_env(),
        }
        code = subprocess.run(command, env=env, check=False).returncode
    _print_stats(Path(f"{prefix}_stats.csv"))
    raise typer.Exit(code)


def _locustfile() -> str:
    spec = importlib.util.find_spec("lienthong.load.locustfile")
    if spec is None or spec.origin is None:
        fail("lienthong.load.locustfile is not installed; reinstall lienthong", code=1)
    return spec.origin


def _print_stats(path: Path) -> None:
    if not path.exists():
        fail(f"Locust wrote no statistics ({path} is missing)", code=1)
    table = Table(title="Locust results")
    for column in ("name", "requests", "failures", "median ms", "p95 ms", "p99 ms", "req/s"):
        table.add_column(column, justify="right")
    with path.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            table.add_row(
                row["Name"],
                row["Request Count"],
                row["Failure Count"],
                row["Median Response Time"],
                row["95%"],
                row["99%"],
                f"{float(row['Requests/s']):.1f}",
            )
    console.print(table)
