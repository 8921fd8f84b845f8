"""A simulated network served by ``lienthong simulate`` in a child process, for load runs and
live tests: real sockets on 127.0.0.1, stopped (SIGINT, then SIGKILL) when the block ends."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import httpx

from lienthong.simulators.facilities import facilities
from lienthong.simulators.network import NODES
from lienthong.simulators.pki import SigningKey
from lienthong.simulators.population.citizens import DEFAULT_SEED
from lienthong.simulators.samples import Account, FacilitySamples


def free_port_block(size: int = len(NODES)) -> int:
    """A first port such that ``size`` consecutive loopback ports are free now."""
    for _ in range(200):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            first: int = probe.getsockname()[1]
        if first + size >= 65535:
            continue
        try:
            with contextlib.ExitStack() as stack:
                for offset in range(1, size):
                    extra = stack.enter_context(socket.socket())
                    extra.bind(("127.0.0.1", first + offset))
            return first
        except OSError:
            continue
    raise OSError("no block of free loopback ports found")


@dataclass
class ServedNetwork:
    port: int
    data_dir: Path
    seed: int
    population: int
    process: subprocess.Popen[bytes]

    @property
    def urls(self) -> dict[str, str]:
        return {node: f"http://127.0.0.1:{self.port + offset}" for offset, node in enumerate(NODES)}

    def urls_env(self) -> dict[str, str]:
        urls = self.urls
        return {
            "LIENTHONG_GATEWAY": urls["bhxh"],
            "LIENTHONG_C06": urls["c06"],
            "LIENTHONG_MOH": urls["moh"],
        }

    def samples(self, index: int = 0) -> FacilitySamples:
        site = facilities(self.seed)[index]
        keys = self.data_dir / "keys"
        key = SigningKey(
            (keys / f"{site.code}.key.pem").read_bytes(),
            (keys / f"{site.code}.cert.pem").read_bytes(),
        )
        return FacilitySamples(Account(site.code, site.username, site.password, site.name), self.seed, key)


@contextlib.contextmanager
def served_network(
    data_dir: Path,
    *,
    seed: int = DEFAULT_SEED,
    population: int = 300,
    timeout: float = 30,
    faults: Sequence[str] = (),
    service_token: str = "",
) -> Iterator[ServedNetwork]:
    """``faults``: ``ACTOR:FAULT`` names the served nodes follow; ``service_token``: the bearer the
    gateway presents to C06 and the MoH store (random when empty)."""
    port = free_port_block()
    extra = [arg for name in faults for arg in ("--fault", name)]
    if service_token:
        extra += ["--service-token", service_token]
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "lienthong.conformance.cli",
            "simulate",
            "--port",
            str(port),
            "--seed",
            str(seed),
            "--population",
            str(population),
            "--data-dir",
            str(data_dir),
            *extra,
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=os.environ | {"COLUMNS": "200"},
    )
    served = ServedNetwork(port, data_dir, seed, population, process)
    try:
        deadline = time.monotonic() + timeout
        key_file = data_dir / "keys" / f"{facilities(seed)[-1].code}.cert.pem"
        while not key_file.exists():
            if process.poll() is not None:
                raise RuntimeError(f"lienthong simulate exited: {process.stderr.read().decode()[-500:]}")  # type: ignore[union-attr]
            if time.monotonic() > deadline:
                raise TimeoutError(f"the simulated network did not start within {timeout:.0f} s")
            time.sleep(0.1)
        while True:  # the keys exist before the nodes are provisioned and listening
            try:
                httpx.get(f"{served.urls['bhxh']}/health", timeout=5).raise_for_status()
                break
            except httpx.ConnectError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        while not (data_dir / "patients.csv").exists():  # written once the nodes are ready
            if process.poll() is not None or time.monotonic() > deadline:
                raise TimeoutError(f"lienthong simulate wrote no patients file within {timeout:.0f} s")
            time.sleep(0.1)
        yield served
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
