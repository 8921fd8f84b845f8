"""The KSK data-sync push (QĐ 1551/QĐ-BYT): login, a signed push saved once, and each refusal code."""

from __future__ import annotations

import asyncio
import base64
import uuid
from datetime import UTC, datetime
from typing import Any

import httpx

from lienthong.simulators.moh import MoHConfig, create_moh
from lienthong.simulators.moh.ksk import msg_id, sign
from lienthong.simulators.pki import shared_authority, sign_document
from lienthong.simulators.population.facilities import gln

KSK_XML = (
    b"<?xml version='1.0' encoding='utf-8'?><KHAMSUCKHOE><THONGTINDONVI><MACSKCB>01001</MACSKCB>"
    b"</THONGTINDONVI><THONGTINHOSO><NGAYLAP>20261122</NGAYLAP><SOLUONGHOSO>1</SOLUONGHOSO>"
    b"<DANHSACHHOSO><HOSO><FILEHOSO><LOAIHOSO>KSK_NGUOILON</LOAIHOSO><NOIDUNGFILE>PFgvPg==</NOIDUNGFILE>"
    b"</FILEHOSO></HOSO></DANHSACHHOSO></THONGTINHOSO><CHUKYDONVI/></KHAMSUCKHOE>"
)


def test_push_saved_once_and_refusals_carry_their_codes() -> None:
    key = shared_authority().issue("Bệnh viện KSK (01001)")
    app = create_moh(MoHConfig())
    app.state.node.register_facility("01001", "pw", cert_pem=key.cert_pem)
    sender = gln("01001")

    def push(*, signed: bool = True, document: bytes | None = None, tamper: bool = False) -> dict[str, Any]:
        header = {
            "sender_id": sender,
            "msg_id": msg_id(sender, datetime.now(UTC), uuid.uuid4().hex),
            "send_datetime": 1_795_000_000_000,
        }
        data = base64.b64encode(document or sign_document(KSK_XML, key)).decode()
        body: dict[str, Any] = {"header": header, "data": data}
        if signed:
            body["signature"] = sign(header, data, key.key_pem)
        if tamper:
            header["send_datetime"] += 1
        return body

    async def go() -> None:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://moh") as moh:
            assert (
                await moh.post("/api/auth/login", json={"username": "01001", "password": "no"})
            ).status_code == 401
            login = await moh.post("/api/auth/login", json={"username": "01001", "password": "pw"})
            assert login.json()["code"] == "CM_SUCCESS"
            headers = {
                "authorization": f"Bearer {login.json()['data']['access_token']}",
                "service-type": "100",
            }
            good = push()
            for _ in range(2):  # a repeated msg_id is saved once and answered the same
                answer = await moh.post("/api/platform/data-sync/push", json=good, headers=headers)
                assert answer.status_code == 200, answer.text
                assert answer.json()["code"] == "PS_DS_SAVE_SUCCESS", answer.text
            cases = [
                (push(signed=False), "PS_DS_RSA_SIGNATURE_MISSING"),
                (push(tamper=True), "PS_DS_RSA_SIGNATURE_INVALID"),
                (push(document=KSK_XML), "PS_DS_CA_SIGNATURE_MISSING"),
                (push(document=b"<KSK/>"), "CM_INVALID_REQUEST"),
            ]
            for body, code in cases:
                answer = await moh.post("/api/platform/data-sync/push", json=body, headers=headers)
                assert (answer.status_code, answer.json()["code"]) == (400, code)
            wrong_type = await moh.post(
                "/api/platform/data-sync/push", json=good, headers=headers | {"service-type": "7"}
            )
            assert wrong_type.json()["code"] == "CM_INVALID_REQUEST"

    asyncio.run(go())
