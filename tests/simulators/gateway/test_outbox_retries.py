"""The outbox forwards accepted dossiers to C06 and the MoH store, retrying with backoff when
they fail (a real refused connection), until delivered or ``max_attempts``."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from lienthong.simulators.gateway import Links
from lienthong.simulators.gateway.forwarding import backoff
from lienthong.simulators.gateway.schema import outbox
from lienthong.simulators.moh.schema import visits
from lienthong.simulators.network import Network, NetworkConfig, build_network
from tests.simulators.gateway.support import dossier_bytes, free_port_block, vendor


@pytest.fixture
def network() -> Iterator[Network]:
    built = build_network(NetworkConfig(seed=12, population=40))
    yield built
    asyncio.run(built.aclose())


def _row(network: Network) -> dict[str, object]:
    with network.gateway.engine.connect() as db:
        return dict(db.execute(select(outbox)).mappings().one())


async def _accept_one(network: Network) -> str:
    his = vendor(network)
    await his.login()
    visit = network.visit(2)
    await his.check_in(network.keys[his.facility.code], visit)
    answer = (await his.send("dossier", dossier_bytes(visit, network.keys[his.facility.code]))).json()
    assert answer["maKetQua"] == "200", answer
    return visit.ma_lk


def _down(node: str, network: Network) -> Links:
    """Links where ``node`` is a closed loopback port (connection refused)."""
    closed = httpx.AsyncClient(base_url=f"http://127.0.0.1:{free_port_block(1)}", timeout=2)
    c06 = closed if node == "c06" else network.client("c06")
    moh = closed if node == "moh" else network.client("moh")
    return Links(c06=c06, moh=moh)


def test_backoff_doubles_up_to_five_minutes() -> None:
    assert [backoff(n).total_seconds() for n in (1, 2, 3, 4, 9, 20)] == [1, 2, 4, 8, 256, 300]


@pytest.mark.parametrize("node", ["c06", "moh"])
def test_forward_is_retried_with_backoff_then_delivered(network: Network, node: str) -> None:
    async def go() -> list[dict[str, object]]:
        await _accept_one(network)
        healthy = network.gateway.links
        network.gateway.links = _down(node, network)
        seen = []
        for attempt in (1, 2, 3):
            await network.gateway.drain(rounds=1)
            seen.append(_row(network))
            await network.gateway.drain(rounds=1)  # not due yet: nothing happens
            assert _row(network)["attempts"] == attempt
            network.clock.advance(backoff(attempt) + timedelta(milliseconds=10))
        network.gateway.links = healthy
        await network.drain()
        seen.append(_row(network))
        return seen

    rows = asyncio.run(go())
    assert [r["status"] for r in rows] == ["pending", "pending", "pending", "delivered"]
    assert [r["attempts"] for r in rows] == [1, 2, 3, 4]
    assert "ConnectError" in str(rows[0]["last_error"])
    assert rows[3]["last_error"] == ""


def test_forward_gives_up_after_max_attempts(network: Network) -> None:
    network.gateway.config.max_attempts = 3

    async def go() -> dict[str, object]:
        await _accept_one(network)
        network.gateway.links = _down("c06", network)
        for attempt in (1, 2, 3):
            await network.gateway.drain(rounds=1)
            network.clock.advance(backoff(attempt) + timedelta(milliseconds=10))
        await network.gateway.drain(rounds=1)
        return _row(network)

    row = asyncio.run(go())
    assert (row["status"], row["attempts"]) == ("failed", 3)


def test_a_restarted_gateway_finds_its_queue_in_the_database(tmp_path: Path) -> None:
    """The outbox lives in the database, not in memory: a new gateway on the same file forwards."""
    data = tmp_path
    first = build_network(NetworkConfig(seed=12, population=40, data_dir=data, keys_dir=data / "keys"))

    async def accept() -> str:
        ma_lk = await _accept_one(first)
        await first.aclose()
        return ma_lk

    ma_lk = asyncio.run(accept())
    first.gateway.engine.dispose()
    second = build_network(NetworkConfig(seed=12, population=40, data_dir=data, keys_dir=data / "keys"))
    try:
        assert asyncio.run(second.drain()) == 0
        assert _row(second)["status"] == "delivered"
        with second.moh.engine.connect() as db:
            assert db.execute(select(visits.c.ma_lk)).scalars().all() == [ma_lk]
    finally:
        asyncio.run(second.aclose())
