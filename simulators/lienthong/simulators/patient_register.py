"""A vendor's own test patients (the project's patients file) loaded into the simulated network:
their cards into the gateway's card register, their identities into C06.

``lienthong certify --open --patients CSV`` uses it so that what the vendor's HIS sends about its
own patients meets a card register and a population register that know them: the card lookup
answers for their cards, C06 matches their identities, and the certification verdict judges the
card's validity against the file's ``gt_the_tu``/``gt_the_den``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from lienthong.profiles.patients import Patient
from lienthong.simulators.network import Network
from lienthong.simulators.population import Citizen

PATIENT_INDEX = 10_000_000
"""Index given to patients-file citizens (outside any generated population's range)."""
DEFAULT_CARD_FROM, DEFAULT_CARD_TO = date(2025, 1, 1), date(2026, 12, 31)
"""Validity the card register gives a card whose row leaves gt_the_tu/gt_the_den empty (the same
default as the generated cards of ``gateway.cards.Card``)."""


def vneid_password(patient: Patient) -> str:
    """The patient's VNeID password on the simulated C06: the file's, else one made from the CCCD."""
    return patient.vneid_password or f"vneid-{patient.cccd}"


def as_citizen(patient: Patient, seed: int, number: int = 0) -> Citizen:
    """The patient as a citizen of the simulated network (alive, no moves, no guardian links)."""
    card = patient.bhyt
    return Citizen(
        seed=seed,
        index=PATIENT_INDEX + number,
        cccd=patient.cccd,
        bhxh=card[-10:] if card else "",
        bhyt=card if len(card) == 15 else "",
        name=patient.name,
        dob=patient.dob,
        sex=int(patient.sex),
        address=patient.address,
        province=card[3:5] if len(card) == 15 else "",
        phone="",
        password=vneid_password(patient),
        card_group=card[:2] if len(card) == 15 else "",
        benefit=int(card[2]) if len(card) == 15 else 4,
        ma_dkbd=patient.ma_dkbd,
        card_from=patient.gt_the_tu or DEFAULT_CARD_FROM,
        card_to=patient.gt_the_den or DEFAULT_CARD_TO,
    )


def load_patients(network: Network, patients: Iterable[Patient]) -> int:
    """Register the patients with C06 and their cards with the gateway; the number loaded."""
    people = [as_citizen(p, network.config.seed, n) for n, p in enumerate(patients)]
    network.c06.load_citizens(people)
    network.gateway.cards.add(person for person in people if person.bhyt)
    return len(people)
