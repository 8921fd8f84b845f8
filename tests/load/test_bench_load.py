"""``bench load`` measures lienthong's user against a bare FastHttpUser, and its result feeds the
plan's worker count; without Locust, ``load run`` is a usage error, not a traceback."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from lienthong.conformance.cli import app, load_run


@pytest.mark.loadsmoke
@pytest.mark.slow
def test_bench_load_compares_both_users_and_feeds_the_plan(tmp_path: Path) -> None:
    figures = tmp_path / "bench.json"
    result = CliRunner().invoke(
        app, ["bench", "load", "--seconds", "2", "--users", "5", "--rounds", "1", "--out", str(figures)]
    )
    assert result.exit_code == 0, result.output
    assert "LienthongCitizen" in result.output
    assert "BareCitizen" in result.output
    measured = json.loads(figures.read_text(encoding="utf-8"))
    assert measured["rps_per_core"] > 0
    assert measured["bare_rps_per_core"] > 0
    planned = CliRunner().invoke(app, ["load", "plan", "--measured", str(figures), "--format", "json"])
    assert planned.exit_code == 0, planned.output
    rows = json.loads(planned.output)["plans"][0]["assumptions"]
    rate = next(a for a in rows if a["key"] == "locust_rps_per_core")
    assert rate["overridden"]
    assert rate["value"] == pytest.approx(measured["rps_per_core"])


def test_load_run_without_locust_says_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    real = importlib.util.find_spec
    monkeypatch.setattr(
        load_run.importlib.util, "find_spec", lambda name, *a: None if name == "locust" else real(name, *a)
    )
    result = CliRunner().invoke(app, ["load", "run", "--out", str(tmp_path)])
    assert result.exit_code == 2, result.output
    assert "lienthong[load]" in result.output
    assert "Traceback" not in result.output
