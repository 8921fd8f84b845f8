"""``lienthong run --target bhxh=URL`` against a gateway served on a real loopback port."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner

from lienthong.conformance.cli import app
from lienthong.conformance.cli._served import served_network


@pytest.mark.live
def test_suite_against_a_gateway_given_by_url(tmp_path: Path) -> None:
    with served_network(tmp_path / "net", population=200) as network:
        samples = network.samples(1)
        keys = network.data_dir / "keys"
        result = CliRunner().invoke(
            app,
            [
                "run",
                "--out",
                str(tmp_path / "runs"),
                "--target",
                f"bhxh={network.urls['bhxh']}",
                "--facility",
                samples.facility,
                "--username",
                samples.username,
                "--password",
                samples.password,
                "--key",
                str(keys / f"{samples.facility}.key.pem"),
                "--cert",
                str(keys / f"{samples.facility}.cert.pem"),
            ],
        )
    # Without --patients, a look-up staff member or a second account some SHALLs cannot be tested:
    # the run is INCOMPLETE (exit 1), never PASSED, and nothing of the conformant gateway fails.
    assert result.exit_code == 1, result.output
    assert "INCOMPLETE" in result.output
    (run_dir,) = list((tmp_path / "runs").iterdir())
    report = orjson.loads((run_dir / "report.json").read_bytes())
    by_outcome: dict[str, set[str]] = {}
    for check in report["run"]["checks"]:
        by_outcome.setdefault(check["outcome"], set()).add(check["actor"])
    assert by_outcome["pass"] == {"bhxh"}
    assert "fail" not in by_outcome, [c["check"] for c in report["run"]["checks"] if c["outcome"] == "fail"]
    # the opt-in check that waits for a token to expire is out of the scope: not run at all
    assert "expired_session_refused" not in {c["check"] for c in report["run"]["checks"]}
    assert "expired_session_refused" not in report["run"]["scope"]["checks"]
    assert report["run"]["scope"]["role"] == "bhxh"
    assert report["run"]["scope"]["opt_in"] == {"wait-token-expiry": False}
    assert report["run"]["targets"] == {"bhxh": network.urls["bhxh"]}
