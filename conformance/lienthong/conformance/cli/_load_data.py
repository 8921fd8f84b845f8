"""Pre-generated data of a load run, per Locust worker, from the synthetic population.

Each worker gets its own signed episodes (XML0 check-in + GIAMDINHHS dossier), so a task never
generates and no episode is sent twice: episode ``k`` of the run (over all workers) is citizen
``(k // F) % P`` at facility ``k % F``, visit number ``1 + k // (F·P)``, which gives it a MA_LK of
its own. Facilities also get patients they have treated (sent through the chain before the run),
whose books they read and whose cards they look up.
"""

from __future__ import annotations

import base64
import os
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from lienthong.simulators.facilities import Facility, facilities, facility_keys, md5_upper
from lienthong.simulators.pki import SigningKey, sign_document
from lienthong.simulators.population import Citizen, citizen
from lienthong.simulators.population import citizens as citizens_of
from lienthong.simulators.visits import visit_for
from lienthong.simulators.xml130 import checkin_xml, envelope, table_xml

MAX_NUMBER = 99
"""Visit numbers are two digits of the MA_LK."""
TREATED_PER_FACILITY = 3


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


@dataclass(frozen=True, slots=True)
class Population:
    seed: int
    citizens: int
    sites: tuple[Facility, ...]
    keys_dir: Path
    arrived: datetime
    living: tuple[int, ...]
    """Indexes of the citizens alive today: a visit of a deceased citizen is (rightly) kept from the
    book, so it would be a lost propagation sample, and they cannot sign in."""

    def capacity(self) -> int:
        return len(self.sites) * len(self.living) * MAX_NUMBER

    def episode(self, k: int, keys: dict[str, SigningKey]) -> dict[str, Any]:
        f = len(self.sites)
        site = self.sites[k % f]
        alive = len(self.living)
        person = citizen(self.seed, self.living[(k // f) % alive])
        visit = visit_for(person, site, seed=self.seed, number=1 + k // (f * alive), arrived=self.arrived)
        key = keys[site.code]
        tables = {kind: table_xml(kind, records) for kind, records in visit.tables.items()}
        return {
            "facility": site.code,
            "ma_lk": visit.ma_lk,
            "cccd": person.cccd,
            "password": person.password,
            "card": {"maThe": person.bhyt, "hoTen": person.name, "ngaySinh": person.dob.strftime("%d/%m/%Y")},
            "checkin": _b64(sign_document(checkin_xml([visit.checkin]), key)),
            "dossier": _b64(sign_document(envelope(site.code, visit.summary["NGAY_RA"][:8], tables), key)),
        }


def _chunk(args: tuple[Population, list[int]]) -> list[dict[str, Any]]:
    population, indexes = args
    keys = facility_keys(list(population.sites), population.keys_dir)
    return [population.episode(k, keys) for k in indexes]


def population_of(seed: int, citizens: int, keys_dir: Path) -> Population:
    arrived = (datetime.now(UTC) - timedelta(hours=2)).replace(second=0, microsecond=0)
    living = tuple(p.index for p in citizens_of(seed, 0, citizens) if p.death is None)
    return Population(seed, citizens, tuple(facilities(seed)), keys_dir, arrived, living)


def episodes(
    population: Population, indexes: list[int], processes: int | None = None
) -> list[dict[str, Any]]:
    """Signed episodes ``indexes`` of the run, made on every core when there are many."""
    if not indexes:
        return []
    if len(indexes) < 64:
        return _chunk((population, indexes))
    cores = processes or os.cpu_count() or 1
    size = max(16, len(indexes) // (cores * 4))
    parts = [indexes[i : i + size] for i in range(0, len(indexes), size)]
    with ProcessPoolExecutor(max_workers=cores) as pool:
        return [item for part in pool.map(_chunk, [(population, p) for p in parts]) for item in part]


def treat(
    population: Population, urls: dict[str, str], timeout: float = 30
) -> dict[str, list[dict[str, Any]]]:
    """Send the first episodes through the chain and wait until each facility can read them: the
    patients the facilities treat during the run (episode numbers below the run's)."""
    made = _chunk((population, list(range(len(population.sites) * TREATED_PER_FACILITY))))
    patients: dict[str, list[dict[str, Any]]] = {site.code: [] for site in population.sites}
    with httpx.Client(timeout=30) as client:
        sessions = {}
        for site in population.sites:
            body = client.post(
                f"{urls['bhxh']}/api/token/take",
                data={"username": site.username, "password": md5_upper(site.password)},
            ).json()
            key = body.get("APIKey") or {}
            sessions[site.code] = {
                "accessToken": key.get("access_token", ""),
                "tokenId": key.get("id_token", ""),
                "passwordHash": md5_upper(site.password),
            }
        by_code = {site.code: site for site in population.sites}

        def send(item: dict[str, Any]) -> None:
            site = by_code[item["facility"]]
            for path, loai, payload in (
                ("checkInKcbQd3176", "0", item["checkin"]),
                ("guiHoSoXmlQD3176", "130", item["dossier"]),
            ):
                client.post(
                    f"{urls['bhxh']}/api/qd130/{path}",
                    headers=sessions[site.code],
                    json={
                        "username": site.username,
                        "loaiHoSo": loai,
                        "maTinh": site.province,
                        "maCSKCB": site.code,
                        "fileHSBase64": payload,
                    },
                )

        with ThreadPoolExecutor(max_workers=len(made)) as senders:  # a slow gateway answers them together
            list(senders.map(send, made))
        tokens = {}
        for site in population.sites:
            answer = client.post(
                f"{urls['moh']}/oauth/token",
                data={
                    "grant_type": "client_credentials",
                    "client_id": site.code,
                    "client_secret": site.moh_secret,
                },
            )
            tokens[site.code] = answer.json().get("access_token", "")
        deadline = time.monotonic() + timeout
        pending = list(made)
        while pending and time.monotonic() < deadline:
            still = []
            for item in pending:
                answer = client.get(
                    f"{urls['moh']}/fhir/Patient/{item['cccd']}/$everything",
                    headers={"authorization": f"Bearer {tokens[item['facility']]}"},
                )
                if answer.status_code == 200 and item["ma_lk"] in answer.text:
                    patients[item["facility"]].append({"cccd": item["cccd"], "card": item["card"]})
                else:
                    still.append(item)
            pending = still
            if pending:
                time.sleep(0.2)
    return patients


def _with_guardians(seed: int, people: list[Citizen]) -> list[Citizen]:
    """``people`` with, after each living child, the guardian C06 registers for it (who may lie outside
    the range): they sign in as guardians and read their ward's vaccinations."""
    out: dict[str, Citizen] = {}
    for person in people:
        if person.death is not None:
            continue
        out.setdefault(person.cccd, person)
        if person.guardian is not None:
            keeper = citizen(seed, person.guardian)
            if keeper.death is None:
                out.setdefault(keeper.cccd, keeper)
    return list(out.values())


def worker_data(
    population: Population,
    worker: int,
    workers: int,
    count: int,
    patients: dict[str, list[dict[str, Any]]],
    citizens: int = 500,
) -> dict[str, Any]:
    """Everything worker ``worker`` of ``workers`` needs: its own ``count`` episodes."""
    first = len(population.sites) * TREATED_PER_FACILITY
    indexes = [first + worker + workers * j for j in range(count)]
    if indexes and indexes[-1] >= population.capacity():
        raise ValueError(
            f"{count} episodes per worker exceed the population's {population.capacity():,} distinct "
            "MA_LK; give the network a larger --population"
        )
    step = max(1, workers)
    people = _with_guardians(
        population.seed, list(citizens_of(population.seed, 0, min(population.citizens, citizens * step)))
    )[worker::step]
    return {
        "accounts": [
            {
                "code": s.code,
                "username": s.username,
                "password": s.password,
                "moh_secret": s.moh_secret,
                "staff": list(s.staff),
            }
            for s in population.sites
        ],
        "episodes": episodes(population, indexes),
        "citizens": [{"cccd": p.cccd, "password": p.password} for p in people],
        "patients": patients,
    }
