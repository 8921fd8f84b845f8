"""Serving the simulated network on real loopback ports (``lienthong simulate``).

Two shapes: every node in this process (``serve``), or one process per node (``spawn_network``:
``python -m lienthong.simulators.serve SPEC NODE`` for each node, sharing a JSON spec with the
secrets, ports, databases and clock, so a node can be killed and restarted on its own).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from starlette.applications import Starlette

from lienthong.simulators.clock import SimClock
from lienthong.simulators.facilities import facility_keys
from lienthong.simulators.gateway import Gateway, Links
from lienthong.simulators.network import (
    NODES,
    Network,
    NetworkConfig,
    NodeSecrets,
    build_network,
    node_app,
    provision,
    sites_of,
)
from lienthong.simulators.servers import serve_granian, server_of


class _Server(uvicorn.Server):
    """One of several servers sharing a loop: signals are handled once, for all of them."""

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        yield


def ports(first: int) -> dict[str, int]:
    """bhxh on ``first``, c06 on ``first + 1``, moh on ``first + 2``."""
    return {node: first + offset for offset, node in enumerate(NODES)}


async def serve(
    config: NetworkConfig,
    *,
    host: str = "127.0.0.1",
    port: int = 8080,
    ready: Callable[[Network], None] | None = None,
) -> None:
    """Run every node on its own port until SIGINT/SIGTERM; the gateway forwards in the background."""
    config.pump = True
    network = build_network(config)
    assigned = ports(port)
    network.base_urls = {node: f"http://{host}:{p}" for node, p in assigned.items()}
    network.link()  # the gateway now reaches C06 and the MoH store over HTTP
    servers = [
        _Server(
            uvicorn.Config(
                network.apps[node], host=host, port=p, log_level="warning", lifespan="on", access_log=False
            )
        )
        for node, p in assigned.items()
    ]
    loop = asyncio.get_running_loop()

    def stop() -> None:
        for server in servers:
            server.should_exit = True

    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop)
    tasks = [asyncio.create_task(_serve_one(server)) for server in servers]
    while not all(server.started for server in servers):
        if any(task.done() for task in tasks):  # a port was taken: stop the others and report
            stop()
            await asyncio.gather(*tasks, return_exceptions=True)
            raise OSError(f"could not listen on {host}:{port}-{port + len(NODES) - 1} (port in use?)")
        await asyncio.sleep(0.05)
    if ready:
        ready(network)
    try:
        await asyncio.gather(*tasks)
    finally:
        await network.aclose()


async def _serve_one(server: uvicorn.Server) -> None:
    """Serve until stopped; uvicorn's exit when it cannot bind becomes an OSError, so the caller
    reports it (and no task dies with an unretrieved SystemExit)."""
    try:
        await server.serve()
    except SystemExit as exc:
        raise OSError(f"could not listen on {server.config.host}:{server.config.port}") from exc


@dataclass
class NodeSpec:
    """Everything a node process needs; written as JSON by the parent."""

    host: str
    ports: dict[str, int]
    seed: int
    population: int
    facilities: int
    data_dir: str
    database_url: str | None
    faults: dict[str, list[str]]
    secrets: dict[str, str]
    clock_start: str
    """ISO time the simulation clock showed at ``clock_wall`` (UNIX seconds)."""
    clock_wall: float
    speed: float = 1.0
    header_faults: bool = False
    visibility_delay: float = 0.0
    forward: bool = True
    """Run the gateway's outbox pump (off for ingest benchmarks without C06 and the MoH store)."""
    fleet: int = 0
    server: str = "uvicorn"
    """The ASGI server of every node: ``uvicorn``, or ``granian`` (embedded in the node process)."""

    @property
    def urls(self) -> dict[str, str]:
        return {node: f"http://{self.host}:{port}" for node, port in self.ports.items()}

    def network_config(self) -> NetworkConfig:
        return NetworkConfig(
            seed=self.seed, population=self.population, facilities=self.facilities, fleet=self.fleet,
            data_dir=Path(self.data_dir), database_url=self.database_url,
            faults={actor: frozenset(names) for actor, names in self.faults.items()},
            visibility_delay=timedelta(seconds=self.visibility_delay), pump=self.forward,
            header_faults=self.header_faults, speed=self.speed, keys_dir=Path(self.data_dir) / "keys",
            secrets=NodeSecrets(**self.secrets),
        )  # fmt: skip

    def clock(self) -> SimClock:
        elapsed = (time.time() - self.clock_wall) * self.speed
        return SimClock(
            datetime.fromisoformat(self.clock_start) + timedelta(seconds=elapsed), speed=self.speed
        )


def write_spec(
    config: NetworkConfig,
    path: Path,
    *,
    host: str = "127.0.0.1",
    port: int = 8080,
    forward: bool = True,
    server: str = "uvicorn",
) -> NodeSpec:
    """Prepare a network for one process per node: keys on disk, shared secrets, the spec file."""
    if config.data_dir is None:
        raise ValueError("one process per node needs a data_dir (each node keeps its own database)")
    shared = config.secrets or NodeSecrets()
    facility_keys(sites_of(config), config.data_dir / "keys")
    start = config.start or datetime.now(UTC)
    spec = NodeSpec(
        host=host, ports=ports(port), seed=config.seed, population=config.population,
        facilities=config.facilities, data_dir=str(config.data_dir), database_url=config.database_url,
        faults={actor: sorted(names) for actor, names in config.faults.items()},
        secrets={"service": shared.service, "citizen": shared.citizen, "admin": shared.admin},
        clock_start=start.isoformat(), clock_wall=time.time(), speed=config.speed,
        header_faults=config.header_faults, visibility_delay=config.visibility_delay.total_seconds(),
        forward=forward, fleet=config.fleet, server=server,
    )  # fmt: skip
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(spec.__dict__, indent=2), encoding="utf-8")
    return spec


