"""``lienthong bench gateway``: how many typical dossiers one gateway core ingests per second.

The gateway runs as its own process pinned to CPU 0 (``taskset -c 0``; granian, or uvicorn, one
worker) with full validation, signature verification and durable storage (journal row, episode and
queued forward committed before the answer, in groups with concurrent requests); the load generator
is this process, pinned to CPU 1, a raw HTTP/1.1 keep-alive client with pre-encoded requests so the
generator is never the bottleneck. Forwarding to C06 and the MoH store is switched off: this
measures ingest only.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated

import httpx
import orjson
import typer
from lxml import etree
from rich.table import Table

from lienthong.conformance.cli._console import console, fail
from lienthong.conformance.cli.bench import bench_app
from lienthong.simulators.facilities import facilities, facility_keys, md5_upper
from lienthong.simulators.gateway.served import SPEC_VARIABLE, SYNCHRONOUS_VARIABLE
from lienthong.simulators.network import NetworkConfig
from lienthong.simulators.pki import sign_document
from lienthong.simulators.population import citizens
from lienthong.simulators.serve import write_spec
from lienthong.simulators.visits import visit_for
from lienthong.simulators.xml130 import checkin_xml, envelope, table_xml

PATH = "/api/qd130/guiHoSoXmlQD3176"
FACTORY = "lienthong.simulators.gateway.served:served_app"
SERVERS = ("granian", "uvicorn")
LOOPS = ("auto", "asyncio", "uvloop")


@dataclass
class Tally:
    ok: int = 0
    other: int = 0
    latencies: list[float] = field(default_factory=list)
    counting: bool = False
    server_cpu: float = 0.0
    """CPU seconds the gateway's processes used while counting."""


