"""``lienthong simulate``: serve the simulated network on 127.0.0.1 until stopped."""

from __future__ import annotations

import asyncio
import signal
import time
from datetime import timedelta
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from lienthong.conformance.cli._app import app
from lienthong.conformance.cli._console import console, fail
from lienthong.conformance.cli._demo import DEMO_DATA_DIR, print_accounts
from lienthong.conformance.cli._options import database_url as reachable_database
from lienthong.conformance.cli._options import facility_certificate, free_ports, writable_directory
from lienthong.profiles.i18n import _
from lienthong.simulators.accounts import accounts_document, write_accounts
from lienthong.simulators.facilities import Facility, facility_keys, key_paths, staff_of
from lienthong.simulators.faults import UnknownFault, fault_set
from lienthong.simulators.fleet import Fleet, FleetConfig
from lienthong.simulators.network import Network, NetworkConfig, NodeSecrets, sites_of
from lienthong.simulators.pki import SigningKey
from lienthong.simulators.population.citizens import DEFAULT_SEED, DEMO_POPULATION
from lienthong.simulators.population.exporters.patients import write_known_patients
from lienthong.simulators.serve import serve, spawn_network
from lienthong.simulators.servers import SERVERS, UnknownServer, server_of


@app.command()
def simulate(
    port: Annotated[
        int,
        typer.Option(
            min=1024, max=65533, help="Port of the BHXH gateway; C06 and the MoH store take the next two."
        ),
    ] = 8080,
    seed: Annotated[int, typer.Option(help="Seed of the synthetic population.")] = DEFAULT_SEED,
    population: Annotated[
        int, typer.Option(min=1, max=1_000_000, help="Citizens C06 knows.")
    ] = DEMO_POPULATION,
    data_dir: Annotated[
        Path, typer.Option(help="Where the nodes keep their SQLite databases (and keys/).")
    ] = DEMO_DATA_DIR,
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
    server: Annotated[
        str, typer.Option(help="Server of the node processes: auto (granian if installed), granian, uvicorn.")
    ] = "uvicorn",
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
    write_accounts_to: Annotated[
        Path | None,
        typer.Option(
            "--write-accounts",
            help="Write every facility and citizen account to this JSON file (keys and "
            "certificates as PEM files next to it).",
        ),
    ] = None,
    fault: Annotated[
        list[str],
        typer.Option(help="ACTOR:FAULT: serve a node that misbehaves on purpose (see the suite catch it)."),
    ] = [],  # noqa: B006
    service_token: Annotated[
        str,
        typer.Option(
            help="Bearer token the gateway presents to C06 and the MoH store (random when not given).",
            envvar="LIENTHONG_SERVICE_TOKEN",
        ),
    ] = "",
) -> None:
    """Serve the simulated gateway, C06 and MoH store on 127.0.0.1 and print how to connect."""
    certificates = [facility_certificate(item) for item in register_cert]
    writable_directory(data_dir, "--data-dir")
    reachable_database(database_url)
    free_ports(port, 3)  # last: the others are about the command line, this about the machine
    chosen: dict[str, set[str]] = {}
    for item in fault:
        actor, sep, name = item.partition(":")
        if not (sep and actor and name):
            fail(
                f"--fault {item!r} is not of the form ACTOR:FAULT",
                hint="for example --fault moh:drops_visits",
            )
        chosen.setdefault(actor, set()).add(name)
    try:
        faults = {actor: fault_set(actor, names) for actor, names in chosen.items()}
    except UnknownFault as exc:
        fail(str(exc))
    config = NetworkConfig(
        faults=faults,
        secrets=NodeSecrets(service=service_token) if service_token else None,
        seed=seed,
        population=population,
        data_dir=data_dir,
        database_url=database_url or None,
        header_faults=header_faults,
        keys_dir=data_dir / "keys",
        fleet=fleet,
    )
    if write_accounts_to is not None:
        _check_writable(write_accounts_to)
    try:
        server = server_of(server)
    except UnknownServer as exc:
        fail(str(exc), hint=_("choose one of {choices}").format(choices=", ".join(SERVERS)))
    if server != "uvicorn" and not processes:
        fail(
            _("{option} works only with --processes").format(option=f"--server {server}"),
            hint=_("add --processes, or leave out {option}").format(option="--server"),
        )
    if processes:
        if certificates:
            fail(
                _("{option} works only without --processes for now").format(option="--register-cert"),
                hint=_("leave out one of the two options"),
            )
        if fleet:
            fail(
                _("{option} works only without --processes for now").format(option="--fleet"),
                hint=_("leave out one of the two options"),
            )
        _serve_processes(config, port, write_accounts_to, server)
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
        for site in network.facilities:
            key, cert = key_paths(key_dir, site.code)
            key.write_bytes(network.keys[site.code].key_pem)
            cert.write_bytes(network.keys[site.code].cert_pem)
        _show_accounts(config, network.facilities, network.keys, write_accounts_to)
        console.print(
            "MoH store clients: client_id = maCSKCB, client_secret as above, for "
            "POST /oauth/token (client_credentials) and POST /api/auth/login (KSK push)."
        )
        console.print(
            f"Point the HIS at [bold]{network.base_urls['bhxh']}[/] "
            "(POST /api/token/take, /api/qd130/checkInKcbQd3176, /api/qd130/guiHoSoXmlQD3176)."
        )
        patients = write_known_patients(seed, data_dir / "patients.csv")
        console.print(f"Patients the nodes know (lienthong conformance --patients): {patients}")
        console.print(
            f"Service token (C06 /api/identity/verify, MoH /internal): {network.gateway.config.service_token}"
        )
        if faults:
            console.print(
                "Faults: " + ", ".join(f"{a}:{n}" for a, names in faults.items() for n in sorted(names))
            )
        console.print(
            f"Journal API for auditors: GET {network.base_urls['bhxh']}/lienthong/submissions "
            f"with 'Authorization: Bearer {network.admin_token}'"
        )
        _certify_hint(network, patients, key_dir)
        if fleet:
            _start_fleet(network, FleetConfig(facilities=fleet, rate=rate))

    try:
        asyncio.run(serve(config, port=port, ready=ready))
    except OSError as exc:
        fail(str(exc), hint=_("choose another --port"))
    except KeyboardInterrupt:
        pass
    console.print("stopped")


