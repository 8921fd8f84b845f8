"""``lienthong bench validate``: validation throughput on one core, printed as a table.

Builds realistic dossiers first (lienthong.profiles.samples serialised by the simulators'
XML 130 writer: envelope + XML1 + XML2/XML3 rows, XML4 for most, XML5/XML8/XML13/XML14 for some),
then times ``validate_dossier`` with every catalogued rule applied. A figure, not a test.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Annotated

import typer
from lxml import etree
from rich.console import Console
from rich.table import Table

from lienthong.conformance.cli.bench import bench_app
from lienthong.profiles.samples import sample_tables
from lienthong.profiles.validation import validate_dossier
from lienthong.simulators.xml130 import envelope, table_xml


def _corpus(count: int, version: str) -> list[bytes]:
    docs = []
    for seed in range(count):
        tables = sample_tables(seed, version=version)
        docs.append(
            envelope(
                tables["XML1"][0]["MA_CSKCB"],
                "20250310",
                {kind: table_xml(kind, rows) for kind, rows in tables.items()},
            )
        )
    return docs


def _rate(fn: Callable[[bytes], object], docs: list[bytes], rounds: int) -> float:
    start = time.perf_counter()
    for _ in range(rounds):
        for doc in docs:
            fn(doc)
    return rounds * len(docs) / (time.perf_counter() - start)


@bench_app.command("validate")
def bench_validate(
    count: Annotated[int, typer.Option(help="Distinct dossiers in the corpus.")] = 2000,
    rounds: Annotated[int, typer.Option(help="Passes over the corpus (caches warm after the first).")] = 3,
    version: Annotated[str, typer.Option(help="Profile version of the corpus.")] = "qd3176",
) -> None:
    """Validation throughput (dossiers per second on one core), every rule applied."""
    docs = _corpus(count, version)
    for doc in docs[:50]:  # warm the compiled plans and code lists
        validate_dossier(doc, version)
    records = 0
    for doc in docs:
        dossier, problems = validate_dossier(doc, version)
        if problems:
            raise typer.BadParameter(f"sample dossier is not valid: {problems[0].message()}")
        assert dossier is not None
        records += sum(len(rows) for rows in dossier.tables.values())
    parse_rate = _rate(lambda d: etree.fromstring(d), docs, rounds)
    full_rate = _rate(lambda d: validate_dossier(d, version), docs, rounds)
    auto_rate = _rate(lambda d: validate_dossier(d, "auto"), docs, rounds)
    size = sum(map(len, docs)) / len(docs)
    table = Table(title=f"lienthong bench validate ({count} dossiers x {rounds} rounds, one core)")
    for column in ("measure", "dossiers/s", "records/s", "µs/dossier"):
        table.add_column(column, justify="right" if column != "measure" else "left")
    per = records / len(docs)
    for label, rate in (
        (f"envelope parse only (lxml), {size:,.0f} B avg", parse_rate),
        (f"validate_dossier, {version}, all rules", full_rate),
        ("validate_dossier, version=auto", auto_rate),
    ):
        table.add_row(label, f"{rate:,.0f}", f"{rate * per:,.0f}", f"{1e6 / rate:,.0f}")
    Console().print(table)
    typer.echo(f"{per:.1f} records per dossier on average")
