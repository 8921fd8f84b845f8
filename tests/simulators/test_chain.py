"""The whole chain in-process: a hospital's visit is readable through the VNeID client."""

from __future__ import annotations

import asyncio

from lienthong.simulators.network import NetworkConfig, build_network


def test_visit_sent_by_hospital_is_readable_through_vneid() -> None:
    async def go() -> None:
        network = build_network(NetworkConfig(seed=11, population=30))
        try:
            visit = network.visit(3)
            answers = await network.hospital().send_visit(visit)
            assert [a["maKetQua"] for a in answers][-1] == "200", answers
            assert await network.drain() == 0
            person = network.citizen(3)
            app = network.vneid()
            await app.sign_in(person.cccd, person.password)
            seen = await app.visits()
            assert [v.ma_lk for v in seen] == [visit.ma_lk]
            assert seen[0].facility == network.facilities[0].code
            assert seen[0].diagnosis_code == visit.summary["MA_BENH_CHINH"]
            assert seen[0].diagnosis == visit.summary["CHAN_DOAN_RV"]  # Vietnamese text kept
            other = network.citizen(4)  # a citizen without visits sees an empty book, not someone else's
            await app.sign_in(other.cccd, other.password)
            assert await app.visits() == []
        finally:
            await network.aclose()

    asyncio.run(go())


def test_replacement_dossier_does_not_duplicate_the_visit() -> None:
    async def go() -> None:
        network = build_network(NetworkConfig(seed=12, population=10))
        try:
            hospital = network.hospital()
            visit = network.visit(2)
            await hospital.send_visit(visit)
            visit.summary["NGAY_TTOAN"] = visit.summary["NGAY_RA"]  # payment time added, re-sent
            assert (await hospital.send_dossier(visit))["maKetQua"] == "200"
            await network.drain()
            person = network.citizen(2)
            app = network.vneid()
            await app.sign_in(person.cccd, person.password)
            assert [v.ma_lk for v in await app.visits()] == [visit.ma_lk]
        finally:
            await network.aclose()

    asyncio.run(go())
