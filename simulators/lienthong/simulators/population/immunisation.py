"""The national expanded immunisation schedule (Tiêm chủng mở rộng) for children under 6.

Schedule after TT 38/2017/TT-BYT and the EPI calendar [S]: hepatitis B within 24 h of birth, BCG in
the first month, DPT-VGB-Hib (pentavalent) and bOPV at 2, 3 and 4 months, IPV at 5 months, measles
at 9 months, Japanese encephalitis at 12 months (two doses a week or two apart, a third a year
later), MR and the DPT booster at 18 months. Coverage near the WHO/UNICEF estimates (~90 % for the
third pentavalent dose) and delays are approximations [I].
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from lienthong.simulators.population import events
from lienthong.simulators.population.citizens import Citizen
from lienthong.simulators.population.draws import Draws

ELIGIBLE_AGE = 6


@dataclass(frozen=True, slots=True)
class Vaccine:
    code: str
    name: str
    antigen: str
    cvx: str
    """CVX code for FHIR Immunization.vaccineCode (HL7 CVX) [S]."""


VGB = Vaccine("VGB", "Vắc xin viêm gan B sơ sinh", "hepatitis B", "08")
BCG = Vaccine("BCG", "Vắc xin phòng lao BCG", "tuberculosis", "19")
PENTA = Vaccine("DPT-VGB-Hib", "Vắc xin 5 trong 1 DPT-VGB-Hib", "DTP-HepB-Hib", "198")
OPV = Vaccine("bOPV", "Vắc xin bại liệt uống", "polio", "178")
IPV = Vaccine("IPV", "Vắc xin bại liệt tiêm", "polio", "10")
MEASLES = Vaccine("SOI", "Vắc xin sởi", "measles", "05")
JE = Vaccine("VNNB", "Vắc xin viêm não Nhật Bản", "Japanese encephalitis", "39")
MR = Vaccine("MR", "Vắc xin sởi - rubella", "measles-rubella", "04")
DPT = Vaccine("DPT", "Vắc xin bạch hầu - ho gà - uốn ván", "DTP", "20")


@dataclass(frozen=True, slots=True)
class Dose:
    vaccine: Vaccine
    dose: int
    due_days: int
    coverage: int
    """Per cent of children who get it."""
    max_delay: int
    """Days of delay at most (most children are on time)."""


SCHEDULE = (
    Dose(VGB, 1, 0, 85, 0),
    Dose(BCG, 1, 0, 95, 30),
    Dose(PENTA, 1, 60, 95, 30),
    Dose(OPV, 1, 60, 95, 30),
    Dose(PENTA, 2, 90, 93, 45),
    Dose(OPV, 2, 90, 93, 45),
    Dose(PENTA, 3, 120, 90, 60),
    Dose(OPV, 3, 120, 90, 60),
    Dose(IPV, 1, 150, 88, 60),
    Dose(MEASLES, 1, 270, 92, 60),
    Dose(JE, 1, 365, 85, 60),
    Dose(JE, 2, 375, 80, 60),
    Dose(JE, 3, 730, 75, 90),
    Dose(MR, 1, 540, 88, 90),
    Dose(DPT, 4, 540, 85, 90),
)


@dataclass(frozen=True, slots=True)
class Immunisation:
    vaccine: Vaccine
    dose: int
    day: date
    facility: str


def immunisations(citizen: Citizen) -> list[Immunisation]:
    """Doses a child received before 1 January of the reference year (and before any death)."""
    if citizen.age >= ELIGIBLE_AGE:
        return []
    draws = Draws(citizen.seed, "immunisation", citizen.index)
    end = min(citizen.death or date.max, date(events.EVENT_YEAR, 12, 31))
    missed: set[str] = set()
    out = []
    for dose in SCHEDULE:
        taken = draws.percent(dose.coverage) and dose.vaccine.code not in missed
        delay = draws.below(dose.max_delay + 1) * draws.below(3) // 2
        if not taken:
            missed.add(dose.vaccine.code)  # a child who misses a dose misses the rest of the series
            continue
        day = citizen.dob + timedelta(days=dose.due_days + delay)
        if day <= end:
            out.append(Immunisation(dose.vaccine, dose.dose, day, citizen.ma_dkbd))
    return sorted(out, key=lambda shot: (shot.day, shot.vaccine.code))
