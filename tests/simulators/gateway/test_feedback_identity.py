"""Feedback that teaches: a dossier the gateway accepted at once but C06 did not verify says why
(unknown citizen, identity mismatch), field by field, with the requirement, never "thành công"."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest

from lienthong.simulators.network import Network, NetworkConfig, build_network
from tests.simulators.gateway.support import checkin_bytes, dossier_bytes, vendor


@pytest.fixture
def network() -> Iterator[Network]:
    built = build_network(NetworkConfig(seed=17, population=30))
    yield built
    asyncio.run(built.aclose())


def _unknown_number(cccd: str) -> str:
    """Another number of the same province, century, sex and birth year (still well-formed)."""
    return cccd[:6] + ("999999" if cccd[6:] != "999999" else "999998")


def test_identity_rejections_name_the_field_the_value_and_the_requirement(network: Network) -> None:
    async def go() -> dict[str, dict[str, Any]]:
        his = vendor(network, 0)
        await his.login()
        key = network.keys[his.facility.code]
        sent: dict[str, str] = {}
        for case, number in (("unknown", 4), ("mismatch", 5), ("good", 6), ("upper", 7)):
            visit = network.visit(number)
            summary = dict(visit.summary)
            if case == "unknown":
                summary["SO_CCCD"] = _unknown_number(summary["SO_CCCD"])
            if case == "mismatch":
                summary["HO_TEN"] = summary["HO_TEN"] + " Thị"
            if case == "upper":  # many HIS write names in capitals: C06 compares them folded
                summary["HO_TEN"] = summary["HO_TEN"].upper()
            checked_in = (await his.send("checkin", checkin_bytes(visit, key))).json()
            assert checked_in["maKetQua"] == "200", checked_in  # the check-in comes first (XML0-06)
            answer = (
                await his.send("dossier", dossier_bytes(visit, key, {**visit.tables, "XML1": [summary]}))
            ).json()
            assert answer["maKetQua"] == "200", answer
            sent[case] = answer["maGiaoDich"]
        await network.drain()
        return {case: (await his.feedback(maGiaoDich=tx))["dsKetQua"][0] for case, tx in sent.items()}

    results = asyncio.run(go())
    unknown, mismatch, good = results["unknown"], results["mismatch"], results["good"]
    assert results["upper"]["trangThai"] == "delivered", results["upper"]
    assert good["trangThai"] == "delivered"
    assert good["dsLoi"] == []
    for result, field, words in ((unknown, "SO_CCCD", "unknown citizen"), (mismatch, "HO_TEN", "mismatch")):
        assert result["trangThai"] == "identity_rejected"
        assert "thành công" not in str(result["thongDiep"]), result["thongDiep"]
        assert words in str(result["thongDiep"])
        assert "TRAFFIC-04" in str(result["thongDiep"])
        [error] = result["dsLoi"]
        assert (error["bang"], error["truong"], error["maQuyTac"]) == ("XML1", field, "TRAFFIC-04")
        assert error["giaTri"]
