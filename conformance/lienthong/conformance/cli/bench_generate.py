"""``lienthong bench generate``: generation throughput, ours next to a Faker vi_VN baseline."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from lienthong.conformance.cli._options import at_least
from lienthong.conformance.cli.bench import bench_app


@bench_app.command("generate")
def bench_generate(
    count: Annotated[int, typer.Option("--count", help="Citizens per run of our generator.")] = 1_000_000,
    faker_count: Annotated[int, typer.Option("--faker-count", help="Records for the Faker run.")] = 20_000,
    workers: Annotated[int, typer.Option("--workers", help="Also run with this many workers.")] = 2,
    full: Annotated[
        bool,
        typer.Option("--full/--citizens-only", help="Also time the full CSV (citizens + visits + vaccines)."),
    ] = False,
) -> None:
    """Citizens per second per core, projected time for 40 million, and peak RSS of each run."""
    from lienthong.simulators.population import bench

    console = Console()
    at_least(count, 10_000, "--count")
    at_least(faker_count, 1000, "--faker-count")
    at_least(workers, 1, "--workers")
    figures = []
    with console.status("measuring (each run in a fresh process)..."):
        figures.append(bench.faker(faker_count))
        figures.append(bench.ours(count, 1))
        if workers > 1:
            figures.append(bench.ours(count, workers))
        if full:
            figures.append(bench.ours(max(10_000, count // 10), 1, "csv"))
    table = Table(title="Synthetic population generation (this machine, this run)")
    for column in (
        "generator",
        "records",
        "seconds",
        "records/s/core",
        "40 M on 1 core",
        "40 M on 2 cores",
        "peak RSS MB",
    ):
        table.add_column(column, justify="left" if column == "generator" else "right")
    for f in figures:
        table.add_row(
            f.name,
            f"{f.records:,}",
            f"{f.seconds:.2f}",
            f"{f.per_core:,.0f}",
            f"{f.projected(1):,.0f} s",
            f"{f.projected(2):,.0f} s",
            f"{f.peak_rss_mb:.0f}",
        )
    console.print(table)
    baseline, ours = figures[0], figures[1]
    console.print(f"ours / Faker per core: {ours.per_core / baseline.per_core:.1f}x")
