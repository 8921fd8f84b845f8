"""``lienthong bench load``: requests per CPU-second of lienthong's Locust user against a bare
FastHttpUser making the same requests, against the same simulated network, one after the other."""

from __future__ import annotations

import csv
import importlib.util
import os
import resource
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from lienthong.conformance.cli._console import console, fail
from lienthong.conformance.cli._served import served_network
from lienthong.conformance.cli.bench import bench_app
from lienthong.conformance.cli.load_run import locustfile, prepare
from lienthong.load import runconfig

CLASSES = ("LienthongCitizen", "BareCitizen")


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


@bench_app.command("load")
def bench_load(
    seconds: Annotated[int, typer.Option(min=2, max=600, help="Seconds per user class.")] = 10,
    users: Annotated[int, typer.Option(min=1, max=500, help="Concurrent users per run.")] = 20,
    seed: int = 42,
) -> None:
    """lienthong's citizen user vs a bare FastHttpUser, requests per second per Locust core."""
    locustfile()  # Locust must be installed
    spec = importlib.util.find_spec("lienthong.load.bench_locustfile")
    if spec is None or spec.origin is None:
        fail("lienthong.load.bench_locustfile is not installed; reinstall lienthong", code=3)
    rows = []
    with (
        tempfile.TemporaryDirectory(prefix="lienthong-bench-load-") as scratch,
        served_network(Path(scratch) / "network", seed=seed, population=300) as served,
    ):
        config = runconfig.RunConfig(
            urls=served.urls,
            streams={"citizen_read": 1.0},
            run_time_s=seconds,
            data=str(Path(scratch) / "data-{worker}.json"),
        )
        prepare(config, ("citizen_read",), 300, seed, Path(scratch) / "network" / "keys", 0)
        config.write(Path(scratch) / "config.json")
        for name in CLASSES:
            before = _children_cpu()
            prefix = Path(scratch) / name
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "locust",
                    "-f",
                    spec.origin,
                    "--headless",
                    "-u",
                    str(users),
                    "-r",
                    str(users),
                    "-t",
                    f"{seconds}s",
                    "--csv",
                    str(prefix),
                    "--only-summary",
                    "--loglevel",
                    "ERROR",
                    name,
                ],
                env=os.environ | {"LIENTHONG_LOAD_CONFIG": str(Path(scratch) / "config.json")},
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                check=False,
                timeout=seconds + 60,
            )
            cpu = _children_cpu() - before
            with Path(f"{prefix}_stats.csv").open(encoding="utf-8") as handle:
                total = next(r for r in csv.DictReader(handle) if r["Name"] == "Aggregated")
            rows.append((name, int(total["Request Count"]), int(total["Failure Count"]), cpu))
    table = Table(title=f"bench load: {users} users, {seconds} s each (the server shares this machine)")
    for column in ("user", "requests", "failures", "Locust CPU s", "req per CPU-s", "vs bare"):
        table.add_column(column, justify="right")
    bare = rows[-1][1] / rows[-1][3] if rows[-1][3] else 0
    for name, count, failures, cpu in rows:
        rate = count / cpu if cpu else 0
        table.add_row(
            name,
            str(count),
            str(failures),
            f"{cpu:.1f}",
            f"{rate:,.0f}",
            f"{rate / bare:.0%}" if bare else "–",
        )
    console.print(table)