def read_spec(path: Path) -> NodeSpec:
    return NodeSpec(**json.loads(path.read_text(encoding="utf-8")))


STOP_WITH_PARENT = "LIENTHONG_STOP_WITH_PARENT"
"""Set to ``1`` by :class:`NodeProcesses` for the nodes it starts (a node started by hand is not
tied to its shell)."""


def _stop_with_parent() -> None:
    """SIGTERM this process when the process that started it is gone (killed, even by SIGKILL,
    before it could stop its nodes): a node process never outlives ``simulate``."""
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def node_of_spec(spec: NodeSpec, node: str) -> Starlette:
    """``node`` of the spec, provisioned, the gateway linked to C06 and the MoH store over HTTP."""
    config = spec.network_config()
    app = node_app(node, config, spec.clock(), config.secrets or NodeSecrets())
    sites = sites_of(config)
    provision(node, app, config, sites, facility_keys(sites, config.keys_dir))
    if node == "bhxh":
        gateway: Gateway = app.state.node
        gateway.links = Links(
            c06=httpx.AsyncClient(base_url=spec.urls["c06"], timeout=10),
            moh=httpx.AsyncClient(base_url=spec.urls["moh"], timeout=10),
        )
    return app


def run_node(spec_path: Path, node: str) -> None:
    """The body of one node process: build the node, provision it, serve until SIGTERM (or until
    its parent is gone, when started by :class:`NodeProcesses`)."""
    if os.environ.get(STOP_WITH_PARENT) == "1":
        _stop_with_parent()
    spec = read_spec(spec_path)
    app = node_of_spec(spec, node)
    if spec.server == "granian":
        serve_granian(app, spec.host, spec.ports[node])
        return
    uvicorn.run(
        app, host=spec.host, port=spec.ports[node], log_level="warning", access_log=False, lifespan="on"
    )


@dataclass
class NodeProcesses:
    """Node processes started by ``spawn_network``; stop them with ``stop`` (or as a context)."""

    spec_path: Path
    spec: NodeSpec
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    cpu: dict[str, str] = field(default_factory=dict)

    @property
    def urls(self) -> dict[str, str]:
        return self.spec.urls

    def start(self, node: str, *, timeout: float = 60.0) -> None:
        """Start (or restart) ``node`` and wait until it answers ``/health``."""
        self.launch(node)
        self.wait_ready(node, timeout=timeout)

    def launch(self, node: str) -> None:
        """Start ``node``'s process without waiting for it (see ``wait_ready``)."""
        command = [sys.executable, "-m", "lienthong.simulators.serve", str(self.spec_path), node]
        if node in self.cpu:
            command = ["taskset", "-c", self.cpu[node], *command]
        log = open(Path(self.spec.data_dir) / f"{node}.log", "ab")  # noqa: SIM115 (the child owns it)
        self.processes[node] = subprocess.Popen(
            command,
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONUNBUFFERED": "1", STOP_WITH_PARENT: "1"},
        )
        log.close()

    def wait_ready(self, node: str, *, timeout: float = 60.0) -> None:
        """Wait until the launched ``node`` answers ``/health`` (killed and an error after ``timeout``)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.processes[node].poll() is not None:
                raise RuntimeError(
                    f"{node} exited with {self.processes[node].returncode}: "
                    f"see {Path(self.spec.data_dir) / f'{node}.log'}"
                )
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{self.urls[node]}/health", timeout=1).status_code == 200:
                    return
            time.sleep(0.1)
        self.kill(node)
        raise TimeoutError(f"{node} did not answer {self.urls[node]}/health within {timeout:.0f} s")

    def kill(self, node: str, sig: int = signal.SIGKILL) -> None:
        process = self.processes.get(node)
        if process is not None and process.poll() is None:
            process.send_signal(sig)
            process.wait(timeout=30)

    def stop(self) -> None:
        for node in list(self.processes):
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.kill(node, signal.SIGTERM)
            self.kill(node)

    def __enter__(self) -> NodeProcesses:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def spawn_network(
    config: NetworkConfig,
    *,
    host: str = "127.0.0.1",
    port: int = 8080,
    nodes: Sequence[str] = NODES,
    cpu: dict[str, str] | None = None,
    forward: bool = True,
    server: str = "uvicorn",
    timeout: float = 60.0,
) -> NodeProcesses:
    """Start one process per node (C06 and the MoH store first, then the gateway), each served by
    ``server`` (``uvicorn``, or ``granian`` when installed: see :func:`server_of`); each node has
    ``timeout`` seconds to answer ``/health`` (loading a large population on a busy machine takes
    longer than the default)."""
    spec_path = (config.data_dir or Path(".")) / "network.json"
    spec = write_spec(config, spec_path, host=host, port=port, forward=forward, server=server_of(server))
    spawned = NodeProcesses(spec_path, spec, cpu=cpu or {})
    try:
        peers = [node for node in nodes if node != "bhxh"]
        for node in peers:  # C06 and the MoH store load the population side by side
            spawned.launch(node)
        for node in peers:
            spawned.wait_ready(node, timeout=timeout)
        if "bhxh" in nodes:
            spawned.start("bhxh", timeout=timeout)
    except BaseException:
        spawned.stop()
        raise
    return spawned


def main(argv: Sequence[str] | None = None) -> None:
    args: list[Any] = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 2 or args[1] not in NODES:
        sys.exit(f"usage: python -m lienthong.simulators.serve SPEC.json {{{'|'.join(NODES)}}}")
    run_node(Path(args[0]), args[1])


if __name__ == "__main__":
    main()
