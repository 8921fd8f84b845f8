"""The accounts file: every credential a HIS (or a vendor's CI) needs to script a session against a
simulated network, as one JSON document.

    {"facilities": [{"facility", "username", "password", "key", "cert", "staff_name",
                     "staff_cccd", "moh_client_secret"}],
     "citizens":   [{"cccd", "vneid_password", "guardian_of"}]}

``password`` is the portal password in clear (the HIS sends its upper-case MD5 as ``password`` to
``/api/token/take`` and as the ``passwordHash`` header); ``key``/``cert`` are paths of the PEM files
(``key`` is empty when the vendor registered its own certificate: the key never leaves the vendor);
``staff_*`` is the staff member registered for card lookups; ``moh_client_secret`` opens the MoH
store (client id: the facility code). ``guardian_of`` lists the CCCD of the wards a citizen manages
on VNeID. Written for ``lienthong certify --write-accounts`` (and meant for ``lienthong simulate
--write-accounts``).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path


@dataclass(frozen=True, slots=True)
class FacilityAccount:
    facility: str
    username: str
    password: str
    key: str
    cert: str
    staff_name: str
    staff_cccd: str
    moh_client_secret: str


@dataclass(frozen=True, slots=True)
class CitizenAccount:
    cccd: str
    vneid_password: str
    guardian_of: list[str] = field(default_factory=list)


def accounts_document(
    facilities: Iterable[FacilityAccount], citizens: Iterable[CitizenAccount]
) -> dict[str, list[dict[str, object]]]:
    return {
        "facilities": [asdict(f) for f in facilities],
        "citizens": [asdict(c) for c in citizens],
    }


def write_accounts(
    path: Path, facilities: Iterable[FacilityAccount], citizens: Iterable[CitizenAccount]
) -> Path:
    """Write the accounts file (UTF-8, readable by its owner only: it holds passwords)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(accounts_document(facilities, citizens), ensure_ascii=False, indent=2)
    partial = path.with_name(path.name + ".partial")
    partial.write_text(text + "\n", encoding="utf-8")
    os.chmod(partial, 0o600)
    partial.replace(path)  # a CI that polls for the file never reads half of it
    return path
