"""``lienthong bench book``: health-book reads per second on one server core.

The MoH store is served by granian (one worker, one thread) pinned to CPU 0; wrk, pinned to CPU 1,
reads ``GET /fhir/Patient/{cccd}/$everything`` with each citizen's own token, round robin. First a
saturation run (closed loop), then a paced run at 70 % of that rate for the latency figures. A
figure, not a test: results go to a table and, with ``--write``, to docs/benchmarks.md.
"""

from __future__ import annotations

import os
import platform
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Annotated

import httpx
import typer
from rich.console import Console
from rich.table import Table

from lienthong.conformance.cli._options import free_ports
from lienthong.conformance.cli.bench import bench_app
from lienthong.simulators.moh.bench import prepare

HEADING = "## Health-book reads"


@dataclass(frozen=True, slots=True)
class Run:
    rate: float
    p50: float
    p99: float
    errors: int


def _row(label: str, run: Run) -> str:
    return f"| {label} | {run.rate:,.0f} | {run.p50:.2f} | {run.p99:.2f} | {run.errors} |"


def section(books: int, saturation: Run, paced: Run, connections: int, seconds: int) -> str:
    verdict = "met" if saturation.rate >= 10_000 and paced.p99 < 20 else "not met"
    return f"""{HEADING}

`lienthong bench book --write` ({date.today().isoformat()}, Python {platform.python_version()}): the MoH store
(Starlette on granian, 1 worker, 1 runtime thread, pinned to CPU 0, SQLite file) serves
`GET /fhir/Patient/{{cccd}}/$everything` to wrk (`-t1 -c{connections}`, {seconds} s runs, pinned to CPU 1)
reading {books:,} citizens' books round robin, each with the citizen's own token. Load average of
the machine before the run: {os.getloadavg()[0]:.1f} (other work on the 2 cores skews the figures).
The paced run asks for 70 % of the saturation rate (wrk Lua `delay`, so the latency is that of
the requests sent, without coordinated-omission correction).

| Run | Reads/s | p50 ms | p99 ms | Non-2xx |
|---|---:|---:|---:|---:|
{_row("Saturation (closed loop)", saturation)}
{_row("Paced at 70 %", paced)}

**Target (≥ 10,000 reads/s per core, p99 < 20 ms at 70 %): {verdict}.** The read path keeps model
validation off: each book's FHIR resources are built once and cached until the next write, verified
tokens are cached, and the access log is written in batches of 1,000 (or after a second).
"""


def write_section(
    path: Path, books: int, saturation: Run, paced: Run, connections: int, seconds: int
) -> None:
    """Replace (or append) only the health-book section of ``path``."""
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    new = section(books, saturation, paced, connections, seconds)
    start = text.find(HEADING)
    if start < 0:
        text = text.rstrip("\n") + "\n\n" + new
    else:
        end = text.find("\n## ", start + len(HEADING))
        text = text[:start] + new + ("\n" + text[end + 1 :] if end >= 0 else "")
    path.write_text(text, encoding="utf-8")


_SCRIPT = """
local reads = {%s}
local n = 0
request = function()
  n = n %% #reads + 1
  local r = reads[n]
  local path = "/fhir/Patient/" .. r[1] .. "/$everything"
  return wrk.format("GET", path, {["Authorization"] = "Bearer " .. r[2]})
end
%s
"""


def _need(tool: str, hint: str) -> str:
    found = shutil.which(tool) or (
        str(Path(sys.executable).with_name(tool)) if Path(sys.executable).with_name(tool).exists() else None
    )
    if not found:
        raise typer.BadParameter(f"{tool} is not installed: {hint}")
    return found


def _pin(cpu: int) -> list[str]:
    return ["taskset", "-c", str(cpu)] if shutil.which("taskset") and (os.cpu_count() or 1) > cpu else []


