"""``lienthong run --target bhxh=URL`` against a gateway served on a real loopback port."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import orjson
import pytest
from typer.testing import CliRunner

from lienthong.conformance.cli import app


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


@pytest.mark.live
def test_suite_against_a_gateway_given_by_url(tmp_path: Path) -> None:
    port = _free_port()
    data = tmp_path / "net"
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "lienthong.conformance.cli",
            "simulate",
            "--port",
            str(port),
            "--data-dir",
            str(data),
            "--population",
            "200",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env=os.environ | {"COLUMNS": "200"},
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        else:
            pytest.fail("the simulated network did not come up within 30 s")
        keys = data / "keys"
        for _ in range(50):  # the key files are written once the banner is printed
            if (keys / "79002.cert.pem").exists():
                break
            time.sleep(0.1)
        result = CliRunner().invoke(
            app,
            [
                "run",
                "--out",
                str(tmp_path / "runs"),
                "--target",
                f"bhxh=http://127.0.0.1:{port}",
                "--facility",
                "79002",
                "--username",
                "79002_BV",
                "--password",
                "lt-79002-42",
                "--key",
                str(keys / "79002.key.pem"),
                "--cert",
                str(keys / "79002.cert.pem"),
            ],
        )
        assert result.exit_code == 0, result.output
        (run_dir,) = list((tmp_path / "runs").iterdir())
        report = orjson.loads((run_dir / "report.json").read_bytes())
        by_outcome: dict[str, set[str]] = {}
        for check in report["run"]["checks"]:
            by_outcome.setdefault(check["outcome"], set()).add(check["actor"])
        assert by_outcome["pass"] == {"bhxh"}
        assert "bhxh" not in by_outcome.get("omit", set())
        assert report["run"]["targets"] == {"bhxh": f"http://127.0.0.1:{port}"}
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
