"""The simulated VNeID client: a citizen signs in (through C06) and reads their health book."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx


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


class VNeIDClient:
    def __init__(self, c06: httpx.AsyncClient, moh: httpx.AsyncClient) -> None:
        self.c06, self.moh = c06, moh
        self.cccd = ""
        self._token = ""

    async def sign_in(self, cccd: str, password: str) -> None:
        response = await self.c06.post("/api/vneid/token", json={"cccd": cccd, "password": password})
        if response.status_code != 200:
            raise VNeIDError(f"sign-in refused for {cccd}: HTTP {response.status_code} {response.text[:200]}")
        self.cccd, self._token = cccd, response.json()["access_token"]

    async def book(self, cccd: str | None = None) -> dict[str, Any]:
        """The raw FHIR Bundle of a book (the citizen's own by default)."""
        response = await self.moh.get(f"/fhir/Patient/{cccd or self.cccd}/$everything",
                                      headers={"authorization": f"Bearer {self._token}"})
        if response.status_code == 404:
            return {"resourceType": "Bundle", "type": "searchset", "total": 0, "entry": []}
        if response.status_code != 200:
            raise VNeIDError(f"book refused: HTTP {response.status_code} {response.text[:200]}")
        bundle: dict[str, Any] = response.json()
        return bundle

    async def visits(self) -> list[BookVisit]:
        bundle = await self.book()
        resources = {f"{e['resource']['resourceType']}/{e['resource']['id']}": e["resource"]
                     for e in bundle.get("entry", [])}
        out = []
        for resource in resources.values():
            if resource["resourceType"] != "Encounter":
                continue
            condition = resources.get(resource["diagnosis"][0]["condition"]["reference"], {})
            coding = condition.get("code", {})
            out.append(BookVisit(
                ma_lk=resource["identifier"][0]["value"],
                facility=resource["serviceProvider"]["identifier"]["value"],
                start=resource["period"]["start"], end=resource["period"]["end"],
                diagnosis_code=(coding.get("coding") or [{}])[0].get("code", ""),
                diagnosis=coding.get("text", "")))
        return out
