"""The accounts of a simulated network in one file: what a vendor needs to connect a HIS.

``lienthong simulate --write-accounts FILE`` (and later ``certify``) writes it; its JSON Schema is
``profiles/openapi/schemas/lienthong/accounts.json``. Per facility: the gateway account, the
password's upper-case MD5 (the ``password`` of ``/api/token/take`` and the ``passwordHash``
header), the signing key and certificate (PEM files written next to the accounts file, named by
absolute path), the staff member the card look-up accepts (``hoTenCb``/``cccdCb``) and the MoH
store client secret. Per citizen C06 signs in: the CCCD, the VNeID password, the wards they are
guardian of, and the card fields a look-up asks for.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from lienthong.simulators.c06.notable import notable
from lienthong.simulators.c06.registry import with_guardians
from lienthong.simulators.facilities import Facility, md5_upper
from lienthong.simulators.pki import SigningKey
from lienthong.simulators.population import Citizen, citizens

SCHEMA_ID = "urn:lienthong:accounts"


def citizen_accounts(seed: int, population: int) -> list[dict[str, Any]]:
    """The citizens C06 of a network with ``seed`` and ``population`` lets sign in (living, by
    their current number; the guardians of its children included), in CCCD order."""
    people: dict[str, tuple[Citizen, list[str]]] = {}
    loaded = [*citizens(seed, 0, population), *notable(seed)]
    for person, keeper, _ in with_guardians(loaded):
        if person.death is None:
            people.setdefault(person.cccd, (person, []))
        if keeper is not None and keeper.death is None:
            people.setdefault(keeper.cccd, (keeper, []))[1].append(person.cccd)
    return [
        {
            "cccd": cccd,
            "vneid_password": person.password,
            "guardian_of": sorted(set(wards)),
            "name": person.name,
            "card": person.bhyt,
            "dob": person.dob.strftime("%d/%m/%Y"),
        }
        for cccd, (person, wards) in sorted(people.items())
    ]


def facility_accounts(
    sites: Iterable[Facility], keys: Mapping[str, SigningKey], key_files: Mapping[str, tuple[Path, Path]]
) -> list[dict[str, str]]:
    """One entry per facility; ``key_files``: code -> (key path, certificate path)."""
    return [
        {
            "facility": site.code,
            "name": site.name,
            "username": site.username,
            "password": site.password,
            "password_md5": md5_upper(site.password),
            "key": str(key_files[site.code][0]),
            "cert": str(key_files[site.code][1]),
            "staff_name": site.staff[0],
            "staff_cccd": site.staff[1],
            "moh_client_secret": site.moh_secret,
        }
        for site in sites
        if site.code in keys
    ]


def accounts_document(
    sites: Iterable[Facility],
    keys: Mapping[str, SigningKey],
    key_files: Mapping[str, tuple[Path, Path]],
    *,
    seed: int,
    population: int,
) -> dict[str, Any]:
    """The accounts of a network of ``seed`` and ``population`` whose facility keys are the files
    ``key_files`` (code -> key path, certificate path)."""
    return {
        "facilities": facility_accounts(sites, keys, key_files),
        "citizens": citizen_accounts(seed, population),
    }


def write_accounts(
    path: Path, sites: Iterable[Facility], keys: Mapping[str, SigningKey], *, seed: int, population: int
) -> dict[str, Any]:
    """Write the accounts file ``path`` and, next to it, each facility's ``<code>.key.pem`` and
    ``<code>.cert.pem`` (the key readable by its owner only); the document written."""
    folder = path.resolve().parent
    folder.mkdir(parents=True, exist_ok=True)
    files: dict[str, tuple[Path, Path]] = {}
    chosen = list(sites)
    for site in chosen:
        key_path, cert_path = folder / f"{site.code}.key.pem", folder / f"{site.code}.cert.pem"
        key_path.write_bytes(keys[site.code].key_pem)
        os.chmod(key_path, 0o600)
        cert_path.write_bytes(keys[site.code].cert_pem)
        files[site.code] = (key_path, cert_path)
    document = accounts_document(chosen, keys, files, seed=seed, population=population)
    return write_document(path, document)


def write_document(path: Path, document: dict[str, Any]) -> dict[str, Any]:
    """Write an accounts document whole, then rename it over ``path`` (never read half written;
    readable by its owner only: it holds passwords)."""
    path.resolve().parent.mkdir(parents=True, exist_ok=True)
    written = path.with_name(f".{path.name}.tmp")
    written.write_text(json.dumps(document, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    os.chmod(written, 0o600)
    os.replace(written, path)
    return document
