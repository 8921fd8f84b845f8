"""The VNeID client over HTTP: C06 for sign-in, the MoH store's FHIR API for the book."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from lienthong.simulators.vneid.pdf import visit_pdf


class VNeIDError(Exception):
    """Sign-in or book reading failed; the message says what the node answered."""


@dataclass(frozen=True, slots=True)
class BookVisit:
    """A visit as the citizen sees it."""

    ma_lk: str
    facility: str
    start: str
    end: str
    diagnosis_code: str
    diagnosis: str


@dataclass(frozen=True, slots=True)
class Vaccination:
    vaccine: str
    name: str
    dose: int
    day: str
    facility: str


def _resources(bundle: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        f"{e['resource']['resourceType']}/{e['resource']['id']}": e["resource"]
        for e in bundle.get("entry", [])
    }


class VNeIDClient:
    def __init__(self, c06: httpx.AsyncClient, moh: httpx.AsyncClient) -> None:
        self.c06, self.moh = c06, moh
        self.cccd = ""
        self.level = 0
        self.wards: list[str] = []
        self._token = ""

    async def sign_in(self, cccd: str, password: str) -> None:
        response = await self.c06.post("/api/vneid/token", json={"cccd": cccd, "password": password})
        if response.status_code != 200:
            raise VNeIDError(f"sign-in refused for {cccd}: HTTP {response.status_code} {response.text[:200]}")
        answer = response.json()
        self.cccd, self._token = cccd, answer["access_token"]
        self.level, self.wards = int(answer.get("level", 2)), list(answer.get("wards", []))

    def _headers(self) -> dict[str, str]:
        return {"authorization": f"Bearer {self._token}"}

    async def book(self, cccd: str | None = None) -> dict[str, Any]:
        """The raw FHIR Bundle of a book (the citizen's own by default, or a ward's)."""
        response = await self.moh.get(
            f"/fhir/Patient/{cccd or self.cccd}/$everything", headers=self._headers()
        )
        if response.status_code == 404:
            return {"resourceType": "Bundle", "type": "searchset", "total": 0, "entry": []}
        if response.status_code != 200:
            raise VNeIDError(f"book refused: HTTP {response.status_code} {response.text[:200]}")
        bundle: dict[str, Any] = response.json()
        return bundle

    async def search(self, kind: str, cccd: str | None = None) -> list[dict[str, Any]]:
        """Resources of one type (Encounter, ServiceRequest, Appointment, Observation, Immunization ...)."""
        response = await self.moh.get(
            f"/fhir/{kind}", params={"patient": cccd or self.cccd}, headers=self._headers()
        )
        if response.status_code != 200:
            raise VNeIDError(f"{kind} search refused: HTTP {response.status_code} {response.text[:200]}")
        return [e["resource"] for e in response.json().get("entry", [])]

    async def vaccinations(self, cccd: str | None = None) -> list[Vaccination]:
        """A child's (or the citizen's own) vaccinations, oldest first."""
        out = []
        for shot in await self.search("Immunization", cccd):
            codes = {c.get("system", ""): c.get("code", "") for c in shot["vaccineCode"].get("coding", [])}
            out.append(
                Vaccination(
                    next((v for k, v in codes.items() if "tiem-chung" in k), ""),
                    shot["vaccineCode"].get("text", ""),
                    int((shot.get("protocolApplied") or [{}])[0].get("doseNumberPositiveInt", 0)),
                    shot.get("occurrenceDateTime", ""),
                    (shot.get("performer") or [{}])[0]
                    .get("actor", {})
                    .get("identifier", {})
                    .get("value", ""),
                )
            )
        return sorted(out, key=lambda v: (v.day, v.vaccine))

    async def visits(self, cccd: str | None = None) -> list[BookVisit]:
        resources = _resources(await self.book(cccd))
        out = []
        for resource in resources.values():
            if resource["resourceType"] != "Encounter":
                continue
            condition = resources.get(resource["diagnosis"][0]["condition"]["reference"], {})
            coding = condition.get("code", {})
            out.append(
                BookVisit(
                    ma_lk=resource["identifier"][0]["value"],
                    facility=resource["serviceProvider"]["identifier"]["value"],
                    start=resource["period"]["start"],
                    end=resource["period"]["end"],
                    diagnosis_code=(coding.get("coding") or [{}])[0].get("code", ""),
                    diagnosis=coding.get("text", ""),
                )
            )
        return out

    async def visit_pdf(self, ma_lk: str, cccd: str | None = None) -> bytes:
        """One visit of the book as a PDF (QĐ 31/QĐ-BYT Đ3: a patient can download each visit)."""
        bundle = await self.book(cccd)
        resources = _resources(bundle)
        patient = next((r for r in resources.values() if r["resourceType"] == "Patient"), {})
        for visit in await self.visits(cccd):
            if visit.ma_lk == ma_lk:
                encounter = next(
                    k
                    for k, r in resources.items()
                    if r["resourceType"] == "Encounter" and r["identifier"][0]["value"] == ma_lk
                )
                labs = [
                    r
                    for r in resources.values()
                    if r["resourceType"] == "Observation"
                    and r.get("encounter", {}).get("reference") == encounter
                ]
                return visit_pdf(visit, patient, labs)
        raise VNeIDError(f"MA_LK {ma_lk} is not in the book of {cccd or self.cccd}")
