"""The nodes hold under abuse over real HTTP, one process per node: a chunked upload past the body
limit is refused while it streams (the server's memory stays bounded, nothing of it is stored), a
body of 300,000 empty FILEHOSO is refused naming the limit, and SIGTERM to ``lienthong simulate
--processes`` leaves no node process behind."""

from __future__ import annotations

import base64
import json
import os
import select
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from lienthong.simulators._node import MAX_BODY
from lienthong.simulators.facilities import facilities
from lienthong.simulators.network import NetworkConfig
from lienthong.simulators.serve import NodeProcesses, spawn_network
from tests.simulators.gateway.support import free_port_block, md5_upper

pytestmark = pytest.mark.live
SEED = 23
MIB = 1024 * 1024
RSS_LIMIT_KB = 300 * 1024
"""The most memory (peak RSS) a node may reach while refusing the uploads below."""


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NodeProcesses]:
    data = tmp_path_factory.mktemp("network")
    with spawn_network(
        NetworkConfig(seed=SEED, population=20, data_dir=data), port=free_port_block(3)
    ) as nodes:
        yield nodes


def _peak_rss_kb(pid: int) -> int:
    """The highest resident memory the process has had (``VmHWM``), in kB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise AssertionError(f"no VmHWM for process {pid}")


def _chunked_post(
    url: str, path: str, headers: dict[str, str], chunks: Iterator[bytes]
) -> tuple[int, dict[str, object], int]:
    """POST ``chunks`` with ``Transfer-Encoding: chunked`` (no Content-Length) over a plain socket,
    stopping as soon as the server answers: (status, JSON answer, bytes of body sent)."""
    host, port = url.removeprefix("http://").split(":")
    sent = 0
    with socket.create_connection((host, int(port)), timeout=60) as sock:
        head = [f"POST {path} HTTP/1.1", f"Host: {host}", "Transfer-Encoding: chunked"]
        head += [f"{name}: {value}" for name, value in headers.items()]
        sock.sendall(("\r\n".join(head) + "\r\n\r\n").encode("latin-1"))
        answered = False
        for chunk in chunks:
            if select.select([sock], [], [], 0)[0]:
                answered = True  # the server answered before the body ended
                break
            try:
                sock.sendall(b"%x\r\n" % len(chunk) + chunk + b"\r\n")
            except (BrokenPipeError, ConnectionResetError):
                answered = True
                break
            sent += len(chunk)
        if not answered:
            sock.sendall(b"0\r\n\r\n")
        response = b""
        while b"\r\n\r\n" not in response:
            data = sock.recv(65536)
            assert data, f"the connection closed before an answer (sent {sent} bytes)"
            response += data
        head_bytes, _, body = response.partition(b"\r\n\r\n")
        lines = head_bytes.decode("latin-1").split("\r\n")
        length = next(
            int(v) for k, _, v in (x.partition(": ") for x in lines[1:]) if k.lower() == "content-length"
        )
        while len(body) < length:
            data = sock.recv(65536)
            assert data, "the connection closed in the middle of the answer"
            body += data
    return int(lines[0].split()[1]), json.loads(body[:length]), sent


def _json_stream(prefix: dict[str, str], field: str, size: int) -> Iterator[bytes]:
    """A JSON object whose ``field`` is ``size`` bytes of base64 text, made 1 MiB at a time."""
    opening = json.dumps(prefix)[:-1] + f', "{field}": "'
    yield opening.encode()
    block = b"QUFB" * (MIB // 4)
    for _ in range(size // MIB):
        yield block
    yield b'"}'


def _session(served: NodeProcesses) -> tuple[dict[str, str], dict[str, str]]:
    site = facilities(SEED, 3)[0]
    token = httpx.post(
        f"{served.urls['bhxh']}/api/token/take",
        data={"username": site.username, "password": md5_upper(site.password)},
        timeout=10,
    ).json()["APIKey"]
    headers = {
        "accessToken": token["access_token"],
        "tokenId": token["id_token"],
        "passwordHash": md5_upper(site.password),
    }
    fields = {"username": site.username, "loaiHoSo": "130", "maTinh": site.province, "maCSKCB": site.code}
    return headers, fields


def _journal_rows(served: NodeProcesses) -> int:
    answer = httpx.get(
        f"{served.urls['bhxh']}/lienthong/submissions",
        headers={"authorization": f"Bearer {served.spec.secrets['admin']}"},
        timeout=30,
    )
    return len(answer.json()["submissions"])


def _database_bytes(served: NodeProcesses) -> int:
    data = Path(served.spec.data_dir)
    return sum(path.stat().st_size for path in data.glob("gateway.sqlite*"))


def test_a_100_mb_chunked_upload_is_refused_while_it_streams(served: NodeProcesses) -> None:
    headers, fields = _session(served)
    rows, stored = _journal_rows(served), _database_bytes(served)
    status, answer, sent = _chunked_post(
        served.urls["bhxh"],
        "/api/qd130/guiHoSoXmlQD3176",
        headers | {"Content-Type": "application/json"},
        _json_stream(fields, "fileHSBase64", 100 * MIB),
    )
    assert status == 413, answer
    assert answer["maKetQua"] == "413"
    assert set(answer) == {"maKetQua", "maGiaoDich", "thoiGianTiepNhan", "thongDiep"}
    assert "32 MiB" in str(answer["thongDiep"])
    assert "vượt quá giới hạn" in str(answer["thongDiep"])
    assert MAX_BODY <= sent < 100 * MIB, f"the answer came after {sent} bytes"
    assert _peak_rss_kb(served.processes["bhxh"].pid) < RSS_LIMIT_KB
    assert _journal_rows(served) == rows, "the refused upload was journaled"
    assert _database_bytes(served) == stored, "the gateway's database grew"
    # The gateway still serves: a normal request after the refusal is answered.
    assert httpx.get(f"{served.urls['bhxh']}/health", timeout=10).status_code == 200


@pytest.mark.parametrize(
    ("node", "path", "content_type"),
    [
        ("c06", "/api/vneid/token", "application/json"),
        ("moh", "/oauth/token", "application/x-www-form-urlencoded"),
        ("moh", "/internal/visits", "application/json"),
        ("bhxh", "/api/token/take", "application/x-www-form-urlencoded"),
    ],
)
def test_chunked_bodies_past_the_limit_are_refused_on_every_node(
    served: NodeProcesses, node: str, path: str, content_type: str
) -> None:
    headers = {"Content-Type": content_type}
    if path == "/internal/visits":
        headers["Authorization"] = f"Bearer {served.spec.secrets['service']}"
    # 100 MiB, not just past the limit: loopback's socket buffers hold several MiB, so the
    # client has sent up to the limit plus those buffers by the time it sees the answer.
    status, answer, sent = _chunked_post(
        served.urls[node], path, headers, _json_stream({"a": "b"}, "padding", 100 * MIB)
    )
    assert status == 413, answer
    assert "32 MiB" in json.dumps(answer, ensure_ascii=False)
    assert sent < 100 * MIB, f"the answer came after {sent} bytes"
    assert _peak_rss_kb(served.processes[node].pid) < RSS_LIMIT_KB


def test_a_small_chunked_body_is_read(served: NodeProcesses) -> None:
    """Chunked bodies under the limit are read as any other (here: a wrong password, 401)."""
    body = iter([b'{"cccd": "001', b'090000001", "password": "no"}'])
    status, answer, _ = _chunked_post(
        served.urls["c06"], "/api/vneid/token", {"Content-Type": "application/json"}, body
    )
    assert (status, answer) == (401, {"error": "wrong CCCD or password"})


def test_300000_empty_filehoso_are_refused_naming_the_limit(served: NodeProcesses) -> None:
    headers, fields = _session(served)
    empty = b"<FILEHOSO><LOAIHOSO>XML1</LOAIHOSO><NOIDUNGFILE></NOIDUNGFILE></FILEHOSO>"
    document = (
        b'<?xml version="1.0" encoding="utf-8"?><GIAMDINHHS><THONGTINDONVI><MACSKCB>'
        + fields["maCSKCB"].encode()
        + b"</MACSKCB></THONGTINDONVI><THONGTINHOSO><NGAYLAP>20260101</NGAYLAP><SOLUONGHOSO>1"
        b"</SOLUONGHOSO><DANHSACHHOSO><HOSO>" + empty * 300_000 + b"</HOSO></DANHSACHHOSO>"
        b"</THONGTINHOSO><CHUKYDONVI/></GIAMDINHHS>"
    )
    payload = base64.b64encode(document).decode()
    assert 29_000_000 < len(payload) < MAX_BODY
    answer = httpx.post(
        f"{served.urls['bhxh']}/api/qd130/guiHoSoXmlQD3176",
        headers=headers,
        json=fields | {"fileHSBase64": payload},
        timeout=60,
    ).json()
    assert answer["maKetQua"] == "400", answer
    assert "300000 FILEHOSO" in answer["thongDiep"]
    assert "MAX_FILEHOSO = 32" in answer["thongDiep"]
    assert _peak_rss_kb(served.processes["bhxh"].pid) < RSS_LIMIT_KB


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rpartition(")")[2].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.parametrize(
    "sig",
    [
        signal.SIGTERM,
        pytest.param(signal.SIGINT, marks=pytest.mark.slow),
        # SIGKILL cannot be handled: the nodes notice their parent is gone and stop themselves.
        pytest.param(signal.SIGKILL, marks=pytest.mark.slow),
    ],
    ids=["SIGTERM", "SIGINT", "SIGKILL"],
)
def test_a_signal_to_simulate_processes_stops_every_node(tmp_path: Path, sig: int) -> None:
    port = free_port_block(3)
    command = [sys.executable, "-m", "lienthong.conformance.cli", "simulate", "--processes"]
    command += ["--port", str(port), "--population", "20", "--data-dir", str(tmp_path)]
    parent = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    nodes: list[int] = []
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and parent.poll() is None:
            up = 0
            for offset in range(3):
                try:
                    if httpx.get(f"http://127.0.0.1:{port + offset}/health", timeout=1).status_code == 200:
                        up += 1
                except httpx.HTTPError:
                    pass
            if up == 3:
                break
            time.sleep(0.3)
        assert parent.poll() is None, f"simulate exited with {parent.returncode}"
        nodes = _children(parent.pid)
        assert len(nodes) == 3, f"expected three node processes, found {nodes}"
        parent.send_signal(sig)
        parent.wait(timeout=60)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and any(_alive(pid) for pid in nodes):
            time.sleep(0.2)
        assert not [pid for pid in nodes if _alive(pid)], "node processes outlived simulate"
        for offset in range(3):
            with pytest.raises(httpx.ConnectError):
                httpx.get(f"http://127.0.0.1:{port + offset}/health", timeout=1)
    finally:
        for pid in [*nodes, parent.pid]:
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)
        parent.wait(timeout=10)