def _wrk(wrk: str, script: Path, port: int, seconds: int, connections: int) -> Run:
    out = subprocess.run(
        [
            *_pin(1),
            wrk,
            "-t1",
            f"-c{connections}",
            f"-d{seconds}s",
            "--latency",
            "-s",
            str(script),
            f"http://127.0.0.1:{port}",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    latency = {
        p: _ms(re.search(rf"\s{p}%\s+([\d.]+\w+)", out).group(1))  # type: ignore[union-attr]
        for p in ("50", "99")
    }
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return Run(rate, latency["50"], latency["99"], int(errors.group(1)) if errors else 0)


def _paced(
    wrk: str,
    tmp: Path,
    reads: list[tuple[str, str]],
    port: int,
    seconds: int,
    connections: int,
    target: float,
) -> Run:
    """A run at about ``target`` reads/s: each connection waits between requests; two short runs
    measure how much each request's own time adds to that wait (a connection's cycle is
    ``connections / rate``: the wait plus the request), and the measured run takes it off."""
    wait = connections / target
    run = None
    for length in (max(2, seconds // 3), max(2, seconds // 3), seconds):
        script = tmp / "paced.lua"
        script.write_text(
            _SCRIPT
            % (
                ",".join(f'{{"{c}","{t}"}}' for c, t in reads),
                f"delay = function() return {1000 * max(wait, 0.0):.3f} end",
            ),
            encoding="utf-8",
        )
        run = _wrk(wrk, script, port, length, connections)
        wait += connections / target - connections / max(run.rate, 1.0)
    assert run is not None
    return run


def _ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(\w+)", text).groups()  # type: ignore[union-attr]
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}[unit]


def _wait(port: int, server: subprocess.Popen[bytes]) -> None:
    for _ in range(200):
        if server.poll() is not None:
            raise typer.BadParameter(f"the server exited (code {server.returncode}); is port {port} free?")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise typer.BadParameter(f"the server did not answer on port {port} within 20 s")


@bench_app.command("book")
def bench_book(
    citizens: Annotated[
        int, typer.Option(min=10, help="Citizens whose books are stored (about 70 % have one).")
    ] = 2000,
    seconds: Annotated[int, typer.Option(min=2, help="Length of each measured run.")] = 10,
    connections: Annotated[int, typer.Option(min=1, help="wrk connections.")] = 64,
    port: Annotated[int, typer.Option(min=1024, max=65535, help="Loopback port of the server.")] = 8190,
    write: Annotated[bool, typer.Option(help="Record the figures in docs/benchmarks.md.")] = False,
) -> None:
    """Health-book reads per second on one core (granian + Starlette), and p99 at 70 % of saturation."""
    console = Console()
    free_ports(port, 1)
    wrk = _need("wrk", "apt-get install -y wrk")
    granian = _need("granian", "pip install granian")
    with tempfile.TemporaryDirectory(prefix="lienthong-bench-book-") as tmp:
        secret = secrets.token_urlsafe(32)
        database = Path(tmp) / "moh.sqlite"
        console.print(f"Filling the store with the books of {citizens} citizens ...")
        reads = prepare(database, secret, people=citizens)
        env = os.environ | {"LIENTHONG_BENCH_DB": str(database), "LIENTHONG_BENCH_SECRET": secret}
        server = subprocess.Popen(
            [
                *_pin(0),
                granian,
                "--interface",
                "asgi",
                "--factory",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--workers",
                "1",
                "--runtime-threads",
                "1",
                "--no-access-log",
                "--log-level",
                "warning",
                "lienthong.simulators.moh.bench:served_app",
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        try:
            _wait(port, server)
            closed = Path(tmp) / "closed.lua"
            closed.write_text(
                _SCRIPT % (",".join(f'{{"{c}","{t}"}}' for c, t in reads), ""), encoding="utf-8"
            )
            _wrk(wrk, closed, port, 2, connections)  # warm-up: caches filled, tokens verified once
            saturation = _wrk(wrk, closed, port, seconds, connections)
            target = 0.7 * saturation.rate
            at_70 = _paced(wrk, Path(tmp), reads, port, seconds, connections, target)
        finally:
            server.terminate()
            server.wait(timeout=10)
    table = Table(title=f"Health-book reads, {len(reads)} books, one server core")
    for column in ("Run", "Reads/s", "p50 ms", "p99 ms", "Non-2xx"):
        table.add_column(column, justify="right" if column != "Run" else "left")
    for label, run in (("saturation (closed loop)", saturation), (f"paced at 70 % ({target:,.0f}/s)", at_70)):
        table.add_row(label, f"{run.rate:,.0f}", f"{run.p50:.2f}", f"{run.p99:.2f}", str(run.errors))
    console.print(table)
    if write:
        write_section(Path("docs/benchmarks.md"), len(reads), saturation, at_70, connections, seconds)
        console.print("Recorded in docs/benchmarks.md (## Health-book reads).")
