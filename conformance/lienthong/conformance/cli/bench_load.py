"""``lienthong bench load``: requests per CPU-second of lienthong's Locust user against a bare
FastHttpUser making the same requests, against the same simulated network, one after the other."""

from __future__ import annotations

import importlib.util
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from lienthong.conformance.cli._console import console
from lienthong.conformance.cli._served import served_network
from lienthong.conformance.cli.bench import bench_app
from lienthong.conformance.cli.load import usage
from lienthong.conformance.cli.load_run import locustfile, prepare
from lienthong.load import RunSummary, runconfig

CLASSES = ("LienthongCitizen", "BareCitizen")


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


@bench_app.command("load")
def bench_load(
    seconds: Annotated[int, typer.Option(min=2, max=600, help="Seconds per user class and round.")] = 10,
    users: Annotated[int, typer.Option(min=1, max=500, help="Concurrent users per run.")] = 20,
    rounds: Annotated[int, typer.Option(min=1, max=9, help="Interleaved rounds (the median is shown).")] = 3,
    out: Annotated[
        Path | None, typer.Option(help="Write the figures as JSON (for `load plan --measured`).")
    ] = None,
    seed: int = 42,
) -> None:
    """lienthong's citizen user vs a bare FastHttpUser, requests per second per Locust core."""
    locustfile()  # Locust must be installed
    spec = importlib.util.find_spec("lienthong.load.bench_locustfile")
    if spec is None or spec.origin is None:
        usage("lienthong.load.bench_locustfile is not installed; reinstall lienthong", code=3)
    figures: dict[str, list[tuple[int, int, float]]] = {name: [] for name in CLASSES}
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
        for turn in range(rounds):
            for name in CLASSES:
                figures[name].append(_one(spec.origin, Path(scratch), name, users, seconds, turn))
    rates = {
        name: statistics.median(c / cpu if cpu else 0.0 for c, _, cpu in rows)
        for name, rows in figures.items()
    }
    table = Table(
        title=f"bench load: {users} users, {seconds} s × {rounds} rounds (server on this machine too)"
    )
    table.add_column("user", no_wrap=True)
    for column in ("requests", "failures", "Locust CPU s", "req per CPU-s (median)", "vs bare"):
        table.add_column(column, justify="right")
    bare = rates["BareCitizen"]
    for name, rows in figures.items():
        table.add_row(
            name,
            str(sum(r[0] for r in rows)),
            str(sum(r[1] for r in rows)),
            f"{sum(r[2] for r in rows):.1f}",
            f"{rates[name]:,.0f}",
            f"{rates[name] / bare:.0%}" if bare else "–",
        )
    console.print(table)
    if out is not None:
        out.write_text(
            json.dumps(
                {
                    "rps_per_core": rates["LienthongCitizen"],
                    "bare_rps_per_core": bare,
                    "users": users,
                    "seconds": seconds,
                    "rounds": rounds,
                },
                indent=2,
            ),
            encoding="utf-8",
        )
        console.print(f"  json   {out} (use with `lienthong load plan --measured {out}`)")


def _one(
    locust_file: str, scratch: Path, name: str, users: int, seconds: int, turn: int
) -> tuple[int, int, float]:
    """One Locust run of user class ``name``: (requests, failures, CPU seconds of the Locust process),
    from the run summary the locustfile writes when Locust quits."""
    config = runconfig.RunConfig.read(scratch / "config.json")
    summary = scratch / f"{name}-{turn}.json"
    config_path = scratch / f"config-{name}-{turn}.json"
    replace(config, summary=str(summary)).write(config_path)
    before = _children_cpu()
    with (scratch / f"{name}-{turn}.log").open("w", encoding="utf-8") as log:
        subprocess.run(
            [
                sys.executable,
                "-m",
                "locust",
                "-f",
                locust_file,
                "--headless",
                "-u",
                str(users),
                "-r",
                str(users),
                "-t",
                f"{seconds}s",
                "--only-summary",
                "--loglevel",
                "ERROR",
                name,
            ],
            env=os.environ | {"LIENTHONG_LOAD_CONFIG": str(config_path)},
            stdout=log,
            stderr=log,
            check=False,
            timeout=seconds + 60,
        )
    cpu = _children_cpu() - before
    if not summary.exists():
        tail = (scratch / f"{name}-{turn}.log").read_text(encoding="utf-8", errors="replace")[-1500:]
        usage(f"Locust ended without a summary for {name}; the end of its log:\n{tail}", code=3)
    made = RunSummary.read(summary).requests.values()
    return sum(f.requests for f in made), sum(f.failures for f in made), cpu
