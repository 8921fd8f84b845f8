"""Bad input to the gateway gets an error naming the field and the rule; nothing accepted is lost."""

from __future__ import annotations

import asyncio
import base64
from typing import Any

import pytest

from lienthong.simulators.hospital import Hospital
from lienthong.simulators.hospital_faults import encode
from lienthong.simulators.network import Network, NetworkConfig, build_network


async def _send_raw(hospital: Hospital, file_base64: str) -> dict[str, Any]:
    await hospital.login()
    response = await hospital.client.post(
        "/api/qd130/guiHoSoXmlQD3176",
        headers=hospital._headers(),
        json={
            "username": hospital.facility.username,
            "loaiHoSo": "130",
            "maTinh": hospital.facility.province,
            "maCSKCB": hospital.facility.code,
            "fileHSBase64": file_base64,
        },
    )
    answer: dict[str, Any] = response.json()
    return answer


def _without_ma_lk(network: Network, hospital: Hospital) -> str:
    visit = network.visit(9)
    visit.summary["MA_LK"] = ""
    return encode(hospital.dossier_document(visit))


def _wrong_loaihoso(network: Network, hospital: Hospital) -> str:
    document = hospital.dossier_document(network.visit(8))
    return encode(document.replace(b"<LOAIHOSO>XML1<", b"<LOAIHOSO>XML16<"))


def _broken_signature(network: Network, hospital: Hospital) -> str:
    """A well-formed document but for its signature element (the gateway's byte path declines it)."""
    document = hospital.dossier_document(network.visit(7))
    return encode(document.replace(b"</ds:SignatureValue>", b"</ds:SignatureValu>", 1))


CASES = [
    ("not base64", lambda n, h: "@@@ không phải base64 @@@", "400", ["fileHSBase64", "base64"]),
    ("not XML", lambda n, h: base64.b64encode(b"plain text").decode(), "400", ["XML"]),
    ("wrong LOAIHOSO", _wrong_loaihoso, "125", ["signature"]),
    ("signature not XML", _broken_signature, "400", ["XML", "ENV-01"]),
    ("missing MA_LK", _without_ma_lk, "422", ["MA_LK", "is required", "XML1-02"]),
]


@pytest.mark.parametrize(("label", "make", "code", "words"), CASES, ids=[c[0] for c in CASES])
def test_bad_dossier_is_rejected_naming_field_and_rule(
    label: str, make: Any, code: str, words: list[str]
) -> None:
    async def go() -> None:
        network = build_network(NetworkConfig(seed=13, population=20))
        try:
            hospital = network.hospital()
            accepted = await hospital.send_visit(network.visit(1))
            answer = await _send_raw(hospital, make(network, hospital))
            assert answer["maKetQua"] == code, answer
            assert answer["maGiaoDich"]
            assert len(answer["thoiGianTiepNhan"]) == 14
            for word in words:
                assert word in answer["thongDiep"], answer["thongDiep"]
            # Nothing already accepted is lost: the earlier visit still reaches the book.
            assert accepted[-1]["maKetQua"] == "200"
            await network.drain()
            person = network.citizen(1)
            app = network.vneid()
            await app.sign_in(person.cccd, person.password)
            assert [v.ma_lk for v in await app.visits()] == [network.visit(1).ma_lk]
        finally:
            await network.aclose()

    asyncio.run(go())


def test_wrong_loaihoso_signed_after_the_change_names_loaihoso() -> None:
    """Signed after the edit, a wrong LOAIHOSO is judged on content: error 400 naming LOAIHOSO."""

    async def go() -> None:
        network = build_network(NetworkConfig(seed=14, population=20))
        try:
            hospital = network.hospital(faults=frozenset({"wrong_loaihoso"}))
            answer = (await hospital.send_visit(network.visit(2)))[-1]
            assert answer["maKetQua"] == "400"
            assert "LOAIHOSO" in answer["thongDiep"]
            assert "ENV-02" in answer["thongDiep"]
        finally:
            await network.aclose()

    asyncio.run(go())
