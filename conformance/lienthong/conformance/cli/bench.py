"""``lienthong bench ...``: benchmarks (throughput figures for the docs, never timed unit tests)."""

from __future__ import annotations

import typer

from lienthong.conformance.cli._app import app

bench_app = typer.Typer(
    help="Benchmarks: measure throughput on this machine and print a table.", no_args_is_help=True
)
app.add_typer(bench_app, name="bench")
