"""The simulated network: gateway, C06 and MoH store wired together, in one process.

In-process, nodes talk over ``httpx.ASGITransport`` (no sockets); ``serve`` puts the same apps on
real loopback ports. Each node keeps its own database: in memory, SQLite files in ``data_dir``,
or one PostgreSQL database (node tables are prefixed ``gw_``, ``c06_``, ``moh_``).
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import httpx
from starlette.applications import Starlette

from lienthong.simulators.c06 import C06, C06Config, create_c06
from lienthong.simulators.clock import SimClock
from lienthong.simulators.facilities import Facility, facilities
from lienthong.simulators.faults import ACTORS, fault_set
from lienthong.simulators.gateway import Gateway, GatewayConfig, Links, create_gateway
from lienthong.simulators.hospital import Hospital
from lienthong.simulators.moh import MoHConfig, MoHStore, create_moh
from lienthong.simulators.pki import SigningKey, shared_authority
from lienthong.simulators.population import Citizen, citizens
from lienthong.simulators.vneid import VNeIDClient
from lienthong.simulators.visits import Visit, visit_for

NODES = ("bhxh", "c06", "moh")


@dataclass
class NetworkConfig:
    seed: int = 42
    population: int = 50
    facilities: int = 3
    data_dir: Path | None = None
    """SQLite files go here; None keeps every database in memory."""
    database_url: str | None = None
    """A PostgreSQL URL shared by all nodes (overrides ``data_dir``)."""
    faults: Mapping[str, frozenset[str]] = field(default_factory=dict)
    start: datetime | None = None
    visibility_delay: timedelta = timedelta(0)
    pump: bool = False
    """Drain the gateway's outbox in the background (when served)."""


@dataclass
class Network:
    config: NetworkConfig
    clock: SimClock
    apps: dict[str, Starlette]
    facilities: list[Facility]
    keys: dict[str, SigningKey]
    admin_token: str
    _clients: list[httpx.AsyncClient] = field(default_factory=list)
    base_urls: dict[str, str] = field(default_factory=dict)

    @property
    def gateway(self) -> Gateway:
        node: Gateway = self.apps["bhxh"].state.node
        return node

    @property
    def c06(self) -> C06:
        node: C06 = self.apps["c06"].state.node
        return node

    @property
    def moh(self) -> MoHStore:
        node: MoHStore = self.apps["moh"].state.node
        return node

    def client(self, node: str, **kwargs: object) -> httpx.AsyncClient:
        """An HTTP client for ``node``: over its real URL when served, else in-process."""
        if node in self.base_urls:
            made = httpx.AsyncClient(base_url=self.base_urls[node], timeout=30, **kwargs)  # type: ignore[arg-type]
        else:
            made = httpx.AsyncClient(transport=httpx.ASGITransport(app=self.apps[node]),
                                     base_url=f"http://{node}.lienthong.test", timeout=30, **kwargs)  # type: ignore[arg-type]
        self._clients.append(made)
        return made

    def link(self) -> None:
        """(Re)connect the gateway to C06 and the MoH store."""
        self.gateway.links = Links(c06=self.client("c06"), moh=self.client("moh"))

    def hospital(self, index: int = 0, *, faults: frozenset[str] = frozenset(),
                 regulation: str = "3176") -> Hospital:
        facility = self.facilities[index]
        return Hospital(facility, self.client("bhxh"), self.keys[facility.code], regulation,
                        fault_set("hospital", faults))

    def vneid(self) -> VNeIDClient:
        return VNeIDClient(self.client("c06"), self.client("moh"))

    def citizen(self, index: int) -> Citizen:
        return next(citizens(self.config.seed, index, 1))

    def visit(self, citizen_index: int, *, number: int = 1, facility_index: int = 0) -> Visit:
        arrived = self.clock.now() - timedelta(hours=3)
        return visit_for(self.citizen(citizen_index), self.facilities[facility_index],
                         seed=self.config.seed, number=number, arrived=arrived)

    async def drain(self) -> int:
        return await self.gateway.drain()

    async def aclose(self) -> None:
        for made in self._clients:
            await made.aclose()
        self._clients.clear()


def _url(config: NetworkConfig, node: str) -> str:
    if config.database_url:
        return config.database_url
    if config.data_dir is None:
        return "sqlite://"
    config.data_dir.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{config.data_dir / f'{node}.sqlite'}"


def build_network(config: NetworkConfig | None = None) -> Network:
    """Create the nodes, their accounts, certificates and population."""
    config = config or NetworkConfig()
    for actor in config.faults:
        if actor not in ACTORS:
            raise ValueError(f"unknown actor {actor!r} in faults; known: {', '.join(ACTORS)}")
    chosen = {actor: fault_set(actor, config.faults.get(actor, ())) for actor in ACTORS}
    clock = SimClock(config.start)
    service, citizen_secret = secrets.token_urlsafe(16), secrets.token_urlsafe(32)
    gateway_config = GatewayConfig(database_url=_url(config, "gateway"), faults=chosen["bhxh"],
                                   clock=clock, service_token=service)
    apps = {
        "bhxh": create_gateway(gateway_config, pump=config.pump),
        "c06": create_c06(C06Config(_url(config, "c06"), chosen["c06"], clock, service, citizen_secret)),
        "moh": create_moh(MoHConfig(_url(config, "moh"), chosen["moh"], clock, service, citizen_secret,
                                    config.visibility_delay)),
    }
    authority = shared_authority()
    sites = facilities(config.seed, config.facilities)
    keys = {site.code: authority.issue(f"{site.name} ({site.code})") for site in sites}
    network = Network(config, clock, apps, sites, keys, gateway_config.admin_token)
    for site in sites:
        network.gateway.register_account(site.username, site.password, site.code)
        network.gateway.register_certificate(site.code, keys[site.code].cert_pem)
    network.c06.load_citizens(citizens(config.seed, 0, config.population))
    network.link()
    return network
