"""``lienthong bench audit``: audit throughput from a folder and from a gateway's SQLite database,
dossiers per second per core (CPU time of the audit's process) and its peak RSS.

The corpus is the generated audit corpus (``simulators/audit_corpus.py``), written once into
``--corpus`` and reused; each measurement runs in a fresh process so its peak RSS is its own.
``--facilities 1000 --visits 500`` is the ≈ 1 million submissions run of the issue (slow to
generate: tens of minutes)."""

from __future__ import annotations

import json
import multiprocessing
import resource
import tempfile
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from lienthong.conformance.cli._console import console, fail
from lienthong.conformance.cli.bench import bench_app


def _measure(spec: str) -> dict[str, float]:
    """One audit of ``spec`` (in a fresh process): submissions, dossiers, CPU s, wall s, RSS MB."""
    from lienthong.conformance.audit import engine
    from lienthong.conformance.audit.sources import open_source

    with tempfile.TemporaryDirectory() as out:
        cpu, wall = time.process_time(), time.perf_counter()
        run = engine.run_audit([open_source(spec)], Path(out), checkpoint=10**12)
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    dossiers = sum(e.versions for e in run.judge.episodes.values())
    return {
        "submissions": run.read,
        "episodes": len(run.judge.episodes),
        "dossiers": dossiers,
        "cpu": cpu,
        "wall": wall,
        "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


@bench_app.command("audit")
def bench_audit(
    corpus: Annotated[Path, typer.Option("--corpus", help="Where the generated corpus is (or goes).")] = Path(
        "audit-corpus"
    ),
    facilities: Annotated[int, typer.Option("--facilities", help="Facilities of a new corpus.")] = 50,
    visits: Annotated[int, typer.Option("--visits", help="Visits per facility of a new corpus.")] = 200,
) -> None:
    """Dossiers audited per second per core, from the folder and from the SQLite database, with the
    peak RSS of each run. Figures depend on the machine: measure on a quiet one."""
    from lienthong.simulators.audit_corpus import CorpusConfig, write_corpus

    if facilities < 1 or visits < 1:
        fail(
            "--facilities and --visits must be at least 1.", hint="For example --facilities 50 --visits 200."
        )
    config = CorpusConfig(facilities=facilities, visits=visits, days=max(90, visits // 10))
    truth = corpus / "truth.json"
    stale = not truth.is_file() or json.loads(truth.read_text(encoding="utf-8"))["config"] != json.loads(
        json.dumps(config.__dict__, default=str)
    )
    if stale:
        with console.status(
            f"generating the corpus ({facilities} facilities × {visits} visits) in {corpus}..."
        ):
            write_corpus(config, corpus)
    context = multiprocessing.get_context("spawn")
    rows = []
    for label, spec in (("folder", corpus / "xml"), ("SQLite", corpus / "gateway.db")):
        with console.status(f"auditing the {label} (a fresh process)..."), context.Pool(1) as pool:
            rows.append((label, pool.apply(_measure, (str(spec),))))
    table = Table(title="lienthong audit throughput (this machine, this run)")
    for column in ("source", "submissions", "dossiers", "CPU s", "dossiers/s/core", "wall s", "peak RSS MB"):
        table.add_column(column, justify="left" if column == "source" else "right")
    for label, m in rows:
        table.add_row(
            label,
            f"{m['submissions']:,.0f}",
            f"{m['dossiers']:,.0f}",
            f"{m['cpu']:.2f}",
            f"{m['dossiers'] / m['cpu']:,.0f}" if m["cpu"] else "-",
            f"{m['wall']:.2f}",
            f"{m['rss_mb']:.0f}",
        )
    console.print(table)
    console.print("target: ≥ 10,000 dossiers/s per core from both sources (docs/audit.md § Throughput)")
