"""A simulated network on real sockets on 127.0.0.1, for load runs and live tests, stopped when the
block ends: ``lienthong simulate`` in a child process (every node in it, on uvicorn), or, with
``processes=True``, one process per node (``spawn_network``), each on its own core's worth of
CPU and served by granian when installed (what ``lienthong load run`` uses)."""

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
from lienthong.simulators.faults import fault_set
from lienthong.simulators.network import NODES, NetworkConfig, NodeSecrets
from lienthong.simulators.pki import SigningKey
from lienthong.simulators.population.citizens import DEFAULT_SEED
from lienthong.simulators.population.exporters.patients import write_known_patients
from lienthong.simulators.samples import Account, FacilitySamples
from lienthong.simulators.serve import NodeProcesses, spawn_network


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
    process: subprocess.Popen[bytes] | None = None
    """``lienthong simulate`` serving every node, or None with ``nodes``."""
    nodes: NodeProcesses | None = None
    """One process per node (``processes=True``)."""

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
    processes: bool = False,
    server: str = "auto",
) -> Iterator[ServedNetwork]:
    """``faults``: ``ACTOR:FAULT`` names the served nodes follow; ``service_token``: the bearer the
    gateway presents to C06 and the MoH store (random when empty); ``processes``: one process per
    node, each served by ``server`` (``auto``: granian when installed, else uvicorn)."""
    if processes:
        with _node_processes(data_dir, seed, population, faults, service_token, server, timeout) as served:
            yield served
        return
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
            except (httpx.ConnectError, httpx.TimeoutException):  # not listening, or still provisioning
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


@contextlib.contextmanager
def _node_processes(
    data_dir: Path,
    seed: int,
    population: int,
    faults: Sequence[str],
    service_token: str,
    server: str,
    timeout: float,
) -> Iterator[ServedNetwork]:
    chosen: dict[str, set[str]] = {}
    for item in faults:
        actor, _, name = item.partition(":")
        chosen.setdefault(actor, set()).add(name)
    config = NetworkConfig(
        seed=seed,
        population=population,
        data_dir=data_dir,
        keys_dir=data_dir / "keys",
        faults={actor: fault_set(actor, names) for actor, names in chosen.items()},
        secrets=NodeSecrets(service=service_token) if service_token else None,
    )
    data_dir.mkdir(parents=True, exist_ok=True)
    port = free_port_block()
    with spawn_network(config, port=port, server=server, timeout=timeout) as nodes:
        write_known_patients(seed, data_dir / "patients.csv")
        yield ServedNetwork(port, data_dir, seed, population, nodes=nodes)
