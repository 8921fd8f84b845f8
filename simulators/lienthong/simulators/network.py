"""The simulated network: gateway, C06 and MoH store wired together.

In-process, nodes talk over ``httpx.ASGITransport`` (no sockets); ``serve`` puts the same apps on
real loopback ports, in one process or one process per node. Each node keeps its own database: in
memory, SQLite files in ``data_dir``, or one PostgreSQL database (node tables are prefixed
``gw_``, ``c06_``, ``moh_``).
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from starlette.applications import Starlette

from lienthong.simulators.c06 import C06, C06Config, create_c06
from lienthong.simulators.c06.notable import notable
from lienthong.simulators.clock import SimClock
from lienthong.simulators.facilities import Facility, facility_keys, network_facilities
from lienthong.simulators.faults import ACTORS, fault_set
from lienthong.simulators.gateway import Gateway, GatewayConfig, Links, create_gateway
from lienthong.simulators.hospital import Hospital
from lienthong.simulators.moh import MoHConfig, MoHStore, create_moh
from lienthong.simulators.pki import SigningKey
from lienthong.simulators.population import Citizen, citizens
from lienthong.simulators.visits import Visit, visit_for
from lienthong.simulators.vneid import VNeIDClient

NODES = ("bhxh", "c06", "moh")


@dataclass(frozen=True, slots=True)
class NodeSecrets:
    """Tokens the nodes share: the gateway's service token, the citizen-token key, the admin token."""

    service: str = field(default_factory=lambda: secrets.token_urlsafe(16))
    citizen: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    admin: str = field(default_factory=lambda: secrets.token_urlsafe(16))


@dataclass
class NetworkConfig:
    seed: int = 42
    population: int = 50
    facilities: int = 3
    fleet: int = 0
    """National facilities (``facilities.fleet_facilities``) also given accounts and certificates, for a
    ``fleet.Fleet`` of that many hospitals; they follow the ``facilities`` simulated ones."""
    data_dir: Path | None = None
    """SQLite files go here; None keeps every database in memory."""
    database_url: str | None = None
    """A PostgreSQL URL shared by all nodes (overrides ``data_dir``)."""
    faults: Mapping[str, frozenset[str]] = field(default_factory=dict)
    start: datetime | None = None
    visibility_delay: timedelta = timedelta(0)
    pump: bool = False
    """Drain the gateway's outbox in the background (when served)."""
    header_faults: bool = False
    """Honour ``X-Lienthong-Fault`` request headers on the gateway (never in production-like runs)."""
    gateway_variants: frozenset[str] = frozenset()
    """Conformant variants of the gateway (``faults.GatewayVariant``; in-process networks only)."""
    speed: float = 1.0
    """How many times faster than the wall clock simulated time runs."""
    keys_dir: Path | None = None
    """Facility keys are kept here (PEM) and reused on restart; None issues fresh keys in memory."""
    secrets: NodeSecrets | None = None
    """Shared tokens; None makes new ones (node processes are given the parent's)."""


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

    def client(self, node: str, **kwargs: Any) -> httpx.AsyncClient:
        """An HTTP client for ``node``: over its real URL when served, else in-process."""
        if node in self.base_urls:
            made = httpx.AsyncClient(base_url=self.base_urls[node], timeout=30, **kwargs)
        else:
            made = httpx.AsyncClient(
                transport=httpx.ASGITransport(app=self.apps[node]),
                base_url=f"http://{node}.lienthong.test",
                timeout=30,
                **kwargs,
            )
        self._clients.append(made)
        return made

    def link(self) -> None:
        """(Re)connect the gateway to C06 and the MoH store."""
        self.gateway.links = Links(c06=self.client("c06"), moh=self.client("moh"))

    def hospital(
        self, index: int = 0, *, faults: frozenset[str] = frozenset(), regulation: str = "3176"
    ) -> Hospital:
        facility = self.facilities[index]
        return Hospital(
            facility, self.client("bhxh"), self.keys[facility.code], regulation, fault_set("hospital", faults)
        )

    def vneid(self) -> VNeIDClient:
        return VNeIDClient(self.client("c06"), self.client("moh"))

    def citizen(self, index: int) -> Citizen:
        return next(citizens(self.config.seed, index, 1))

    def visit(self, citizen_index: int, *, number: int = 1, facility_index: int = 0) -> Visit:
        arrived = self.clock.now() - timedelta(hours=3)
        return visit_for(
            self.citizen(citizen_index),
            self.facilities[facility_index],
            seed=self.config.seed,
            number=number,
            arrived=arrived,
        )

    async def drain(self) -> int:
        return await self.gateway.drain()

    async def aclose(self) -> None:
        for made in self._clients:
            await made.aclose()
        self._clients.clear()


