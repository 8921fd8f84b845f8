"""Sample data for a real node: the suite's own dossiers, and the patients the target knows.

A real gateway, C06 or MoH store does not know lienthong's synthetic population. Data the checks
send without needing the target to know the person (a dossier) comes from the population as
before; data the target must know (a citizen to verify or sign in, a card to look up) comes from
``--patients``, and without that file those checks skip saying so. Each index a check asks for
gets the next unused patient, so a check that needs two different people gets two; the
assignment starts afresh with every check (``next_check``) so a short file serves every check.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date

from lienthong.conformance.context import NEEDS_PATIENTS
from lienthong.conformance.failures import Skipped
from lienthong.conformance.recording import Secrets
from lienthong.profiles.patients import Patient
from lienthong.simulators.population import Citizen, citizen
from lienthong.simulators.samples import FacilitySamples, Identity


def _citizen(patient: Patient, index: int, seed: int) -> Citizen:
    """The synthetic citizen ``index`` wearing the patient's identity and card."""
    base = citizen(seed, index)
    card = patient.bhyt or base.bhyt
    return replace(
        base,
        cccd=patient.cccd,
        bhyt=card,
        bhxh=card[-10:],
        name=patient.name,
        dob=patient.dob,
        sex=int(patient.sex),
        address=patient.address or base.address,
        password=patient.vneid_password,
        ma_dkbd=patient.ma_dkbd or base.ma_dkbd,
        card_from=patient.gt_the_tu or base.card_from,
        card_to=patient.gt_the_den or base.card_to,
        death=date.today() if patient.status == "deceased" else None,
        previous_cccd=patient.previous_cccd,
    )


def _identity(person: Citizen) -> Identity:
    return Identity(person.cccd, person.name, person.dob.isoformat(), str(person.sex), person.password)


@dataclass
class TargetSamples(FacilitySamples):
    """``Samples`` for a real target: the suite's dossiers, worn by the patients of ``patients``."""

    people: Sequence[Patient] = ()
    """Every patient of ``--patients``, the deceased ones too."""
    secrets: Secrets | None = None
    """VNeID passwords handed to a check are registered here, so recordings name them."""
    _slots: dict[int, Patient] = field(default_factory=dict)

    @property
    def patients(self) -> Sequence[Patient]:
        """The living card holders the target knows (the patients file without the deceased)."""
        return [p for p in self.people if not p.status]

    def next_check(self) -> None:
        self._slots.clear()

    def _patient(self, index: int, *, need: Callable[[Patient], bool] = lambda p: True) -> Patient:
        if index in self._slots:
            return self._slots[index]
        if not self.people:
            raise Skipped(NEEDS_PATIENTS)
        taken = {p.cccd for p in self._slots.values()}
        free = [p for p in self.people if p.cccd not in taken and need(p)]
        if not free:
            raise Skipped(
                f"needs {len(self._slots) + 1} different patients the target knows; "
                f"--patients gave {len(self.people)}"
            )
        self._slots[index] = free[0]
        return free[0]

    def person(self, index: int) -> Citizen:
        if not self.people:
            return citizen(self.seed, index)
        return _citizen(self._patient(index, need=lambda p: not p.status), index, self.seed)

    def _known(self, person: Citizen) -> Identity:
        if self.secrets is not None:
            self.secrets.register(person.password, f"vneid-password-{person.cccd}")
        return _identity(person)

    def identity(self, index: int) -> Identity:
        if not self.people:
            raise Skipped(NEEDS_PATIENTS)
        return self._known(self.person(index))

    def deceased(self) -> Identity:
        if not self.people:
            raise Skipped(NEEDS_PATIENTS)
        try:
            patient = self._patient(-1, need=lambda p: p.status == "deceased")
        except Skipped:
            raise Skipped("the patients file marks no patient deceased (column status)") from None
        return self._known(_citizen(patient, 0, self.seed))

    def reissued(self) -> tuple[str, Identity]:
        if not self.people:
            raise Skipped(NEEDS_PATIENTS)
        try:
            patient = self._patient(-2, need=lambda p: bool(p.previous_cccd) and not p.status)
        except Skipped:
            raise Skipped("the patients file gives no patient a cancelled previous_cccd") from None
        return patient.previous_cccd, self._known(_citizen(patient, 0, self.seed))

    def unknown_cccd(self) -> str:
        known = {p.cccd for p in self.people} | {p.previous_cccd for p in self.people}
        number = super().unknown_cccd()
        while number in known:
            number = f"{int(number) + 1:012d}"
        return number

    def card(self, index: int) -> dict[str, str]:
        """Card lookup fields of a patient the target knows (a real gateway knows no other card)."""
        if not self.people:
            raise Skipped(NEEDS_PATIENTS)
        patient = self._patient(index, need=lambda p: bool(p.bhyt) and not p.status)
        return {"maThe": patient.bhyt, "hoTen": patient.name, "ngaySinh": patient.dob.strftime("%d/%m/%Y")}

    @property
    def staff(self) -> tuple[str, str] | None:
        """(name, CCCD) of the facility's staff member registered for card look-ups (``--staff``);
        None when not given (the look-up checks then skip)."""
        return self.given_staff
