"""The simulated HIS handles gateway errors: resends on 5xx with backoff, renews an expired
session, fixes and resends a dossier refused for a rule (same MA_LK), never duplicating an episode."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import select

from lienthong.simulators.gateway.schema import episodes, submissions
from lienthong.simulators.network import NetworkConfig, build_network


def test_the_hospital_resends_after_5xx_and_then_gives_up() -> None:
    network = build_network(
        NetworkConfig(seed=17, population=20, faults={"bhxh": frozenset({"server_error"})})
    )
    hospital = network.hospital(0)
    hospital.retries, hospital.backoff = 2, 0.01

    async def go() -> dict[str, object]:
        try:
            return (await hospital.send_visit(network.visit(1)))[-1]
        finally:
            await network.aclose()

    answer = asyncio.run(go())
    assert answer["maKetQua"] == ""
    assert "HTTP 503" in str(answer["thongDiep"])
    assert hospital.retried >= 2


def test_the_hospital_renews_an_expired_session() -> None:
    network = build_network(NetworkConfig(seed=17, population=20))
    hospital = network.hospital(0)

    async def go() -> list[dict[str, object]]:
        try:
            first = await hospital.send_visit(network.visit(2))
            network.clock.advance(timedelta(hours=2))
            return [*first, *await hospital.send_visit(network.visit(3))]
        finally:
            await network.aclose()

    assert [a["maKetQua"] for a in asyncio.run(go())][-1] == "200"
    with network.gateway.engine.connect() as db:
        refused = db.execute(
            select(submissions.c.result_code).where(submissions.c.result_code == "401")
        ).all()
    assert len(refused) == 1, "one 401 on the expired session, then a new token and a resend"


def test_a_rejected_dossier_is_fixed_and_resent_under_the_same_ma_lk() -> None:
    network = build_network(NetworkConfig(seed=17, population=20))
    hospital = network.hospital(0, faults=frozenset({"two_main_diagnoses"}))
    hospital.fix_rejected = True
    visit = network.visit(4)

    async def go() -> list[dict[str, object]]:
        try:
            return await hospital.send_visit(visit)
        finally:
            await network.aclose()

    codes = [a["maKetQua"] for a in asyncio.run(go())]
    assert codes[-2:] == ["422", "200"]
    with network.gateway.engine.connect() as db:
        kept = db.execute(select(episodes.c.ma_lk, episodes.c.versions)).all()
    assert [(r.ma_lk, r.versions) for r in kept] == [(visit.ma_lk, 1)]