def _certify_hint(network: Network, patients: Path, keys: Path) -> None:
    """How to run each role's suite against the served nodes, as against real ones."""
    site, urls, token = network.facilities[1], network.base_urls, network.gateway.config.service_token
    common = f"--service-token {token} --patients {patients}"
    name, cccd = staff_of(site.code)
    other = network.facilities[2] if len(network.facilities) > 2 else None
    second = f" --account {other.code}:{other.username}:{other.password}" if other else ""
    signing = f"--key {keys / f'{site.code}.key.pem'} --cert {keys / f'{site.code}.cert.pem'}"
    console.print("Certify each node as a real one (docs/conformance-roles.md):")
    console.print(
        f"  lienthong conformance --role bhxh --target {urls['bhxh']} "
        f"--account {site.code}:{site.username}:{site.password}{second} {signing} "
        f"--staff '{name}:{cccd}' {common}",
        soft_wrap=True,
    )
    console.print(f"  lienthong conformance --role c06 --target {urls['c06']} {common}", soft_wrap=True)
    console.print(
        f"  lienthong conformance --role moh --target {urls['moh']} --peer c06={urls['c06']} "
        f"--client {site.code}:{site.moh_secret} {common}",
        soft_wrap=True,
    )


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


def _interrupt(signum: int, frame: object) -> None:
    """SIGTERM, SIGHUP or SIGINT ends ``simulate --processes`` as Ctrl+C does: the node processes stop
    (a second signal is ignored, so it cannot cut the stopping short)."""
    for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
        signal.signal(sig, signal.SIG_IGN)
    raise KeyboardInterrupt


def _check_writable(path: Path) -> None:
    """A user error now, before serving, when the accounts file cannot be written."""
    if path.is_dir():
        fail(
            f"--write-accounts {path} is a directory",
            hint="give a file name, e.g. --write-accounts accounts/lienthong.json",
        )
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8"):
            pass
    except OSError as exc:
        fail(
            f"--write-accounts {path} cannot be written ({exc.strerror or exc})",
            hint="give a path in a writable directory",
        )


def _show_accounts(
    config: NetworkConfig, sites: list[Facility], keys: dict[str, SigningKey], path: Path | None
) -> None:
    """Print the accounts (and write them to ``path`` when given), for the vendor's HIS."""
    if path is not None:
        accounts = write_accounts(path, sites, keys, seed=config.seed, population=config.population)
    else:
        folder = (config.keys_dir or Path(".")).resolve()
        files = {site.code: key_paths(folder, site.code) for site in sites}
        accounts = accounts_document(sites, keys, files, seed=config.seed, population=config.population)
    print_accounts(console, accounts, path)


def _serve_processes(
    config: NetworkConfig, port: int, write_accounts_to: Path | None = None, server: str = "uvicorn"
) -> None:
    # Without this a SIGTERM ended the parent at once and left the three nodes listening.
    for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
        signal.signal(sig, _interrupt)
    try:
        nodes = spawn_network(config, port=port, server=server)
    except KeyboardInterrupt:  # spawn_network stopped the nodes it had started
        console.print("stopped")
        return
    except (OSError, RuntimeError, TimeoutError) as exc:
        fail(_("could not start the network: {reason}").format(reason=exc), hint=_("choose another --port"))
    with nodes:
        table = Table(title=f"lienthong simulated network, one process per node on {server} (Ctrl+C to stop)")
        for column in ("node", "URL", "pid"):
            table.add_column(column)
        for node, url in nodes.urls.items():
            table.add_row(node, url, str(nodes.processes[node].pid))
        console.print(table)
        console.print(
            f"Facility keys and certificates: {config.data_dir / 'keys' if config.data_dir else '-'}; "
            f"spec with the journal API's admin token: {nodes.spec_path}"
        )
        sites = sites_of(config)
        _show_accounts(config, sites, facility_keys(sites, config.keys_dir), write_accounts_to)
        try:
            while all(process.poll() is None for process in nodes.processes.values()):
                time.sleep(0.5)
            console.print("a node process exited; stopping the others")
        except KeyboardInterrupt:
            pass
    console.print("stopped")
