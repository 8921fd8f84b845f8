"""``lienthong simulate``: serve the simulated network on 127.0.0.1 until stopped."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from lienthong.conformance.cli._app import app
from lienthong.conformance.cli._console import console, fail
from lienthong.simulators.fleet import Fleet, FleetConfig
from lienthong.simulators.network import Network, NetworkConfig
from lienthong.simulators.serve import serve, spawn_network


@app.command()
def simulate(
    port: Annotated[
        int,
        typer.Option(
            min=1024, max=65533, help="Port of the BHXH gateway; C06 and the MoH store take the next two."
        ),
    ] = 8080,
    seed: Annotated[int, typer.Option(help="Seed of the synthetic population.")] = 42,
    population: Annotated[int, typer.Option(min=1, max=1_000_000, help="Citizens C06 knows.")] = 1000,
    data_dir: Annotated[Path, typer.Option(help="Where the nodes keep their SQLite databases.")] = Path(
        ".lienthong/network"
    ),
    database_url: Annotated[str, typer.Option(help="PostgreSQL URL instead of SQLite files.")] = "",
    register_cert: Annotated[
        list[str], typer.Option(help="FACILITY=cert.pem: also accept signatures made with this certificate.")
    ] = [],  # noqa: B006
    processes: Annotated[
        bool,
        typer.Option(
            "--processes",
            help="Run each node in its own process (a node can then be killed and restarted on its own).",
        ),
    ] = False,
    header_faults: Annotated[
        bool,
        typer.Option(
            "--header-faults",
            help="Honour X-Lienthong-Fault request headers on the gateway (test networks only).",
        ),
    ] = False,
    fleet: Annotated[
        int,
        typer.Option(
            min=0, max=50, help="Keep a fleet of this many simulated hospitals sending visits while served."
        ),
    ] = 0,
    rate: Annotated[
        float, typer.Option(min=0.01, help="Visits arriving at each fleet hospital per simulated hour.")
    ] = 4.0,
    fault: Annotated[
        list[str],
        typer.Option(
            help="ACTOR:FAULT: serve a node that misbehaves on purpose (as `lienthong run --fault`)."
        ),
    ] = [],  # noqa: B006
) -> None:
    """Serve the simulated gateway, C06 and MoH store on 127.0.0.1 and print how to connect."""
    certificates: list[tuple[str, bytes]] = []
    for item in register_cert:
        code, _, path = item.partition("=")
        try:
            certificates.append((code, Path(path).read_bytes()))
        except OSError as exc:
            fail(f"--register-cert {item!r}: {exc}", hint="give FACILITY=path/to/certificate.pem")
    faults: dict[str, set[str]] = {}
    for item in fault:
        actor, _, name = item.partition(":")
        if not actor or not name:
            fail(
                f"--fault {item!r} is not of the form ACTOR:FAULT",
                hint="for example: --fault bhxh:slow_answer",
            )
        faults.setdefault(actor, set()).add(name)
    config = NetworkConfig(
        seed=seed,
        faults={actor: frozenset(names) for actor, names in faults.items()},
        population=population,
        data_dir=data_dir,
        database_url=database_url or None,
        header_faults=header_faults,
        keys_dir=data_dir / "keys",
        fleet=fleet,
    )
    if processes:
        if certificates:
            fail("--register-cert works only without --processes for now")
        if fleet:
            fail("--fleet works only without --processes for now")
        _serve_processes(config, port)
        return

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
        clients = Table(title="Demo facility clients on the MoH store")
        for column in ("client_id (facility)", "client_secret", "use"):
            clients.add_column(column)
        for site in network.facilities:
            clients.add_row(
                site.code,
                site.moh_secret,
                "POST /oauth/token (client_credentials); POST /api/auth/login (KSK push)",
            )
        console.print(clients)
        console.print(
            f"Point the HIS at [bold]{network.base_urls['bhxh']}[/] "
            "(POST /api/token/take, /api/qd130/checkInKcbQd3176, /api/qd130/guiHoSoXmlQD3176)."
        )
        console.print(
            f"Journal API for auditors: GET {network.base_urls['bhxh']}/lienthong/submissions "
            f"with 'Authorization: Bearer {network.admin_token}'"
        )
        if fleet:
            _start_fleet(network, FleetConfig(facilities=fleet, rate=rate))

    try:
        asyncio.run(serve(config, port=port, ready=ready))
    except OSError as exc:
        fail(str(exc), hint="choose another --port")
    except KeyboardInterrupt:
        pass
    console.print("stopped")


_RUNNING: set[asyncio.Task[None]] = set()


def _start_fleet(network: Network, config: FleetConfig) -> None:
    """Keep ``config.facilities`` hospitals sending visits, an hour of simulated time at a time."""
    hospitals = Fleet(network, config)

    async def forever() -> None:
        while True:
            summary = await hospitals.run(timedelta(hours=1))
            console.print(
                f"fleet: {summary.visits} visits, {summary.accepted} dossiers accepted, "
                f"refused {dict(summary.rejected) or 0}, {summary.retried} resends, "
                f"{summary.resent_after_fix} fixed and resent, {summary.pending} in progress"
            )

    task = asyncio.get_running_loop().create_task(forever())
    _RUNNING.add(task)
    task.add_done_callback(_RUNNING.discard)
    codes = ", ".join(site.code for site in hospitals.sites)
    console.print(f"Fleet of {config.facilities} hospitals ({codes}), {config.rate:g} visits/hour each.")


def _serve_processes(config: NetworkConfig, port: int) -> None:
    try:
        nodes = spawn_network(config, port=port)
    except (OSError, RuntimeError, TimeoutError) as exc:
        fail(f"could not start the network: {exc}", hint="choose another --port")
    with nodes:
        table = Table(title="lienthong simulated network, one process per node (Ctrl+C to stop)")
        for column in ("node", "URL", "pid"):
            table.add_column(column)
        for node, url in nodes.urls.items():
            table.add_row(node, url, str(nodes.processes[node].pid))
        console.print(table)
        console.print(
            f"Facility keys and certificates: {config.data_dir / 'keys' if config.data_dir else '-'}; "
            f"spec with the journal API's admin token: {nodes.spec_path}"
        )
        try:
            while all(process.poll() is None for process in nodes.processes.values()):
                time.sleep(0.5)
            console.print("a node process exited; stopping the others")
        except KeyboardInterrupt:
            pass
    console.print("stopped")
