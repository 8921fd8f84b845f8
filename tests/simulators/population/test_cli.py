"""``lienthong generate``: files, clear errors, no tracebacks."""

from __future__ import annotations

import csv
from pathlib import Path

from typer.testing import CliRunner

from lienthong.conformance.cli import app

runner = CliRunner()


def test_generate_writes_the_citizens_csv(tmp_path: Path) -> None:
    result = runner.invoke(app, ["generate", "--seed", "1", "--count", "30", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    with (tmp_path / "citizens.csv").open(encoding="utf-8", newline="") as handle:
        people = list(csv.DictReader(handle))
    assert len(people) == 30
    assert {"cccd", "bhyt", "name", "dob", "sex", "address"} <= set(people[0])


def test_bad_input_is_a_message(tmp_path: Path) -> None:
    for args, text in (
        (["--format", "pdf"], "not a known format"),
        (["--count", "0"], "--count"),
        (["--workers", "0"], "--workers"),
        (["--start", "-5"], "outside"),
    ):
        result = runner.invoke(app, ["generate", "--out", str(tmp_path), *args])
        assert result.exit_code == 2, result.output
        assert text in result.output
        assert "Traceback" not in result.output
