"""Short headless Locust runs against the network served on loopback: a healthy run holds its
gates, a slow gateway breaks them by name, a master with two workers gives the same statistics
shape as one process; usage mistakes are exit 2 before anything starts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from lienthong.conformance.cli import app
from lienthong.load import RunSummary
from lienthong.load import groups as g
from lienthong.load.groups import GROUP_OF

SHORT = ["--run-time", "4s", "--scale", "0.02", "--population", "300"]
"""At 0.02 of the base peak every stream draws several arrivals in 4 s (the write stream ≈ 8 visits)."""


def _run(tmp_path: Path, *extra: str) -> tuple[int, str, RunSummary]:
    result = CliRunner().invoke(app, ["load", "run", *SHORT, "--out", str(tmp_path), *extra])
    assert "Traceback" not in result.output
    assert (tmp_path / "summary.json").exists(), result.output
    return result.exit_code, result.output, RunSummary.read(tmp_path / "summary.json")


@pytest.mark.loadsmoke
def test_a_healthy_run_holds_every_gate(tmp_path: Path) -> None:
    code, output, summary = _run(tmp_path)
    assert code == 0, output
    assert "PASSED: all 18 gates held" in output
    assert "(0 of 0)" not in output
    assert "Patient//" not in output
    assert summary.groups["gateway-write"].failures == 0
    assert summary.groups["propagation"].requests >= 1  # a sampled visit reached the VNeID book
    assert set(summary.streams) == {"citizen_read", "write", "lookup", "facility_read"}
    made = {name for name, f in summary.requests.items() if f.requests}
    every_task = {
        g.CHECKIN,
        g.DOSSIER,
        g.LOOKUP,
        g.FACILITY_BOOK,
        g.SIGN_IN,
        g.BOOK,
        g.REFERRALS,
        g.APPOINTMENTS,
        g.LABS,
        g.VACCINATIONS,
        g.PROPAGATION,
    }
    assert every_task <= made, every_task - made
    verdict = json.loads((tmp_path / "load.json").read_text(encoding="utf-8"))
    assert verdict["passed"] is True


@pytest.mark.loadsmoke
def test_a_slow_gateway_fails_naming_its_gates(tmp_path: Path) -> None:
    code, output, summary = _run(tmp_path, "--fault", "bhxh:slow_answer", "--tags", "write")
    assert code == 1, output
    assert "FAILED" in output
    assert "LOAD-G01 gateway-write p95_ms" in output
    assert summary.groups["gateway-write"].p95_ms > 2000
    assert set(summary.streams) == {"write"}


@pytest.mark.loadsmoke
@pytest.mark.slow
def test_a_store_that_drops_visits_fails_the_propagation_gates(tmp_path: Path) -> None:
    code, output, summary = _run(
        tmp_path, "--fault", "moh:drops_visits", "--tags", "write", "--set", "propagation_budget_s=2"
    )
    assert code == 1, output
    assert "LOAD-G18 propagation error_ratio 100.00% ✗" in " ".join(output.split())
    assert summary.groups["gateway-write"].failures == 0  # the gateway still accepts every visit


@pytest.mark.loadsmoke
@pytest.mark.slow
def test_master_and_two_workers_give_the_same_statistics_shape(tmp_path: Path) -> None:
    _, _, local = _run(tmp_path / "local", "--tags", "citizen,write")
    code, output, distributed = _run(tmp_path / "workers", "--tags", "citizen,write", "--workers", "2")
    assert code == 0, output
    assert distributed.workers == 2
    assert set(distributed.groups) == set(local.groups)
    # the same request names (a view a 5 s run happens not to reach may be missing on one side)
    assert set(distributed.requests) | set(local.requests) <= set(GROUP_OF)
    assert distributed.as_json().keys() == local.as_json().keys()
    assert set(distributed.streams) == set(local.streams)
    assert all(s.started > 0 for s in distributed.streams.values())  # the workers reported their arrivals


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--tags", "bok"], "'bok' is not a tag"),
        (["--scenario", "medium"], "unknown scenario 'medium'"),
        (["--shape", "weekly"], "unknown shape 'weekly'"),
        (["--fault", "bhxh:slow"], "unknown bhxh fault 'slow'"),
        (["--fault", "hospital:unsigned"], "ACTOR one of bhxh, c06, moh"),
        (["--target", "bhxh=ftp://x"], "ACTOR=URL"),
        (["--run-time", "soon"], "is not a duration"),
        (["--set", "burst_factor=-1"], "burst_factor"),
        (["--server", "nginx"], "unknown server 'nginx'"),
    ],
)
def test_usage_errors_exit_2_with_a_message(tmp_path: Path, args: list[str], words: str) -> None:
    result = CliRunner().invoke(app, ["load", "run", "--out", str(tmp_path), *args])
    assert result.exit_code == 2, result.output
    assert words in " ".join(result.output.split())
    assert "Traceback" not in result.output
