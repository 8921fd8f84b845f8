"""A short headless Locust run, master and worker, against the network served on loopback."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from typer.testing import CliRunner

from lienthong.conformance.cli import app


@pytest.mark.loadsmoke
def test_locust_master_and_worker_drive_the_chain_within_slo(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app,
        [
            "load",
            "run",
            "--users",
            "6",
            "--spawn-rate",
            "6",
            "--run-time",
            "6s",
            "--processes",
            "1",
            "--out",
            str(tmp_path),
            "--p95-ms",
            "2000",
        ],
    )
    assert result.exit_code == 0, result.output
    with (tmp_path / "locust_stats.csv").open(encoding="utf-8") as handle:
        rows = {row["Name"]: row for row in csv.DictReader(handle)}
    assert int(rows["guiHoSoXmlQD3176"]["Request Count"]) > 0
    assert int(rows["/fhir/Patient/[cccd]/$everything"]["Request Count"]) > 0
    assert int(rows["Aggregated"]["Failure Count"]) == 0
