"""A small simulated network with a few verified visits, and credentials for every node, shared by
the fuzz and security tests."""

from __future__ import annotations

import asyncio
import hashlib
from dataclasses import dataclass

from lienthong.simulators.c06.notable import first_deceased
from lienthong.simulators.network import Network, NetworkConfig, build_network
from lienthong.simulators.population import Citizen

SEED, POPULATION, VISITS = 7, 40, 3


@dataclass
class Credentials:
    """Valid credentials for every kind of caller, and whose data they may see."""

    gateway_session: dict[str, str]
    """accessToken / tokenId / passwordHash headers of facility 0."""
    gateway_query: dict[str, str]
    """token / id_token / username / password query of facility 0 (card lookup)."""
    admin: str
    service: str
    citizen: str
    citizen_cccd: str
    facility: str
    facility_code: str
    ksk: str
    patient: str
    """A patient facility 0 treated (so its token may read them)."""
    patient_name: str = ""
    ma_lks: tuple[str, ...] = ()
    """MA_LK of every visit sent."""
    other_citizen: str = ""
    """A token of a citizen who is not the patient nor their guardian."""
    other_facility: str = ""
    """A token of a facility that never treated the patient."""


def md5(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest().upper()


async def _credentials(network: Network, patient: Citizen) -> Credentials:
    site = network.facilities[0]
    bhxh, c06, moh = network.client("bhxh"), network.client("c06"), network.client("moh")
    key = (
        await bhxh.post("/api/token/take", data={"username": site.username, "password": md5(site.password)})
    ).json()["APIKey"]
    signed_in = (
        await c06.post("/api/vneid/token", json={"cccd": patient.cccd, "password": patient.password})
    ).json()
    secret = site.moh_secret
    facility = (
        await moh.post(
            "/oauth/token",
            data={"grant_type": "client_credentials", "client_id": site.code, "client_secret": secret},
        )
    ).json()
    ksk = (await moh.post("/api/auth/login", json={"username": site.code, "password": secret})).json()
    return Credentials(
        {"accessToken": key["access_token"], "tokenId": key["id_token"], "passwordHash": md5(site.password)},
        {
            "token": key["access_token"],
            "id_token": key["id_token"],
            "username": site.username,
            "password": md5(site.password),
        },
        network.admin_token,
        network.gateway.config.service_token,
        signed_in["access_token"],
        patient.cccd,
        facility["access_token"],
        site.code,
        ksk["data"]["access_token"],
        patient.cccd,
    )


def treated_network() -> tuple[Network, Credentials]:
    """A network where hospital 0 sent ``VISITS`` visits that reached the book."""
    network = build_network(NetworkConfig(seed=SEED, population=POPULATION))

    async def go() -> Credentials:
        hospital = network.hospital(0)
        sent = [network.visit(number) for number in range(VISITS)]
        for visit in sent:
            await hospital.send_visit(visit)
        await network.drain()
        credentials = await _credentials(network, network.citizen(0))
        credentials.patient_name = network.citizen(0).name
        credentials.ma_lks = tuple(visit.ma_lk for visit in sent)
        return credentials

    return network, asyncio.run(go())


def inactive() -> Citizen:
    return first_deceased(SEED)
