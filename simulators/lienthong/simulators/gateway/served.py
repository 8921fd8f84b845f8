"""The gateway of a node spec (``lienthong.simulators.serve``) as an ASGI factory, for servers that
load an app by name, e.g. granian in ``lienthong bench gateway``::

    LIENTHONG_GATEWAY_SPEC=network.json granian --interface asgi --factory \\
        lienthong.simulators.gateway.served:served_app

``LIENTHONG_GATEWAY_SYNCHRONOUS`` (``NORMAL`` or ``FULL``) sets SQLite's durability.
"""

from __future__ import annotations

import os
from pathlib import Path

import httpx
from starlette.applications import Starlette

from lienthong.simulators.facilities import facilities, facility_keys
from lienthong.simulators.gateway.app import Gateway, create_gateway
from lienthong.simulators.gateway.config import GatewayConfig
from lienthong.simulators.gateway.forwarding import Links
from lienthong.simulators.network import chosen_faults, database_for, provision
from lienthong.simulators.serve import read_spec

SPEC_VARIABLE = "LIENTHONG_GATEWAY_SPEC"
SYNCHRONOUS_VARIABLE = "LIENTHONG_GATEWAY_SYNCHRONOUS"


def served_app() -> Starlette:
    """The ``bhxh`` node of the spec named by ``LIENTHONG_GATEWAY_SPEC``, provisioned."""
    spec = read_spec(Path(os.environ[SPEC_VARIABLE]))
    config = spec.network_config()
    assert config.secrets is not None
    app = create_gateway(
        GatewayConfig(
            database_url=database_for(config, "gateway"),
            faults=chosen_faults(config)["bhxh"],
            clock=spec.clock(),
            service_token=config.secrets.service,
            admin_token=config.secrets.admin,
            header_faults=config.header_faults,
            seed=config.seed,
            population=config.population,
            synchronous=os.environ.get(SYNCHRONOUS_VARIABLE, "NORMAL"),
        ),
        pump=config.pump,
    )
    sites = facilities(config.seed, config.facilities)
    provision("bhxh", app, config, sites, facility_keys(sites, config.keys_dir))
    if spec.forward:
        gateway: Gateway = app.state.node
        gateway.links = Links(
            c06=httpx.AsyncClient(base_url=spec.urls["c06"], timeout=10),
            moh=httpx.AsyncClient(base_url=spec.urls["moh"], timeout=10),
        )
    return app