def database_for(config: NetworkConfig, node: str) -> str:
    """The database URL of ``node`` (``gateway``, ``c06`` or ``moh``) under ``config``."""
    if config.database_url:
        return config.database_url
    if config.data_dir is None:
        return "sqlite://"
    config.data_dir.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{config.data_dir / f'{node}.sqlite'}"


_url = database_for  # the earlier private name


def chosen_faults(config: NetworkConfig) -> dict[str, frozenset[str]]:
    """Validated faults per actor (unknown actors and fault names get a clear error)."""
    for actor in config.faults:
        if actor not in ACTORS:
            raise ValueError(f"unknown actor {actor!r} in faults; known: {', '.join(ACTORS)}")
    return {actor: fault_set(actor, config.faults.get(actor, ())) for actor in ACTORS}


def node_app(node: str, config: NetworkConfig, clock: SimClock, shared: NodeSecrets) -> Starlette:
    """One node's app (without accounts, certificates or population: see ``provision``)."""
    chosen = chosen_faults(config)
    if node == "bhxh":
        return create_gateway(
            GatewayConfig(
                database_url=database_for(config, "gateway"),
                faults=chosen["bhxh"],
                clock=clock,
                service_token=shared.service,
                admin_token=shared.admin,
                header_faults=config.header_faults,
                seed=config.seed,
                population=0 if "unknown_population" in config.gateway_variants else config.population,
                variants=frozenset(config.gateway_variants),
            ),
            pump=config.pump,
        )
    if node == "c06":
        return create_c06(
            C06Config(database_for(config, "c06"), chosen["c06"], clock, shared.service, shared.citizen)
        )
    if node == "moh":
        return create_moh(
            MoHConfig(
                database_for(config, "moh"),
                chosen["moh"],
                clock,
                shared.service,
                shared.citizen,
                config.visibility_delay,
            )
        )
    raise ValueError(f"unknown node {node!r}; known: {', '.join(NODES)}")


def provision(
    node: str, app: Starlette, config: NetworkConfig, sites: list[Facility], keys: Mapping[str, SigningKey]
) -> None:
    """Give a node its standing data: facility accounts and certificates, or the population."""
    if node == "bhxh":
        gateway: Gateway = app.state.node
        for site in sites:
            gateway.register_account(site.username, site.password, site.code)
            gateway.register_certificate(site.code, keys[site.code].cert_pem)
            gateway.register_staff(site.code, site.staff[1], site.staff[0])
    elif node == "c06":
        app.state.node.load_citizens(citizens(config.seed, 0, config.population))
        app.state.node.load_citizens(notable(config.seed))  # a deceased citizen and a re-issued number
    elif node == "moh":
        app.state.node.load_population(citizens(config.seed, 0, config.population))
        for site in sites:  # client credentials: the facility code and its MoH client secret
            app.state.node.register_facility(site.code, site.moh_secret, cert_pem=keys[site.code].cert_pem)


def sites_of(config: NetworkConfig) -> list[Facility]:
    """Every facility of the network: the simulated ones, then the fleet's."""
    return network_facilities(config.seed, config.facilities, config.fleet, config.population)


def build_network(config: NetworkConfig | None = None) -> Network:
    """Create the nodes, their accounts, certificates and population."""
    config = config or NetworkConfig()
    chosen_faults(config)
    clock = SimClock(config.start, speed=config.speed)
    shared = config.secrets or NodeSecrets()
    apps = {node: node_app(node, config, clock, shared) for node in NODES}
    sites = sites_of(config)
    keys = facility_keys(sites, config.keys_dir)
    network = Network(config, clock, apps, sites, keys, shared.admin)
    for node in NODES:
        provision(node, apps[node], config, sites, keys)
    network.link()
    return network
