"""Helpers for gateway tests: a vendor-style client session, dossiers, free loopback ports."""

from __future__ import annotations

import base64
import hashlib
import random
import socket
from dataclasses import dataclass
from typing import Any

import httpx

from lienthong.simulators.facilities import Facility
from lienthong.simulators.network import Network
from lienthong.simulators.pki import SigningKey, sign_document
from lienthong.simulators.visits import Visit
from lienthong.simulators.xml130 import checkin_xml, envelope, table_xml


def md5_upper(text: str) -> str:
    return hashlib.md5(text.encode("utf-8")).hexdigest().upper()


def free_port_block(count: int = 3) -> int:
    """The first of ``count`` consecutive free TCP ports on 127.0.0.1."""
    rng = random.Random()
    for _ in range(200):
        first = rng.randint(20_000, 60_000)
        sockets = []
        try:
            for port in range(first, first + count):
                sock = socket.socket()
                sock.bind(("127.0.0.1", port))
                sockets.append(sock)
            return first
        except OSError:
            continue
        finally:
            for sock in sockets:
                sock.close()
    raise RuntimeError("no block of free ports found")


def dossier_bytes(
    visit: Visit, key: SigningKey, tables: dict[str, list[dict[str, str]]] | None = None
) -> bytes:
    chosen = tables if tables is not None else visit.tables
    documents = {kind: table_xml(kind, records) for kind, records in chosen.items() if records}
    return sign_document(envelope(visit.facility.code, visit.summary["NGAY_RA"][:8], documents), key)


def checkin_bytes(visit: Visit, key: SigningKey) -> bytes:
    return sign_document(checkin_xml([visit.checkin]), key)


@dataclass
class VendorSession:
    """What a vendor HIS holds after ``POST /api/token/take``: only documented fields are used."""

    client: httpx.AsyncClient
    facility: Facility
    access_token: str = ""
    id_token: str = ""

    async def login(self) -> dict[str, Any]:
        answer = await self.client.post(
            "/api/token/take",
            data={"username": self.facility.username, "password": md5_upper(self.facility.password)},
        )
        body: dict[str, Any] = answer.json()
        if body.get("maKetQua") == "200":
            self.access_token, self.id_token = body["APIKey"]["access_token"], body["APIKey"]["id_token"]
        return body

    @property
    def headers(self) -> dict[str, str]:
        return {
            "accessToken": self.access_token,
            "tokenId": self.id_token,
            "passwordHash": md5_upper(self.facility.password),
        }

    async def send(
        self,
        kind: str,
        document: bytes,
        *,
        extra_headers: dict[str, str] | None = None,
        regulation: str = "3176",
    ) -> httpx.Response:
        path = (
            f"/api/qd130/checkInKcbQd{regulation}"
            if kind == "checkin"
            else f"/api/qd130/guiHoSoXmlQD{regulation}"
        )
        return await self.client.post(
            path,
            headers={**self.headers, **(extra_headers or {})},
            json={
                "username": self.facility.username,
                "loaiHoSo": "0" if kind == "checkin" else "130",
                "maTinh": self.facility.province,
                "maCSKCB": self.facility.code,
                "fileHSBase64": base64.b64encode(document).decode("ascii"),
            },
        )

    async def check_in(self, key: SigningKey, *visits: Visit) -> None:
        """Check ``visits`` in, as a HIS does right after the first cost (emergencies need none)."""
        for visit in visits:
            if not visit.emergency:
                answer = (await self.send("checkin", checkin_bytes(visit, key))).json()
                assert answer["maKetQua"] == "200", answer

    async def lookup(self, body: dict[str, str]) -> dict[str, Any]:
        answer = await self.client.post(
            "/api/egw/KQNhanLichSuKCB2024",
            params={
                "token": self.access_token,
                "id_token": self.id_token,
                "username": self.facility.username,
                "password": md5_upper(self.facility.password),
            },
            json=body,
        )
        result: dict[str, Any] = answer.json()
        return result

    async def feedback(self, **query: str) -> dict[str, Any]:
        answer = await self.client.get("/api/lienthong/ketQuaHoSo", headers=self.headers, params=query)
        result: dict[str, Any] = answer.json()
        return result


def vendor(network: Network, index: int = 0) -> VendorSession:
    return VendorSession(network.client("bhxh"), network.facilities[index])
