"""A MoH store with C06 beside it, fed with visits of the synthetic population (issue 4's care
model: referrals XML13, appointments XML14, labs XML4) and its immunisation history."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta

import httpx

from lienthong.simulators.c06 import C06Config, create_c06
from lienthong.simulators.clock import SimClock
from lienthong.simulators.moh import MoHConfig, MoHStore, create_moh
from lienthong.simulators.population import Citizen, citizen, citizens
from lienthong.simulators.population.care import Visit, visits
from lienthong.simulators.population.dossier import tables

SEED = 7
SECRET = "citizen-token-key-" + "x" * 20


@dataclass
class Book:
    store: MoHStore
    clock: SimClock
    c06: httpx.AsyncClient
    moh: httpx.AsyncClient

    async def citizen_token(self, person: Citizen) -> str:
        answer = await self.c06.post(
            "/api/vneid/token", json={"cccd": person.cccd, "password": person.password}
        )
        assert answer.status_code == 200, answer.text
        return str(answer.json()["access_token"])

    async def facility_token(self, code: str, scope: str = "") -> str:
        form = {"grant_type": "client_credentials", "client_id": code, "client_secret": f"secret-{code}"}
        answer = await self.moh.post("/oauth/token", data=form | ({"scope": scope} if scope else {}))
        assert answer.status_code == 200, answer.text
        return str(answer.json()["access_token"])


def first_visit(*kinds: str) -> tuple[Citizen, Visit]:
    """The first visit of the population that sends every table of ``kinds``."""
    for person in citizens(SEED, 0, 2000):
        for visit in visits(person):
            if set(kinds) <= set(tables(visit)):
                return person, visit
    raise LookupError(kinds)


def deliver(store: MoHStore, visit: Visit, **extra: list[dict[str, str]]) -> None:
    """Store ``visit`` as the gateway would; its facility and referral target become clients."""
    for code in {visit.facility.code, visit.referral.to if visit.referral else visit.facility.code}:
        store.register_facility(code, f"secret-{code}")
    sent = tables(visit) | extra
    store.store_visit(
        {
            "facility": visit.facility.code,
            "ma_lk": visit.ma_lk,
            "transaction_id": "GD1",
            "received_at": store.config.clock.now().isoformat(),
            "summary": sent["XML1"][0],
            "tables": sent,
        }
    )


@asynccontextmanager
async def book(
    *, delay: timedelta = timedelta(0), faults: frozenset[str] = frozenset(), people: int = 120
) -> AsyncIterator[Book]:
    clock = SimClock()
    c06_app = create_c06(C06Config(clock=clock, citizen_token_secret=SECRET))
    moh_app = create_moh(
        MoHConfig(clock=clock, citizen_token_secret=SECRET, visibility_delay=delay, faults=faults)
    )
    population = list(citizens(SEED, 0, people))
    c06_app.state.node.load_citizens(population)
    store: MoHStore = moh_app.state.node
    store.load_population(population)
    for code in ("01001", "79002"):
        store.register_facility(code, f"secret-{code}")
    async with (
        httpx.AsyncClient(transport=httpx.ASGITransport(app=c06_app), base_url="http://c06") as c06,
        httpx.AsyncClient(transport=httpx.ASGITransport(app=moh_app), base_url="http://moh") as moh,
    ):
        yield Book(store, clock, c06, moh)


def guardian_and_child(people: int = 120) -> tuple[Citizen, Citizen]:
    """A child under 6 with vaccinations, and the parent who manages their book."""
    from lienthong.simulators.population.immunisation import immunisations

    for person in citizens(SEED, 0, people):
        if person.guardian is not None and person.death is None and immunisations(person):
            return citizen(SEED, person.guardian), person
    raise LookupError("no young child with a guardian")
