"""The simulated hospital (HIS): turns visits into signed XML0 check-ins and GIAMDINHHS dossiers
and sends them to a BHXH gateway through its real API."""

from __future__ import annotations

import asyncio
import copy
from dataclasses import dataclass, field, replace
from typing import Any

import httpx

from lienthong.profiles.scenarios import scripted_step
from lienthong.simulators import hospital_faults as hf
from lienthong.simulators.facilities import Facility, md5_upper
from lienthong.simulators.faults import BREAKS, HospitalFault
from lienthong.simulators.pki import SigningKey, sign_document
from lienthong.simulators.visits import Visit
from lienthong.simulators.xml130 import checkin_xml, envelope, table_xml

REFUSED_FOR_RULES = frozenset({"400", "422", "125"})


def checkin_of(visit: Visit) -> bytes:
    """The unsigned XML0 check-in of ``visit``, with an empty CHUKYDONVI to sign into."""
    return checkin_xml([visit.checkin])


def dossier_of(visit: Visit, facility: str = "", copies: int = 1) -> bytes:
    """The unsigned GIAMDINHHS dossier of ``visit`` sent by ``facility`` (MACSKCB; the visit's
    own by default); ``copies`` > 1 puts as many HOSO in it (a fault)."""
    tables = {kind: table_xml(kind, records) for kind, records in visit.tables.items()}
    return envelope(facility or visit.facility.code, visit.summary["NGAY_RA"][:8], [tables] * copies)


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
    sent: int = 0
    """Submissions answered so far (a count: a fleet's hospitals run for days)."""
    _session: dict[str, str] = field(default_factory=dict)

    timeout: float = 10.0
    """Seconds the HIS waits for an answer before it counts the request as lost."""
    retries: int = 3
    """Resends after a 5xx, a non-JSON answer, a timeout or a broken connection (same MA_LK)."""
    backoff: float = 0.2
    """Seconds before the first resend; doubles each time."""
    fix_rejected: bool = False
    """Fix and resend a dossier the gateway refused for a rule (drops this HIS's mutation faults)."""
    retried: int = 0
    resend_as_new_episode: bool = False
    """A faulty HIS (not a catalogue fault: no conformance check sees it): a dossier whose answer
    was lost or refused is sent again, checked in and all, as a new episode under another MA_LK
    (a duplicate, TRAFFIC-02), never resent under its own."""

    async def _post(self, path: str, **kwargs: Any) -> dict[str, Any]:
        """POST with resends on transient failures; the last answer, or a synthetic one."""
        problem = ""
        retries = 0 if self.resend_as_new_episode else self.retries
        for attempt in range(retries + 1):
            if attempt:
                self.retried += 1
                await asyncio.sleep(self.backoff * 2 ** (attempt - 1))
            try:
                response = await asyncio.wait_for(self.client.post(path, **kwargs), self.timeout)
            except (TimeoutError, httpx.TransportError) as exc:
                problem = f"no answer: {type(exc).__name__}"
                continue
            if response.status_code >= 500:
                problem = f"HTTP {response.status_code}"
                continue
            try:
                body = response.json()
            except ValueError:
                problem = f"HTTP {response.status_code}, not JSON"
                continue
            if isinstance(body, dict):
                return body
            problem = "the answer is not a JSON object"
        return {
            "maKetQua": "",
            "maGiaoDich": "",
            "thoiGianTiepNhan": "",
            "thongDiep": f"gave up after {retries + 1} attempts: {problem}",
        }

    async def login(self) -> None:
        body = await self._post(
            "/api/token/take",
            data={"username": self.facility.username, "password": md5_upper(self.facility.password)},
        )
        if body.get("maKetQua") != "200":
            raise GatewayRefused(f"token refused for {self.facility.username}: {body.get('thongDiep', body)}")
        self._session = body["APIKey"]

    def _headers(self) -> dict[str, str]:
        return {
            "accessToken": self._session.get("access_token", ""),
            "tokenId": self._session.get("id_token", ""),
            "passwordHash": md5_upper(self.facility.password),
        }

    def _sign(self, document: bytes) -> bytes:
        if self.key is None or HospitalFault.UNSIGNED in self.faults:
            return document
        signed = sign_document(document, self.key)
        return hf.tamper(signed) if HospitalFault.TAMPERED_AFTER_SIGNING in self.faults else signed

    def checkin_document(self, visit: Visit) -> bytes:
        mutations = [m for name, m in hf.CHECKIN_MUTATIONS.items() if name in self.faults]
        return self._sign(hf.apply_document(checkin_of(visit), mutations))

    def dossier_document(self, visit: Visit) -> bytes:
        document = dossier_of(visit, self.facility.code)  # two_hoso: a document mutation
        mutations = [m for name, m in hf.DOSSIER_MUTATIONS.items() if name in self.faults]
        return self._sign(hf.apply_document(document, mutations))

    async def _send(self, path: str, loai_ho_so: str, document: bytes) -> dict[str, Any]:
        fields = {
            "username": self.facility.username,
            "loaiHoSo": loai_ho_so,
            "maTinh": self.facility.province,
            "maCSKCB": self.facility.code,
            "fileHSBase64": hf.encode(document),
        }
        answer: dict[str, Any] = {}
        for _ in range(2):  # a second time after renewing an expired session
            if not self._session:
                try:
                    await self.login()
                except GatewayRefused as exc:
                    answer = {"maKetQua": "", "thongDiep": str(exc)}
                    break
            answer = await self._post(path, headers=self._headers(), json=fields)
            if answer.get("maKetQua") != "401":
                break
            self._session = {}
        self.sent += 1
        return answer

    async def send_checkin(self, visit: Visit) -> dict[str, Any]:
        return await self._send(
            f"/api/qd130/checkInKcbQd{self.regulation}", "0", self.checkin_document(visit)
        )

    async def send_dossier(self, visit: Visit) -> dict[str, Any]:
        loai = "0" if HospitalFault.WRONG_LOAIHOSO_PARAM in self.faults else "130"
        return await self._send(
            f"/api/qd130/guiHoSoXmlQD{self.regulation}", loai, self.dossier_document(visit)
        )

    async def send_broken_sample(self, req_id: str) -> dict[str, Any]:
        """Send a sample dossier that breaks exactly ``req_id`` (the ``breaks_*`` faults)."""
        tables = hf.broken_sample(req_id, self.facility.code, self.sent)
        document = envelope(
            self.facility.code,
            tables["XML1"][0].get("NGAY_RA", "")[:8] or "20250101",
            {kind: table_xml(kind, records) for kind, records in tables.items()},
        )
        return await self._send(f"/api/qd130/guiHoSoXmlQD{self.regulation}", "130", self._sign(document))

    async def send_visit(self, visit: Visit) -> list[dict[str, Any]]:
        """Check-in (unless an emergency visit or the no_checkin fault), then the dossier."""
        broken = [req_id for name, req_id in BREAKS.items() if name in self.faults]
        if broken:
            return [await self.send_broken_sample(req_id) for req_id in broken]
        return [*await self.send_arrival(visit), *await self.send_discharge(visit)]

    def _as_sent(self, visit: Visit) -> Visit:
        """A copy of ``visit`` with this HIS's record faults applied."""
        visit = copy.deepcopy(visit)
        for name, mutate in hf.RECORD_MUTATIONS.items():
            if name in self.faults:
                mutate(visit)
        return visit

    async def send_arrival(self, visit: Visit) -> list[dict[str, Any]]:
        """The check-in, right after the first cost (none for an emergency or under no_checkin)."""
        if visit.emergency or HospitalFault.NO_CHECKIN in self.faults:
            return []
        return [await self.send_checkin(self._as_sent(visit))]

    async def send_discharge(self, visit: Visit) -> list[dict[str, Any]]:
        """The dossier when the visit ends; with ``fix_rejected``, a corrected resend (same MA_LK);
        under ``resend_as_new_episode``, a lost or refused dossier sent again as a new episode."""
        answers = [await self.send_dossier(self._as_sent(visit))]
        refused = answers[-1].get("maKetQua") in REFUSED_FOR_RULES
        if self.resend_as_new_episode and (refused or not answers[-1].get("maKetQua")):
            again = visit.under(visit.ma_lk[:-1] + ("B" if visit.ma_lk[-1:] != "B" else "C"))
            answers += await self.send_arrival(again)
            answers.append(await self.send_dossier(self._as_sent(again)))
            return answers
        # a dossier refused on purpose by a certification scenario (its thongDiep names the
        # step) has nothing to correct: it is resent as it was, under the same MA_LK
        on_purpose = bool(scripted_step(str(answers[-1].get("thongDiep", ""))))
        if self.fix_rejected and refused and (self.faults or on_purpose):
            fixed = replace(self, faults=frozenset(), sent=0, fix_rejected=False, retried=0)
            answers.append(await fixed.send_dossier(visit))  # same MA_LK, corrected
            self.sent += 1
            self.retried += fixed.retried
            self._session = fixed._session
        return answers
