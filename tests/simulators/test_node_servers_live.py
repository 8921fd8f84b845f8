"""Node processes served by granian (``spawn_network(server=...)``, what ``lienthong load run``
uses) answer as on uvicorn: the faults chosen for a node apply, the shared service token is
accepted, and SIGTERM stops every node."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest

from lienthong.simulators.faults import fault_set
from lienthong.simulators.network import NetworkConfig, NodeSecrets
from lienthong.simulators.serve import spawn_network
from lienthong.simulators.servers import UnknownServer, installed, server_of
from tests.simulators.gateway.support import free_port_block

TOKEN = "service-token-of-the-test"


def test_auto_is_granian_when_installed_and_unknown_servers_are_refused() -> None:
    assert server_of("auto") == ("granian" if installed("granian") else "uvicorn")
    assert server_of("uvicorn") == "uvicorn"
    with pytest.raises(UnknownServer, match="unknown server 'nginx'"):
        server_of("nginx")


@pytest.mark.live
@pytest.mark.skipif(not installed("granian"), reason="granian is not installed (the load extra)")
def test_granian_nodes_follow_their_faults_and_the_service_token(tmp_path: Path) -> None:
    config = NetworkConfig(
        population=50,
        data_dir=tmp_path,
        keys_dir=tmp_path / "keys",
        faults={"bhxh": fault_set("bhxh", ["server_error"])},
        secrets=NodeSecrets(service=TOKEN),
    )
    with spawn_network(config, port=free_port_block(3), server="granian") as nodes:
        assert nodes.spec.server == "granian"
        urls = nodes.urls
        assert httpx.get(f"{urls['moh']}/health").json()["node"] == "moh"
        refused = httpx.post(f"{urls['bhxh']}/api/token/take", data={"username": "x", "password": "y"})
        assert refused.status_code == 503  # the gateway's chosen fault
        asked = {"cccd": "001000000000", "ho_ten": "A", "ngay_sinh": "20000101", "gioi_tinh": "1"}
        verified = httpx.post(
            f"{urls['c06']}/api/identity/verify", json=asked, headers={"authorization": f"Bearer {TOKEN}"}
        )
        assert verified.status_code == 200, verified.text
        assert httpx.post(f"{urls['c06']}/api/identity/verify", json=asked).status_code == 401
        processes = list(nodes.processes.values())
        began = time.monotonic()
    assert all(process.poll() is not None for process in processes)  # SIGTERM stopped each node
    assert time.monotonic() - began < 15
