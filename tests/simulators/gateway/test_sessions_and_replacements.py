"""Gateway sessions expire on the simulation clock; replacement dossiers update one episode."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from lienthong.simulators.gateway.schema import episodes, outbox
from lienthong.simulators.moh.schema import visits as moh_visits
from lienthong.simulators.network import Network, NetworkConfig, build_network
from tests.simulators.gateway.support import checkin_bytes, dossier_bytes, vendor


@pytest.fixture
def network() -> Iterator[Network]:
    built = build_network(NetworkConfig(seed=11, population=60))
    yield built
    asyncio.run(built.aclose())


def test_a_session_expires_after_its_lifetime(network: Network) -> None:
    async def go() -> list[str]:
        his = vendor(network)
        login = await his.login()
        visit = network.visit(3)
        key = network.keys[his.facility.code]
        codes = [(await his.send("checkin", checkin_bytes(visit, key))).json()["maKetQua"]]
        network.clock.advance(network.gateway.config.token_lifetime + timedelta(seconds=1))
        codes.append((await his.send("checkin", checkin_bytes(visit, key))).json()["maKetQua"])
        await his.login()  # a new token works again
        codes.append((await his.send("checkin", checkin_bytes(visit, key))).json()["maKetQua"])
        codes.append(login["APIKey"]["expires_in"])
        return codes

    first, expired, renewed, expires_in = asyncio.run(go())
    assert (first, expired, renewed) == ("200", "401", "200")
    assert expires_in.endswith("+00:00"), "expires_in is written in UTC, as the BHXH guide says"


def test_the_accepts_expired_token_fault_lets_an_old_session_through(network: Network) -> None:
    network.gateway.config.faults = frozenset({"accepts_expired_token"})

    async def go() -> str:
        his = vendor(network)
        await his.login()
        network.clock.advance(timedelta(hours=5))
        answer = await his.send("checkin", checkin_bytes(network.visit(4), network.keys[his.facility.code]))
        code: str = answer.json()["maKetQua"]
        return code

    assert asyncio.run(go()) == "200"


def test_replacement_dossiers_update_one_episode_and_reach_the_book_once(network: Network) -> None:
    """Late lab results, then the payment time: the same MA_LK three times, one record."""

    async def go() -> list[str]:
        his = vendor(network)
        await his.login()
        visit = next(v for v in (network.visit(i) for i in range(5, 60)) if v.labs)
        key = network.keys[his.facility.code]
        pending = [{**row, "GIA_TRI": "", "NGAY_KQ": ""} for row in visit.labs]  # result not back yet
        without_lab = {**visit.tables, "XML4": pending}
        with_lab = dict(visit.tables)
        paid = {**with_lab, "XML1": [{**visit.summary, "NGAY_TTOAN": visit.summary["NGAY_RA"]}]}
        codes = []
        await his.check_in(key, visit)
        for tables in (without_lab, with_lab, paid):
            answer = (await his.send("dossier", dossier_bytes(visit, key, tables))).json()
            codes.append(answer["maKetQua"] + ":" + answer["thongDiep"][:200])
            await network.drain()
        return [visit.ma_lk, *codes]

    ma_lk, *codes = asyncio.run(go())
    assert [c[:3] for c in codes] == ["200", "200", "200"], codes
    with network.gateway.engine.connect() as db:
        rows = db.execute(select(episodes.c.ma_lk, episodes.c.versions)).all()
        forwards = db.execute(
            select(func.count()).select_from(outbox).where(outbox.c.status == "delivered")
        ).scalar()
    assert len(rows) == 1
    assert rows[0].versions == 3
    assert forwards == 3
    with network.moh.engine.connect() as db:
        stored = db.execute(select(moh_visits.c.versions).where(moh_visits.c.ma_lk == ma_lk)).all()
    assert [row.versions for row in stored] == [3], "one visit in the book, replaced twice"
