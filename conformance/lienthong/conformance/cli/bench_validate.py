"""``lienthong bench validate``: validation throughput on one core, printed as a table.

Builds two corpora of distinct, valid dossiers (lienthong.profiles.samples serialised by the
simulators' XML 130 writer):

* *typical*: an outpatient examination (MA_LOAI_KCB 01): envelope + XML1 + 1-3 XML2 rows +
  2-4 XML3 rows, XML4 for most; no referral, no appointment;
* *mix*: the sample mix (a quarter inpatient stays with XML5/XML8, referrals with XML13,
  appointments with XML14), the heavier figure earlier versions of this page reported.

Then, on each, it times side by side in one run: the envelope parse alone (the floor), the fast
path (``validate_dossier``, every catalogued rule applied), the same with the pure-Python record
scanner instead of the compiled one (:mod:`lienthong.profiles.validator.native`; shown when the
extension is built), the fast path with ``version="auto"``, and the detailed path
(``fast=False``: lxml for every table and every field through the plan), which gives the same
answer. Each round validates a fresh slice of the corpus (no dossier twice, so memoised values
only help as much as values repeat across dossiers); the table shows the median of the rounds.
Pin it to one core: ``taskset -c 0 lienthong bench validate``. A figure, not a test.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Annotated

import typer
from lxml import etree
from rich.console import Console
from rich.table import Table

from lienthong.conformance.cli._options import at_least, profile
from lienthong.conformance.cli.bench import bench_app
from lienthong.profiles.samples import sample_tables
from lienthong.profiles.validation import validate_dossier
from lienthong.profiles.validator import native
from lienthong.simulators.xml130 import envelope, table_xml

CORPORA: dict[str, dict[str, object]] = {
    "typical": {"kind": "01", "referral": False, "appointment": False},
    "mix": {},
}


def _corpus(count: int, version: str, shape: dict[str, object]) -> list[bytes]:
    docs = []
    for seed in range(count):
        tables = sample_tables(seed, version=version, **shape)  # type: ignore[arg-type]
        docs.append(
            envelope(
                tables["XML1"][0]["MA_CSKCB"],
                "20250310",
                {kind: table_xml(kind, rows) for kind, rows in tables.items()},
            )
        )
    return docs


def _pure_python(fn: Callable[[bytes], object]) -> Callable[[bytes], object]:
    """``fn`` with the pure-Python record scanner."""

    def run(data: bytes) -> object:
        native.COMPILED = False
        try:
            return fn(data)
        finally:
            native.COMPILED = True

    return run


def _rates(fns: dict[str, Callable[[bytes], object]], docs: list[bytes], rounds: int) -> dict[str, float]:
    """Median dossiers/s of each function over ``rounds`` disjoint slices, interleaved so that
    the machine's drift touches every measure alike."""
    size = len(docs) // rounds
    seen: dict[str, list[float]] = {name: [] for name in fns}
    for r in range(rounds):
        part = docs[r * size : (r + 1) * size]
        for name, fn in fns.items():
            start = time.perf_counter()
            for doc in part:
                fn(doc)
            seen[name].append(len(part) / (time.perf_counter() - start))
    return {name: statistics.median(rates) for name, rates in seen.items()}


@bench_app.command("validate")
def bench_validate(
    count: Annotated[int, typer.Option(help="Distinct dossiers per corpus (split over the rounds).")] = 6000,
    rounds: Annotated[int, typer.Option(help="Rounds; each validates a fresh slice; the median shows.")] = 5,
    version: Annotated[
        str, typer.Option("--profile", "--version", help="Profile of the corpus: 130, 4750 or 3176.")
    ] = "3176",
) -> None:
    """Validation throughput (dossiers per second on one core), every rule applied."""
    at_least(rounds, 1, "--rounds")
    at_least(count, rounds, "--count")  # each round validates a slice of at least one dossier
    version = profile(version)
    console = Console()
    table = Table(title=f"lienthong bench validate ({count} dossiers per corpus, median of {rounds} rounds)")
    for column in ("corpus", "measure", "dossiers/s", "records/s", "µs/dossier", "vs detailed"):
        table.add_column(column, justify="left" if column in ("corpus", "measure") else "right")
    for name, shape in CORPORA.items():
        docs = _corpus(count, version, shape)
        fast = f"validate_dossier, {version}, all rules"
        if not native.COMPILED:
            fast += " (pure-Python scanner: the extension is not built or switched off)"
        measures: dict[str, Callable[[bytes], object]] = {
            "envelope parse only (lxml)": etree.fromstring,
            fast: lambda d: validate_dossier(d, version),
        }
        if native.COMPILED:
            measures[f"{fast}, pure-Python scanner"] = _pure_python(lambda d: validate_dossier(d, version))
        measures["validate_dossier, version=auto"] = lambda d: validate_dossier(d, "auto")
        measures["detailed path (fast=False), same answer"] = lambda d: validate_dossier(
            d, version, fast=False
        )
        warm = _corpus(50, version, shape) if count > 50 else docs
        for doc in warm:  # compile the plans, grammars and code lists outside the timing
            for run in measures.values():
                run(doc)
        records = 0
        for doc in docs:
            dossier, problems = validate_dossier(doc, version)
            if problems:
                raise typer.BadParameter(f"sample dossier is not valid: {problems[0].message()}")
            assert dossier is not None
            records += sum(len(rows) for rows in dossier.tables.values())
        per = records / len(docs)
        size = sum(map(len, docs)) / len(docs)
        rates = _rates(measures, docs, rounds)
        detailed = rates["detailed path (fast=False), same answer"]
        label = f"{name}: {size / 1000:.1f} KB, {per:.1f} records"
        for measure, rate in rates.items():
            table.add_row(
                label,
                measure,
                f"{rate:,.0f}",
                f"{rate * per:,.0f}",
                f"{1e6 / rate:,.0f}",
                f"{rate / detailed:.1f}x",
            )
            label = ""
    console.print(table)
