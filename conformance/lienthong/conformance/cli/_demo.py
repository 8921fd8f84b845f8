"""What ``lienthong simulate`` and ``lienthong generate`` share about the demo network: where its
keys live, which facilities have accounts, and how the accounts are printed.

Printed tables stay readable at 80 columns: no column holds a path (the key and certificate paths
are printed on lines of their own, which the terminal wraps rather than cuts), and each table has
at most four short columns.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from lienthong.simulators.facilities import Facility, network_facilities
from lienthong.simulators.network import NetworkConfig

DEMO_DATA_DIR = Path(".lienthong/network")
"""Where ``simulate`` keeps its databases and ``keys/``, and where ``generate --sign`` finds the
same facility keys (created there when the network has not run yet)."""
CITIZENS_SHOWN = 8


def keys_dir(data_dir: Path) -> Path:
    """The facility keys of the network whose databases are in ``data_dir``."""
    return data_dir / "keys"


def demo_facilities(seed: int, fleet: int = 0, population: int = 0) -> list[Facility]:
    """The facilities ``simulate`` gives a gateway account (with ``--fleet``, the fleet's too)."""
    return network_facilities(seed, NetworkConfig.facilities, fleet, population)


def print_accounts(console: Console, accounts: dict[str, Any], written_to: Path | None = None) -> None:
    """The accounts document (:func:`lienthong.simulators.accounts.write_accounts`) as tables."""
    gateway = Table(title="Demo facility accounts on the gateway (password: MD5 upper-case hex)")
    for column in ("maCSKCB", "username", "password", "MoH client_secret"):
        gateway.add_column(column, overflow="fold")
    staff = Table(title="Card look-up staff (hoTenCb / cccdCb of /api/egw/KQNhanLichSuKCB2024)")
    for column in ("maCSKCB", "hoTenCb", "cccdCb"):
        staff.add_column(column, overflow="fold")
    for site in accounts["facilities"]:
        gateway.add_row(site["facility"], site["username"], site["password"], site["moh_client_secret"])
        staff.add_row(site["facility"], site["staff_name"], site["staff_cccd"])
    console.print(gateway)
    for site in accounts["facilities"]:
        console.print(f"{site['facility']} passwordHash: {site['password_md5']}", soft_wrap=True)
    console.print(staff)
    console.print("Signing keys and certificates (PEM):")
    for site in accounts["facilities"]:
        console.print(f"  {site['facility']} key:  {site['key']}", soft_wrap=True, highlight=False)
        console.print(f"  {site['facility']} cert: {site['cert']}", soft_wrap=True, highlight=False)
    people = accounts["citizens"]
    shown = _some_citizens(people)
    citizens = Table(title=f"VNeID citizens at C06 ({len(shown)} of {len(people)})")
    for column in ("CCCD", "VNeID password", "guardian of"):
        citizens.add_column(column, overflow="fold")
    for person in shown:
        citizens.add_row(person["cccd"], person["vneid_password"], "\n".join(person["guardian_of"]))
    console.print(citizens)
    if written_to is not None:
        console.print(f"All accounts (JSON): {written_to.resolve()}", soft_wrap=True, highlight=False)
    else:
        console.print("All accounts as JSON, with every citizen: add --write-accounts FILE")


def _some_citizens(people: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A few citizens to print: guardians first (they show the ward relation), then others."""
    guardians = [p for p in people if p["guardian_of"]][: CITIZENS_SHOWN // 2]
    others = [p for p in people if not p["guardian_of"]][: CITIZENS_SHOWN - len(guardians)]
    return guardians + others
