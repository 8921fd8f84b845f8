"""``lienthong generate``: files, clear errors, no tracebacks."""

from __future__ import annotations

import csv
import os
import signal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from lienthong.conformance.cli import app
from lienthong.simulators.population import stream

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


def test_a_full_disk_is_a_message(tmp_path: Path) -> None:
    # /dev/full answers every write with ENOSPC, as a full disk would.
    (tmp_path / "citizens.csv").symlink_to("/dev/full")
    result = runner.invoke(app, ["generate", "--count", "20000", "--out", str(tmp_path)])
    assert result.exit_code == 1, result.output
    message = " ".join(result.output.split())
    assert "No space left on device" in message
    assert "incomplete" in message
    assert "Traceback" not in result.output


def _killed(*args: object) -> None:
    """A worker that dies as the out-of-memory killer ends one (a forked worker imports it by name)."""
    os.kill(os.getpid(), signal.SIGKILL)


def test_a_killed_worker_is_a_message(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(stream, "_worker", _killed)
    result = runner.invoke(app, ["generate", "--count", "5000", "--workers", "2", "--out", str(tmp_path)])
    assert result.exit_code == 1, result.output
    assert "worker process died" in " ".join(result.output.split())
    assert "Traceback" not in result.output
