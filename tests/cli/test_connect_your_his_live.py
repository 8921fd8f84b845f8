"""A vendor's first hour, as docs/connect-your-his.md tells it, with real processes on 127.0.0.1:
``lienthong generate --facility 79002 --sign`` in a fresh directory, ``lienthong simulate
--write-accounts``, then every ``sh`` block of the page run by bash (curl, jq), in order. The
check-in and the dossier must be accepted (maKetQua 200), the UTF-16 file refused naming ENV-01,
the card found, the feedback and the VNeID sign-in answered."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import pytest

from tests.simulators.gateway.support import free_port_block

pytestmark = [pytest.mark.live, pytest.mark.slow]  # about 20 s: two CLI processes and a network
DOC = Path(__file__).resolve().parents[2] / "docs" / "connect-your-his.md"
SCHEMA = (
    Path(__file__).resolve().parents[2]
    / "profiles/lienthong/profiles/openapi/schemas/lienthong/accounts.json"
)
CLI = [sys.executable, "-m", "lienthong.conformance.cli"]


def doc_script() -> str:
    """The ``sh`` blocks of the page, in order, as one script."""
    blocks = re.findall(r"^```sh\n(.*?)^```", DOC.read_text(encoding="utf-8"), flags=re.S | re.M)
    assert len(blocks) >= 8, "the page lost its curl examples"
    return "set -eo pipefail\n" + "\n".join(blocks)


@pytest.fixture
def simulate(tmp_path: Path) -> Iterator[tuple[int, subprocess.Popen[str]]]:
    for tool in ("curl", "jq", "iconv", "base64", "awk"):
        if shutil.which(tool) is None:
            pytest.skip(f"{tool} is not installed")
    env = {**os.environ, "COLUMNS": "80", "NO_COLOR": "1"}
    generated = subprocess.run(
        [*CLI, "generate", "--facility", "79002", "--sign", "--out", "out"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert generated.returncode == 0, generated.stdout + generated.stderr
    port = free_port_block(3)
    process = subprocess.Popen(
        [*CLI, "simulate", "--port", str(port), "--write-accounts", "accounts/lienthong.json"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        yield port, process
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGINT)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)


def _wait_ready(port: int, accounts: Path, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        assert process.poll() is None, process.communicate()[0]
        try:
            if (
                httpx.get(f"http://127.0.0.1:{port}/health", timeout=2).status_code == 200
                and accounts.exists()
                and accounts.stat().st_size > 0  # written whole, then renamed into place
            ):
                return
        except httpx.TransportError:
            pass
        time.sleep(0.3)
    pytest.fail("lienthong simulate did not come up in 120 s")


def test_generated_signed_dossiers_are_accepted_with_the_documented_curl_commands(
    tmp_path: Path, simulate: tuple[int, subprocess.Popen[str]]
) -> None:
    port, process = simulate
    accounts_path = tmp_path / "accounts" / "lienthong.json"
    _wait_ready(port, accounts_path, process)
    accounts = json.loads(accounts_path.read_text(encoding="utf-8"))
    jsonschema.validate(accounts, json.loads(SCHEMA.read_text(encoding="utf-8")))
    env = {**os.environ, "GW": f"http://127.0.0.1:{port}", "C06": f"http://127.0.0.1:{port + 1}"}
    ran = subprocess.run(
        ["bash", "-c", doc_script()], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120
    )
    assert ran.returncode == 0, ran.stdout + ran.stderr
    answers: list[dict[str, Any]] = [json.loads(line) for line in ran.stdout.splitlines() if line.strip()]
    token, checkin, checkin_130, checkin_4750, dossier, utf16, card, feedback, vneid = answers
    assert token["maKetQua"] == "200", token
    for answer in (checkin, checkin_130, checkin_4750, dossier):
        assert answer["maKetQua"] == "200", answer
    assert utf16["maKetQua"] == "400", utf16
    assert "[ENV-01]" in utf16["thongDiep"]
    assert card["maKetQua"] == "000", card
    assert card["dsLichSuKCB2018"], "the accepted dossier is in the card's history"
    assert feedback["maKetQua"] == "200", feedback
    kinds = [(r["loai"], r["maKetQua"]) for r in feedback["dsKetQua"]]
    assert kinds[0] == ("checkin", "200"), "the check-in came before the dossier"
    assert ("dossier", "200") in kinds
    assert vneid["access_token"], vneid
    os.killpg(process.pid, signal.SIGINT)
    printed, _ = process.communicate(timeout=30)
    for site in accounts["facilities"]:  # at 80 columns every path is printed whole, on its own line
        assert f"{site['facility']} key:  {site['key']}\n" in printed
        assert f"{site['facility']} cert: {site['cert']}\n" in printed
        assert site["staff_cccd"] in printed
        assert site["password_md5"] in printed
    assert "…" not in printed
    shown = [c for c in accounts["citizens"] if f"{c['cccd']} │ {c['vneid_password']} " in printed]
    assert shown, "the VNeID citizens and their passwords are printed"
