"""Certification scenarios as data: one JSON file per scenario under ``data/scenarios/``, versioned
like the profiles (``version``; a session records the name, version and SHA-256 of the scenario it
ran, and a verdict refuses to judge it against another version).

A scenario holds its patients (the patients file's columns, read by the one parser,
:func:`lienthong.profiles.patients.parse_patients`) and its steps: what the operator enters in the
HIS (``title``), for which patient, and the shape of the visit that stands for the step
(``visit``: MA_LOAI_KCB ``kind``, a ``referral`` (MA_LOAI_RV 2 or 5, XML13), an ``appointment``
(NGAY_TAI_KHAM, XML14), an ``emergency`` (MA_DOITUONG_KCB 2, no check-in), a ``replacement``
dossier, and the endpoint ``profile``). The certification verdict matches each step to an episode
of that shape and judges the episode by the regulation's rules; a step with no such episode yet is
*awaited*.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from lienthong.profiles.patients import OPTIONAL_COLUMNS, REQUIRED_COLUMNS, Patient, parse_patients
from lienthong.profiles.tables import VERSIONS


class UnknownScenario(KeyError):
    """A scenario name that is not shipped; the message lists the known ones."""


@dataclass(frozen=True, slots=True)
class VisitShape:
    kind: str = "01"
    referral: bool = False
    appointment: bool = False
    emergency: bool = False
    profile: str = "qd3176"
    replacement: bool = False
    """A replacement dossier follows the first (e.g. a lab result arriving after discharge): two
    accepted versions of one MA_LK, the later one differing (CHAIN-03)."""


@dataclass(frozen=True, slots=True)
class Step:
    id: str
    title: str
    patient: str
    """SO_CCCD of the step's patient."""
    visit: VisitShape


@dataclass(frozen=True, slots=True)
class Scenario:
    name: str
    version: str
    title: str
    source: str
    patients: tuple[Patient, ...]
    steps: tuple[Step, ...]
    sha256: str
    text: bytes
    """The file as shipped (kept in a session and a bundle)."""


def _patients(rows: list[dict[str, str]], source: str) -> list[Patient]:
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=[*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS], extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return parse_patients(io.StringIO(text.getvalue()), source=source)


def parse_scenario(data: bytes, source: str) -> Scenario:
    raw: dict[str, Any] = json.loads(data)
    patients = _patients(raw["patients"], f"{source} patients")
    known = {p.cccd for p in patients}
    steps = []
    for item in raw["steps"]:
        shape = VisitShape(**item.get("visit", {}))
        if shape.profile not in VERSIONS:
            raise ValueError(
                f"{source}, step {item['id']}: profile {shape.profile!r} is not one of {VERSIONS}"
            )
        if item["patient"] not in known:
            raise ValueError(
                f"{source}, step {item['id']}: patient {item['patient']} is not among its patients"
            )
        steps.append(Step(str(item["id"]), str(item["title"]), str(item["patient"]), shape))
    return Scenario(
        str(raw["name"]),
        str(raw["version"]),
        str(raw["title"]),
        str(raw.get("source", "")),
        tuple(patients),
        tuple(steps),
        hashlib.sha256(data).hexdigest(),
        data,
    )


@cache
def scenarios() -> dict[str, Scenario]:
    """Every shipped scenario by name, in name order."""
    folder = resources.files("lienthong.profiles").joinpath("data", "scenarios")
    out = {}
    for node in sorted(folder.iterdir(), key=lambda n: n.name):
        if node.name.endswith(".json"):
            scenario = parse_scenario(node.read_bytes(), f"scenarios/{node.name}")
            out[scenario.name] = scenario
    return out


def scenario(name: str) -> Scenario:
    try:
        return scenarios()[name]
    except KeyError:
        raise UnknownScenario(f"unknown scenario {name!r}; known: {', '.join(scenarios())}") from None
