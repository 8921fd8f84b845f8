"""Live: C06 and the MoH store on real loopback sockets (uvicorn), the VNeID client over HTTP:
a guardian signs in, reads a child's vaccinations and the book's documents."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Iterator

import httpx
import pytest
import uvicorn

from lienthong.simulators.vneid import VNeIDClient
from tests.simulators.moh._store import SECRET, guardian_and_child

pytestmark = pytest.mark.live


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def served() -> Iterator[dict[str, str]]:
    from lienthong.simulators.c06 import C06Config, create_c06
    from lienthong.simulators.clock import SimClock
    from lienthong.simulators.moh import MoHConfig, create_moh
    from lienthong.simulators.population import citizens

    clock = SimClock()
    apps = {
        "c06": create_c06(C06Config(clock=clock, citizen_token_secret=SECRET)),
        "moh": create_moh(MoHConfig(clock=clock, citizen_token_secret=SECRET)),
    }
    people = list(citizens(7, 0, 120))
    apps["c06"].state.node.load_citizens(people)
    apps["moh"].state.node.load_population(people)
    servers, urls = [], {}
    for name, app in apps.items():
        port = _free_port()
        server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
        threading.Thread(target=server.run, daemon=True).start()
        servers.append(server)
        urls[name] = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 10
    while not all(s.started for s in servers):
        assert time.monotonic() < deadline, "the nodes did not start within 10 s"
        time.sleep(0.05)
    yield urls
    for server in servers:
        server.should_exit = True


def test_a_guardian_reads_vaccinations_over_http(served: dict[str, str]) -> None:
    guardian, child = guardian_and_child()

    async def go() -> None:
        async with (
            httpx.AsyncClient(base_url=served["c06"], timeout=10) as c06,
            httpx.AsyncClient(base_url=served["moh"], timeout=10) as moh,
        ):
            client = VNeIDClient(c06, moh)
            await client.sign_in(guardian.cccd, guardian.password)
            shots = await client.vaccinations(child.cccd)
            assert shots
            assert {s.vaccine for s in shots} <= {
                "VGB",
                "BCG",
                "DPT-VGB-Hib",
                "bOPV",
                "IPV",
                "SOI",
                "VNNB",
                "MR",
                "DPT",
            }
            document = await moh.get("/openapi.json")
            assert document.json()["info"]["title"].startswith("MoH health-book store")

    asyncio.run(go())
