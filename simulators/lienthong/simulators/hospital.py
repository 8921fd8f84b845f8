"""The simulated hospital (HIS): turns visits into signed XML0 check-ins and GIAMDINHHS dossiers
and sends them to a BHXH gateway through its real API."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

import httpx

from lienthong.simulators import hospital_faults as hf
from lienthong.simulators.facilities import Facility, md5_upper
from lienthong.simulators.pki import SigningKey, sign_document
from lienthong.simulators.visits import Visit
from lienthong.simulators.xml130 import checkin_xml, envelope, table_xml


class GatewayRefused(Exception):
    """The gateway did not open a session for the hospital."""


@dataclass
class Hospital:
    """One facility's HIS speaking to the gateway at ``client.base_url``."""

    facility: Facility
    client: httpx.AsyncClient
    key: SigningKey | None = None
    regulation: str = "3176"
    faults: frozenset[str] = frozenset()
    answers: list[dict[str, Any]] = field(default_factory=list)
    _session: dict[str, str] = field(default_factory=dict)

    async def login(self) -> None:
        response = await self.client.post("/api/token/take", data={
            "username": self.facility.username, "password": md5_upper(self.facility.password)})
        body = response.json()
        if body.get("maKetQua") != "200":
            raise GatewayRefused(f"token refused for {self.facility.username}: {body.get('thongDiep', body)}")
        self._session = body["APIKey"]

    def _headers(self) -> dict[str, str]:
        return {"accessToken": self._session.get("access_token", ""),
                "tokenId": self._session.get("id_token", ""),
                "passwordHash": md5_upper(self.facility.password)}

    def _sign(self, document: bytes) -> bytes:
        if self.key is None or "unsigned" in self.faults:
            return document
        signed = sign_document(document, self.key)
        return hf.tamper(signed) if "tampered_after_signing" in self.faults else signed

    def checkin_document(self, visit: Visit) -> bytes:
        mutations = [m for name, m in hf.CHECKIN_MUTATIONS.items() if name in self.faults]
        return self._sign(hf.apply_document(checkin_xml([visit.checkin]), mutations))

    def dossier_document(self, visit: Visit) -> bytes:
        tables = {kind: table_xml(kind, records) for kind, records in visit.tables.items()}
        hosos = [tables, tables] if "two_hoso" in self.faults else [tables]
        document = envelope(self.facility.code, visit.summary["NGAY_RA"][:8], hosos)
        mutations = [m for name, m in hf.DOSSIER_MUTATIONS.items() if name in self.faults]
        return self._sign(hf.apply_document(document, mutations))

    async def _send(self, path: str, loai_ho_so: str, document: bytes) -> dict[str, Any]:
        if not self._session:
            await self.login()
        response = await self.client.post(path, headers=self._headers(), json={
            "username": self.facility.username, "loaiHoSo": loai_ho_so, "maTinh": self.facility.province,
            "maCSKCB": self.facility.code, "fileHSBase64": hf.encode(document)})
        answer: dict[str, Any] = response.json()
        self.answers.append(answer)
        return answer

    async def send_checkin(self, visit: Visit) -> dict[str, Any]:
        return await self._send(f"/api/qd130/checkInKcbQd{self.regulation}", "0", self.checkin_document(visit))

    async def send_dossier(self, visit: Visit) -> dict[str, Any]:
        loai = "0" if "wrong_loaihoso_param" in self.faults else "130"
        return await self._send(f"/api/qd130/guiHoSoXmlQD{self.regulation}", loai, self.dossier_document(visit))

    async def send_visit(self, visit: Visit) -> list[dict[str, Any]]:
        """Check-in (unless an emergency visit or the no_checkin fault), then the dossier."""
        visit = copy.deepcopy(visit)
        for name, mutate in hf.RECORD_MUTATIONS.items():
            if name in self.faults:
                mutate(visit)
        answers = []
        if not visit.emergency and "no_checkin" not in self.faults:
            answers.append(await self.send_checkin(visit))
        answers.append(await self.send_dossier(visit))
        return answers
