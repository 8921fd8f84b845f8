"""Serving the simulated network on real loopback ports (``lienthong simulate``)."""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import Callable, Generator

import uvicorn

from lienthong.simulators.network import NODES, Network, NetworkConfig, build_network


class _Server(uvicorn.Server):
    """One of several servers sharing a loop: signals are handled once, for all of them."""

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        yield


def ports(first: int) -> dict[str, int]:
    """bhxh on ``first``, c06 on ``first + 1``, moh on ``first + 2``."""
    return {node: first + offset for offset, node in enumerate(NODES)}


async def serve(config: NetworkConfig, *, host: str = "127.0.0.1", port: int = 8080,
                ready: Callable[[Network], None] | None = None) -> None:
    """Run every node on its own port until SIGINT/SIGTERM; the gateway forwards in the background."""
    config.pump = True
    network = build_network(config)
    assigned = ports(port)
    network.base_urls = {node: f"http://{host}:{p}" for node, p in assigned.items()}
    network.link()  # the gateway now reaches C06 and the MoH store over HTTP
    servers = [_Server(uvicorn.Config(network.apps[node], host=host, port=p, log_level="warning",
                                      lifespan="on", access_log=False)) for node, p in assigned.items()]
    loop = asyncio.get_running_loop()

    def stop() -> None:
        for server in servers:
            server.should_exit = True

    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop)
    tasks = [asyncio.create_task(server.serve()) for server in servers]
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