def _cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of process ``pid`` and its descendants so far (Linux ``/proc``)."""
    total, pending = 0.0, [pid]
    while pending:
        current = pending.pop()
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
            for task in Path(f"/proc/{current}/task").iterdir():
                pending += [int(c) for c in (task / "children").read_text().split()]
    return total


def _check_in(
    port: int, count: int, seed: int, token: dict[str, str], data_dir: Path, arrived: datetime
) -> None:
    """Check the bench's visits in first, as a HIS does right after the first cost: the gateway
    refuses a non-emergency dossier without its check-in (XML0-06)."""
    site = facilities(seed, 1)[0]
    key = facility_keys([site], data_dir / "keys")[site.code]
    headers = {"accessToken": token["access_token"], "tokenId": token["id_token"],
               "passwordHash": md5_upper(site.password)}  # fmt: skip
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
        for person in citizens(seed, 0, count):
            visit = visit_for(person, site, seed=seed, number=1, arrived=arrived)
            if visit.emergency:
                continue
            content = base64.b64encode(sign_document(checkin_xml([visit.checkin]), key)).decode()
            client.post("/api/qd130/checkInKcbQd3176", headers=headers, json={
                "username": site.username, "loaiHoSo": "0", "maTinh": site.province,
                "maCSKCB": site.code, "fileHSBase64": content})  # fmt: skip


def _requests(
    data_dir: Path, port: int, count: int, seed: int, token: dict[str, str], arrived: datetime
) -> list[bytes]:
    site = facilities(seed, 1)[0]
    key = facility_keys([site], data_dir / "keys")[site.code]
    headers = (f"accessToken: {token['access_token']}\r\ntokenId: {token['id_token']}\r\n"
               f"passwordHash: {md5_upper(site.password)}\r\n")  # fmt: skip
    made = []
    for person in citizens(seed, 0, count):
        visit = visit_for(person, site, seed=seed, number=1, arrived=arrived)
        tables = {kind: table_xml(kind, records) for kind, records in visit.tables.items()}
        document = sign_document(envelope(site.code, visit.summary["NGAY_RA"][:8], tables), key)
        content = base64.b64encode(document).decode()
        body = orjson.dumps({"username": site.username, "loaiHoSo": "130", "maTinh": site.province,
                             "maCSKCB": site.code, "fileHSBase64": content})  # fmt: skip
        made.append(f"POST {PATH} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n"
                    f"{headers}Content-Length: {len(body)}\r\n\r\n".encode() + body)  # fmt: skip
    return made


def _reference(request: bytes, seconds: float = 0.5) -> float:
    """lxml parses per second of the dossier in ``request`` on this process's core (the bench runs
    it on the server's core while the server is idle): the machine's own speed, which moves by up
    to 1.5x here between runs and days, so that figures taken at different times can be compared."""
    document = base64.b64decode(orjson.loads(request.split(b"\r\n\r\n", 1)[1])["fileHSBase64"])
    count, start = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < seconds:
        for _ in range(100):
            etree.fromstring(document)
        count += 100
    return count / elapsed


def _now() -> datetime:
    return datetime.now(UTC) - timedelta(hours=3)


async def _connection(port: int, requests: list[bytes], cursor: list[int], tally: Tally, stop: float) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        while time.perf_counter() < stop:
            cursor[0] += 1
            started = time.perf_counter()
            writer.write(requests[cursor[0] % len(requests)])
            head = await reader.readuntil(b"\r\n\r\n")
            length = next(int(line.split(b":")[1]) for line in head.split(b"\r\n")
                          if line.lower().startswith(b"content-length"))  # fmt: skip
            body = await reader.readexactly(length)
            if tally.counting:
                tally.latencies.append(time.perf_counter() - started)
                if b'"maKetQua":"200"' in body:
                    tally.ok += 1
                else:
                    tally.other += 1
    finally:
        writer.close()
        with contextlib.suppress(OSError):
            await writer.wait_closed()


async def _load(
    port: int, requests: list[bytes], connections: int, warmup: float, seconds: float, server: int
) -> Tally:
    tally, cursor = Tally(), [0]
    stop = time.perf_counter() + warmup + seconds

    async def count_later() -> None:
        await asyncio.sleep(warmup)
        tally.counting = True
        tally.server_cpu = -_cpu_seconds(server)

    await asyncio.gather(count_later(), *(_connection(port, requests, cursor, tally, stop)
                                          for _ in range(connections)))  # fmt: skip
    tally.server_cpu += _cpu_seconds(server)
    return tally


def _server_command(server: str, port: int, loop: str) -> list[str]:
    common = ["--host", "127.0.0.1", "--port", str(port), "--log-level", "warning", "--loop", loop]
    if server == "granian":
        granian = shutil.which("granian") or str(Path(sys.executable).with_name("granian"))
        if not Path(granian).exists():
            fail("granian is not installed", hint="pip install granian, or --server uvicorn")
        return [granian, "--interface", "asgi", "--factory", "--workers", "1", "--runtime-threads", "1",
                "--no-access-log", *common, FACTORY]  # fmt: skip
    return [
        sys.executable,
        "-m",
        "uvicorn",
        "--factory",
        "--no-access-log",
        "--lifespan",
        "on",
        *common,
        FACTORY,
    ]


def _start(command: list[str], env: dict[str, str], port: int, log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        server = subprocess.Popen(
            ["taskset", "-c", "0", *command], env=env, stdout=out, stderr=subprocess.STDOUT
        )
    deadline = time.monotonic() + 60
    while True:
        if server.poll() is not None:
            fail(f"the gateway exited with {server.returncode}: {log.read_text(errors='replace')[-2000:]}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                return server
        if time.monotonic() > deadline:
            server.kill()
            fail(f"the gateway did not answer on port {port} within 60 s", hint="choose another --port")
        time.sleep(0.1)


@bench_app.command("gateway")
def bench_gateway(
    seconds: Annotated[float, typer.Option(min=1, max=120, help="Measured seconds per round.")] = 10,
    rounds: Annotated[int, typer.Option(min=1, max=10, help="Rounds; the median is reported.")] = 3,
    connections: Annotated[int, typer.Option(min=1, max=512, help="Keep-alive connections.")] = 32,
    dossiers: Annotated[int, typer.Option(min=10, max=20_000, help="Distinct signed dossiers.")] = 300,
    database_url: Annotated[str, typer.Option(help="PostgreSQL URL (default: SQLite file, WAL).")] = "",
    port: Annotated[int, typer.Option(min=1024, max=65533, help="Port of the gateway under test.")] = 18480,
    server: Annotated[str, typer.Option(help="ASGI server of the gateway: granian or uvicorn.")] = "granian",
    synchronous: Annotated[
        str, typer.Option(help="SQLite durability: NORMAL (survives a process kill) or FULL (a power loss).")
    ] = "NORMAL",
    loop: Annotated[
        str, typer.Option(help="Event loop of the server: auto (uvloop when installed), asyncio or uvloop.")
    ] = "auto",
) -> None:
    """Gateway ingest of typical signed dossiers, validated and durably stored, on one server core."""
    if (os.cpu_count() or 1) < 2:
        fail("this benchmark needs two cores (server on CPU 0, load on CPU 1)")
    if server not in SERVERS:
        fail(f"--server must be one of {', '.join(SERVERS)}")
    if loop not in LOOPS:
        fail(f"--loop must be one of {', '.join(LOOPS)}")
    synchronous = synchronous.upper()
    if synchronous not in {"NORMAL", "FULL"}:
        fail("--synchronous must be NORMAL or FULL")
    with tempfile.TemporaryDirectory(prefix="lienthong-bench-") as scratch:
        data = Path(scratch)
        config = NetworkConfig(seed=42, population=10, facilities=1, data_dir=data,
                               database_url=database_url or None)  # fmt: skip
        spec_path = data / "network.json"
        write_spec(config, spec_path, port=port, forward=False)
        env = {**os.environ, SPEC_VARIABLE: str(spec_path), SYNCHRONOUS_VARIABLE: synchronous}
        process = _start(_server_command(server, port, loop), env, port, data / "gateway.log")
        try:
            site = facilities(42, 1)[0]
            login = {"username": site.username, "password": md5_upper(site.password)}
            token = httpx.post(f"http://127.0.0.1:{port}/api/token/take", data=login).json()["APIKey"]
            console.print(f"signing {dossiers} dossiers ...")
            arrived = _now()
            requests = _requests(data, port, dossiers, 42, token, arrived)
            _check_in(port, dossiers, 42, token, data, arrived)
            size = statistics.mean(len(r) for r in requests)
            os.sched_setaffinity(0, {0})  # the server's core, while the server is idle
            reference = _reference(requests[0])
            os.sched_setaffinity(0, {1})
            results = []
            for number in range(rounds):
                warmup = 6.0 if number == 0 else 2.0  # the first requests load code lists and ICD-10
                tally = asyncio.run(_load(port, requests, connections, warmup, seconds, process.pid))
                results.append(tally)
                console.print(
                    f"round {number + 1}: {tally.ok / seconds:,.0f} accepted/s, {tally.other} other, "
                    f"server CPU {tally.server_cpu / seconds:.0%}"
                )
        finally:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
    served = f"{server}, loop {loop}"
    store = f"PostgreSQL, {served}" if database_url else f"SQLite WAL synchronous={synchronous}, {served}"
    _report(results, seconds, size, store, reference)


def _report(results: list[Tally], seconds: float, size: float, store: str, reference: float) -> None:
    rates = sorted(t.ok / seconds for t in results)
    per_cpu = sorted(t.ok / t.server_cpu for t in results if t.server_cpu > 0)
    latencies = sorted(x for t in results for x in t.latencies)
    table = Table(title=f"Gateway ingest, one server core ({store})")
    for column in ("measure", "value"):
        table.add_column(column)
    table.add_row("accepted dossiers/s (median)", f"{statistics.median(rates):,.0f}")
    table.add_row("min-max over rounds", f"{rates[0]:,.0f}-{rates[-1]:,.0f}")
    if per_cpu:  # on a shared machine the server gets less than its core: this is what one core would do
        table.add_row("accepted per server CPU-second (median)", f"{statistics.median(per_cpu):,.0f}")
        table.add_row(
            "server CPU used (median)", f"{statistics.median(t.server_cpu / seconds for t in results):.0%}"
        )
    table.add_row("answers other than 200", str(sum(t.other for t in results)))
    table.add_row("p50 / p99 latency ms", f"{latencies[len(latencies) // 2] * 1000:.1f} / "
                  f"{latencies[int(len(latencies) * 0.99)] * 1000:.1f}" if latencies else "-")  # fmt: skip
    table.add_row("request size (bytes)", f"{size:,.0f}")
    table.add_row("machine reference: lxml parses of one dossier/s, CPU 0", f"{reference:,.0f}")
    console.print(table)
