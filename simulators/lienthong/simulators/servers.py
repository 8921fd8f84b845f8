"""The ASGI server of a node process: uvicorn (always installed), or granian (the ``load`` and
``bench`` extras), embedded in the node's own process so a node stays one process that its parent
stops with a signal, as with uvicorn. Granian's Rust HTTP layer costs the node less CPU per request
than uvicorn without httptools (h11, pure Python), which is what a load run on a small machine needs.
"""

from __future__ import annotations

import asyncio
import importlib.util
import signal
from typing import Any

from starlette.applications import Starlette

SERVERS = ("auto", "granian", "uvicorn")
BACKLOG = 2048
"""Connections waiting to be accepted (uvicorn's default; granian's embedded server takes 128, and
thousands of load users connecting at once overflowed it: the SYNs dropped were retried by the
kernel 1, 3, 7, 15 and 31 s later, which showed as sign-ins of 31 s on an idle C06)."""
CONCURRENT = 16384
"""Requests granian serves at once (its default is the backlog): a load user holds a connection
of its own, and a test harness queues work rather than refusing it."""
"""``auto``: granian when installed, uvicorn otherwise."""


class UnknownServer(ValueError):
    pass


def installed(server: str) -> bool:
    return importlib.util.find_spec(server) is not None


def server_of(name: str) -> str:
    """The server a node runs for ``name``: ``auto`` becomes granian when it is installed."""
    if name not in SERVERS:
        raise UnknownServer(f"unknown server {name!r}; choose one of {', '.join(SERVERS)}")
    if name == "auto":
        return "granian" if installed("granian") else "uvicorn"
    if not installed(name):
        raise UnknownServer(f"{name} is not installed (pip install 'lienthong[load]')")
    return name


def serve_granian(app: Starlette, host: str, port: int) -> None:
    """Serve ``app`` with granian's embedded server (on this process's event loop, uvloop when
    installed) until SIGINT or SIGTERM."""
    from granian.constants import Interfaces
    from granian.log import LogLevels
    from granian.server.embed import Server

    async def serve() -> None:
        server: Any = Server(
            app,
            address=host,
            port=port,
            interface=Interfaces.ASGI,
            log_level=LogLevels.warning,
            log_access=False,
            websockets=False,
            backlog=BACKLOG,
            backpressure=CONCURRENT,
        )
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, server.stop)
        await server.serve()

    if installed("uvloop"):
        import uvloop

        uvloop.run(serve())
    else:
        asyncio.run(serve())
