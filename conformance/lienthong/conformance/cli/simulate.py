"""``lienthong simulate``: serve the simulated network on 127.0.0.1 until stopped."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from lienthong.conformance.cli._app import app
from lienthong.conformance.cli._console import console, fail
from lienthong.simulators.network import Network, NetworkConfig
from lienthong.simulators.serve import serve


@app.command()
def simulate(
    port: Annotated[int, typer.Option(min=1024, max=65533, help="Port of the BHXH gateway; C06 and the MoH "
                                      "store take the next two.")] = 8080,
    seed: Annotated[int, typer.Option(help="Seed of the synthetic population.")] = 42,
    population: Annotated[int, typer.Option(min=1, max=1_000_000, help="Citizens C06 knows.")] = 1000,
    data_dir: Annotated[Path, typer.Option(help="Where the nodes keep their SQLite databases.")] =
        Path(".lienthong/network"),
    database_url: Annotated[str, typer.Option(help="PostgreSQL URL instead of SQLite files.")] = "",
    register_cert: Annotated[list[str], typer.Option(help="FACILITY=cert.pem: also accept signatures "
                                                     "made with this certificate.")] = [],  # noqa: B006
) -> None:
    """Serve the simulated gateway, C06 and MoH store on 127.0.0.1 and print how to connect."""
    certificates: list[tuple[str, bytes]] = []
    for item in register_cert:
        code, _, path = item.partition("=")
        try:
            certificates.append((code, Path(path).read_bytes()))
        except OSError as exc:
            fail(f"--register-cert {item!r}: {exc}", hint="give FACILITY=path/to/certificate.pem")
    config = NetworkConfig(seed=seed, population=population, data_dir=data_dir,
                           database_url=database_url or None)

    def ready(network: Network) -> None:
        for code, pem in certificates:
            network.gateway.register_certificate(code, pem)
        key_dir = data_dir / "keys"
        key_dir.mkdir(parents=True, exist_ok=True)
        table = Table(title="lienthong simulated network (Ctrl+C to stop)")
        for column in ("node", "URL"):
            table.add_column(column)
        for node, url in network.base_urls.items():
            table.add_row(node, url)
        console.print(table)
        accounts = Table(title="Demo facility accounts on the gateway")
        for column in ("facility (maCSKCB)", "username", "password", "signing key / certificate"):
            accounts.add_column(column)
        for site in network.facilities:
            key, cert = key_dir / f"{site.code}.key.pem", key_dir / f"{site.code}.cert.pem"
            key.write_bytes(network.keys[site.code].key_pem)
            cert.write_bytes(network.keys[site.code].cert_pem)
            accounts.add_row(site.code, site.username, site.password, f"{key}\n{cert}")
        console.print(accounts)
        console.print(f"Point the HIS at [bold]{network.base_urls['bhxh']}[/] "
                      "(POST /api/token/take, /api/qd130/checkInKcbQd3176, /api/qd130/guiHoSoXmlQD3176).")
        console.print(f"Journal API for auditors: GET {network.base_urls['bhxh']}/lienthong/submissions "
                      f"with 'Authorization: Bearer {network.admin_token}'")

    try:
        asyncio.run(serve(config, port=port, ready=ready))
    except OSError as exc:
        fail(str(exc), hint="choose another --port")
    except KeyboardInterrupt:
        pass
    console.print("stopped")
