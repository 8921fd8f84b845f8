"""The patients file (``profiles.patients``) of a simulated population: the citizens a simulated
node knows, written in the format an implementer gives ``lienthong conformance --patients``, so
the role suites can be tried against ``lienthong simulate`` exactly as against a real node."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from lienthong.profiles.patients import Patient, write_patients
from lienthong.simulators.c06.notable import first_deceased, first_reissued
from lienthong.simulators.clock import SimClock, vn_now
from lienthong.simulators.gateway.cards import Card
from lienthong.simulators.population import Citizen, citizens


def as_patient(person: Citizen) -> Patient:
    card = Card(person)
    return Patient(
        cccd=person.cccd,
        bhyt=person.bhyt,
        name=person.name,
        dob=person.dob,
        sex=str(person.sex),
        address=person.address,
        gt_the_tu=card.valid_from,
        gt_the_den=card.valid_to,
        ma_dkbd=person.ma_dkbd,
        vneid_password=person.password,
        status="deceased" if person.death else "",
        previous_cccd=person.previous_cccd,
    )


def known_patients(seed: int, count: int = 20, *, today: date | None = None) -> list[Patient]:
    """The first ``count`` citizens of ``seed`` whose card the simulated gateway answers 000 today,
    three whose card has expired (010), then the first deceased citizen and the first with a
    re-issued number (the simulated C06 always knows those two)."""
    day = today or vn_now(SimClock()).date()
    people = list(citizens(seed, 0, count * 4))
    valid = [p for p in people if not p.previous_cccd and Card(p).status(day) == "000"][:count]
    expired = [p for p in people if not p.previous_cccd and Card(p).status(day) == "010"][:3]
    chosen = [*valid, *expired, first_deceased(seed), first_reissued(seed)]
    unique = {person.cccd: person for person in chosen}
    return [as_patient(person) for person in unique.values()]


def write_known_patients(seed: int, path: Path, count: int = 20) -> Path:
    """Write the file whole, then rename it into place (a reader never sees half of it)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    write_patients(known_patients(seed, count), partial)
    partial.replace(path)
    return path
