"""Field-level feedback a facility fetches later, and gateway faults chosen by request header."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from lienthong.simulators.gateway.schema import episodes
from lienthong.simulators.network import Network, NetworkConfig, build_network
from tests.simulators.gateway.support import dossier_bytes, vendor


@pytest.fixture
def network() -> Iterator[Network]:
    built = build_network(NetworkConfig(seed=13, population=40, header_faults=True))
    built.gateway.config.slow_seconds = 0.3
    built.gateway.config.hang_seconds = 5.0
    yield built
    asyncio.run(built.aclose())


def test_feedback_lists_field_errors_and_the_forward_state(network: Network) -> None:
    async def go() -> tuple[dict[str, object], ...]:
        his, other = vendor(network, 0), vendor(network, 1)
        await his.login()
        await other.login()
        visit = network.visit(3)
        key = network.keys[his.facility.code]
        broken = {**visit.tables, "XML1": [{**visit.summary, "MA_BENH_CHINH": "J06;I10"}]}
        await his.check_in(key, visit)
        rejected = (await his.send("dossier", dossier_bytes(visit, key, broken))).json()
        accepted = (await his.send("dossier", dossier_bytes(visit, key))).json()
        before = await his.feedback(maGiaoDich=accepted["maGiaoDich"])
        await network.drain()
        return (
            await his.feedback(maGiaoDich=rejected["maGiaoDich"]),
            before,
            await his.feedback(maLK=visit.ma_lk),
            await other.feedback(maLK=visit.ma_lk),
            await his.feedback(tuNgay="20200101"),
            await vendor(network, 2).feedback(maLK=visit.ma_lk),
        )

    rejected, before, by_ma_lk, foreign, too_wide, anonymous = asyncio.run(go())
    [result] = rejected["dsKetQua"]  # type: ignore[misc]
    assert result["trangThai"] == "rejected"
    assert result["maKetQua"] == "422"
    assert any(e["truong"] == "MA_BENH_CHINH" and e["bang"] == "XML1" for e in result["dsLoi"])
    assert before["dsKetQua"][0]["trangThai"] == "pending"  # type: ignore[index]
    assert [(r["loai"], r["trangThai"]) for r in by_ma_lk["dsKetQua"]] == [  # type: ignore[attr-defined]
        ("checkin", "accepted"),
        ("dossier", "rejected"),
        ("dossier", "delivered"),
    ]
    assert foreign["dsKetQua"] == [], "a facility sees only its own submissions"
    assert too_wide["maKetQua"] == "400"
    assert anonymous["maKetQua"] == "401"


def test_header_faults_are_ignored_unless_enabled() -> None:
    quiet = build_network(NetworkConfig(seed=13, population=20))

    async def go() -> int:
        his = vendor(quiet)
        await his.login()
        sent = await his.send(
            "dossier",
            dossier_bytes(quiet.visit(1), quiet.keys[his.facility.code]),
            extra_headers={"X-Lienthong-Fault": "server_error"},
        )
        await quiet.aclose()
        return sent.status_code

    assert asyncio.run(go()) == 200


def test_an_unknown_header_fault_is_a_clear_400(network: Network) -> None:
    async def go() -> tuple[int, str]:
        his = vendor(network)
        await his.login()
        sent = await his.send("checkin", b"<x/>", extra_headers={"X-Lienthong-Fault": "server_eror"})
        return sent.status_code, sent.json()["thongDiep"]

    status, message = asyncio.run(go())
    assert status == 400
    assert "did you mean 'server_error'" in message.lower()


def test_server_error_slow_answer_and_wrong_code_by_header(network: Network) -> None:
    async def go() -> tuple[int, float, str]:
        his = vendor(network)
        await his.login()
        key = network.keys[his.facility.code]
        await his.check_in(key, *(network.visit(i) for i in (4, 5, 6)))
        failed = await his.send(
            "dossier",
            dossier_bytes(network.visit(4), key),
            extra_headers={"X-Lienthong-Fault": "server_error"},
        )
        started = time.perf_counter()
        await his.send(
            "dossier",
            dossier_bytes(network.visit(5), key),
            extra_headers={"X-Lienthong-Fault": "slow_answer"},
        )
        waited = time.perf_counter() - started
        odd = await his.send(
            "dossier",
            dossier_bytes(network.visit(6), key),
            extra_headers={"X-Lienthong-Fault": "wrong_success_code"},
        )
        return failed.status_code, waited, odd.json()["maKetQua"]

    status, waited, code = asyncio.run(go())
    assert status == 503
    assert waited >= 0.3
    assert code == "00"


def test_a_dossier_stored_before_a_timeout_is_not_duplicated_by_the_resend(network: Network) -> None:
    """``hangs_after_commit``: the HIS times out, resends the same MA_LK, and still one episode."""

    async def go() -> str:
        his = vendor(network)
        await his.login()
        visit = network.visit(8)
        document = dossier_bytes(visit, network.keys[his.facility.code])
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(
                his.send("dossier", document, extra_headers={"X-Lienthong-Fault": "hangs_after_commit"}), 0.5
            )
        answer = (await his.send("dossier", document)).json()
        return str(answer["maKetQua"])

    assert asyncio.run(go()) == "200"
    with network.gateway.engine.connect() as db:
        rows = db.execute(select(episodes.c.versions)).all()
    assert [r.versions for r in rows] == [2]
