"""An open certification session: the simulated gateway, C06 and MoH store served for one vendor's
facilities and test patients, with what the verdict needs kept in the data directory.

The data directory holds the gateway's journal (``gateway.sqlite``: every submission, accepted or
not, and each forward's outcome), ``session.json`` (facilities, certificates, dossier deadline,
opening and stopping times on the session clock) and ``patients.csv`` (the card register the
verdict judges cards against, copied byte for byte).
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

from lienthong.profiles.patients import Patient
from lienthong.profiles.scenarios import Scenario
from lienthong.simulators.accounts import facility_accounts, write_document
from lienthong.simulators.facilities import Facility, facility_keys, md5_upper
from lienthong.simulators.gateway.scripted import armed
from lienthong.simulators.network import Network
from lienthong.simulators.patient_register import load_patients, vneid_password

SESSION_FILE = "session.json"
PATIENTS_FILE = "patients.csv"
JOURNAL_FILE = "gateway.sqlite"
SCENARIO_FILE = "scenario.json"
NAME = "Cơ sở KCB {code} (chứng nhận)"


@dataclass
class OpenSession:
    """What ``lienthong certify --open`` was asked for."""

    data_dir: Path
    facilities: list[str]
    patients: list[Patient]
    patients_bytes: bytes
    certificates: dict[str, bytes] = field(default_factory=dict)
    """Facility -> the vendor's own certificate (PEM); the others get one from the simulated CA."""
    dossier_deadline: str = ""
    accounts_file: Path | None = None
    seed: int = 42
    scenario: Scenario | None = None
    withhold_seconds: float = 65.0
    """How long a scenario step's ``withhold_first_answer`` withholds the answer (past the HIS's
    timeout)."""

    def sites(self) -> list[Facility]:
        return [Facility(code, NAME.format(code=code), 2, self.seed) for code in self.facilities]


def write_session_file(data_dir: Path, values: dict[str, object]) -> None:
    path = data_dir / SESSION_FILE
    current = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    partial = path.with_name(SESSION_FILE + ".partial")
    partial.write_text(json.dumps(current | values, ensure_ascii=False, indent=2), encoding="utf-8")
    partial.replace(path)


def provision_session(
    session: OpenSession, network: Network, *, say: Callable[[str], None] = lambda _: None
) -> list[dict[str, str]]:
    """Give the served network the vendor's facilities and patients; write session.json, the
    patients copy and the accounts file (``simulators.accounts``' shape and schema). The
    facility accounts, in the order of ``--facility``."""
    data_dir = session.data_dir
    keys_dir = data_dir.resolve() / "keys"  # absolute: a vendor's CI reads the paths from anywhere
    gateway, moh = network.gateway, network.moh
    accounts: list[dict[str, str]] = []
    certificates: dict[str, str] = {}
    for site in session.sites():
        gateway.register_account(site.username, site.password, site.code)
        own = session.certificates.get(site.code)
        if own is not None:  # the vendor keeps its key: only the certificate is known here
            cert_path = keys_dir / f"{site.code}.registered.cert.pem"
            keys_dir.mkdir(parents=True, exist_ok=True)
            cert_path.write_bytes(own)
            cert_pem = own
            account = {
                "facility": site.code,
                "name": site.name,
                "username": site.username,
                "password": site.password,
                "password_md5": md5_upper(site.password),
                "key": "",
                "cert": str(cert_path),
                "staff_name": site.staff[0],
                "staff_cccd": site.staff[1],
                "moh_client_secret": site.moh_secret,
            }
        else:
            keys = facility_keys([site], keys_dir)
            cert_pem = keys[site.code].cert_pem
            files = {site.code: (keys_dir / f"{site.code}.key.pem", keys_dir / f"{site.code}.cert.pem")}
            [account] = facility_accounts([site], keys, files)
        gateway.register_certificate(site.code, cert_pem)
        gateway.register_staff(site.code, site.staff[1], site.staff[0])
        moh.register_facility(site.code, site.moh_secret, cert_pem=cert_pem)
        certificates[site.code] = cert_pem.decode("ascii")
        accounts.append(account)
    loaded = load_patients(network, session.patients)
    if session.scenario is not None:
        (data_dir / SCENARIO_FILE).write_bytes(session.scenario.text)
        gateway.config.scripted = armed(session.scenario)  # the steps' one-shot answers
        gateway.config.withhold_seconds = session.withhold_seconds
    (data_dir / PATIENTS_FILE).write_bytes(session.patients_bytes)
    write_session_file(
        data_dir,
        {
            "kind": "open",
            "session_id": f"{datetime.now(UTC):%Y%m%d-%H%M%S}-{secrets.token_hex(3)}",
            "lienthong_version": version("lienthong"),
            "seed": session.seed,
            "facilities": session.facilities,
            "certificates": certificates,
            "dossier_deadline": session.dossier_deadline,
            "opened_at": network.clock.now().isoformat(),
            "stopped_at": None,
            "gateway": network.base_urls.get("bhxh", ""),
            **(
                {
                    "scenario": {
                        "name": session.scenario.name,
                        "version": session.scenario.version,
                        "sha256": session.scenario.sha256,
                        "file": SCENARIO_FILE,
                        "withhold_seconds": session.withhold_seconds,
                    }
                }
                if session.scenario is not None
                else {}
            ),
        },
    )
    if session.accounts_file is not None:
        write_document(
            session.accounts_file, {"facilities": accounts, "citizens": citizen_accounts(session.patients)}
        )
        say(f"accounts file: {session.accounts_file}")
    say(f"{loaded} patients loaded into the card register and C06")
    return accounts


def citizen_accounts(patients: Sequence[Patient]) -> list[dict[str, object]]:
    """The patients as the accounts file lists citizens (VNeID sign-in at C06, card look-up fields)."""
    return [
        {
            "cccd": p.cccd,
            "vneid_password": vneid_password(p),
            "guardian_of": [],
            "name": p.name,
            "card": p.bhyt,
            "dob": f"{p.dob:%d/%m/%Y}",
        }
        for p in patients
    ]


def mark_stopped(data_dir: Path, at: datetime) -> None:
    write_session_file(data_dir, {"stopped_at": at.isoformat()})


def facility_codes(values: Sequence[str]) -> list[str]:
    """The --facility values, each once, in order."""
    return list(dict.fromkeys(v.strip() for v in values))
