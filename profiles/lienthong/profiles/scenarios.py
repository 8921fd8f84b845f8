"""Certification scenarios as data: one JSON file per scenario under ``data/scenarios/``, versioned
like the profiles (``version``; a session records the name, version and SHA-256 of the scenario it
ran, and a verdict refuses to judge it against another version).

A scenario holds its patients (the patients file's columns, read by the one parser,
:func:`lienthong.profiles.patients.parse_patients`) and its steps: what the operator enters in the
HIS (``title``), for which patient, and the shape of the visit that stands for the step
(``visit``: MA_LOAI_KCB ``kind``, a ``referral`` (MA_LOAI_RV 2 or 5, XML13), an ``appointment``
(NGAY_TAI_KHAM, XML14), an ``emergency`` (MA_DOITUONG_KCB 2, no check-in), a ``replacement``
dossier, and the endpoint ``profile``; a ``guardian`` visit: a young child sent with the step
patient's (its guardian's) identifiers). A step may also name a one-shot ``gateway`` behaviour
(:data:`GATEWAY_BEHAVIOURS`): the session's gateway answers the first dossier of the step's patient
otherwise than a plain acceptance, once, and the step is judged on how the HIS recovers. The
certification verdict matches each step to an episode
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

GATEWAY_BEHAVIOURS = {
    "refuse_first_dossier": "the gateway refuses the first dossier of the step's patient with an "
    "error, on purpose, once: the HIS is to resend it, corrected, under the same MA_LK",
    "withhold_first_answer": "the gateway keeps the first dossier of the step's patient but "
    "withholds its answer past the HIS's timeout, once: the HIS is to resend it under the same "
    "MA_LK, without a duplicate under another MA_LK",
}
"""One-shot gateway behaviours a scenario step may name (applied by the session's gateway)."""


def scripted_mark(step: str) -> str:
    """What the gateway's answer carries when a step's one-shot behaviour was applied to it (the
    journal keeps the answer, so the verdict, and a bundle re-judged, read which submission)."""
    return f"[lienthong scenario step {step}]"


def scripted_step(message: str) -> str:
    """The step whose one-shot behaviour an answer's ``thongDiep`` says was applied ('' if none)."""
    _head, sep, rest = message.partition("[lienthong scenario step ")
    return rest.partition("]")[0] if sep else ""


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
    guardian: bool = False
    """A child under 6 (a newborn) without a card or SO_CCCD of its own, sent with its guardian's
    identifiers: HO_TEN the step patient's name, SO_CCCD empty or the guardian's (QĐ 3176 XML0 and
    XML1 HO_TEN, SO_CCCD), a temporary child card with MA_DKBD province + 000."""


@dataclass(frozen=True, slots=True)
class Step:
    id: str
    title: str
    patient: str
    """SO_CCCD of the step's patient."""
    visit: VisitShape
    gateway: str = ""
    """A one-shot gateway behaviour (:data:`GATEWAY_BEHAVIOURS`), or '' for a plain acceptance."""


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
        behaviour = str(item.get("gateway", ""))
        if behaviour and behaviour not in GATEWAY_BEHAVIOURS:
            raise ValueError(
                f"{source}, step {item['id']}: gateway {behaviour!r} is not one of "
                f"{', '.join(GATEWAY_BEHAVIOURS)}"
            )
        steps.append(Step(str(item["id"]), str(item["title"]), str(item["patient"]), shape, behaviour))
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
