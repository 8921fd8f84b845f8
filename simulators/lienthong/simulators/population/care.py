"""Care: each citizen's visits in the simulated year, a pure function of (seed, citizen).

Visit counts average about two a year, more for small children and the elderly (BHYT: ~2.1 visits
per card per year, ~91 % outpatient [S] tienphong.vn 2017). Type mix (MA_LOAI_KCB), facility level,
referral (XML13, to a higher level) and re-exam appointment (XML14) rates are approximations [I].
No visit starts after a citizen's death; a death in hospital closes the last visit (KET_QUA_DTRI 5).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from lienthong.simulators.population import catalogue, events, facilities
from lienthong.simulators.population.citizens import Citizen
from lienthong.simulators.population.draws import Draws

TYPES = ("01", "02", "03", "04", "05", "07", "09")
TYPE_WEIGHTS = (820, 20, 70, 10, 40, 30, 10)
INPATIENT = frozenset({"03", "04"})
REFERRAL_PERCENT = 4
APPOINTMENT_PERCENT = 15
LAB_PERCENT = 45


@dataclass(frozen=True, slots=True)
class LabResult:
    test: catalogue.LabTest
    value: str
    at: datetime


@dataclass(frozen=True, slots=True)
class Referral:
    """A referral letter (XML13) to a higher-level facility."""

    number: str
    to: str
    reason: int
    """MA_LYDO_CT: 1 meets the rules, 2 beyond capacity, 3 patient's request."""


@dataclass
class Visit:
    ma_lk: str
    citizen: Citizen
    number: int
    facility: facilities.Facility
    kind: str
    """MA_LOAI_KCB."""
    arrived: datetime
    left: datetime
    diagnosis: catalogue.Diagnosis
    category: str
    """MA_DOITUONG_KCB."""
    outcome: int = 2
    """KET_QUA_DTRI."""
    drugs: list[tuple[catalogue.Drug, int]] = field(default_factory=list)
    services: list[tuple[catalogue.Service, int]] = field(default_factory=list)
    labs: list[LabResult] = field(default_factory=list)
    referral: Referral | None = None
    referred_from: Referral | None = None
    referred_by: str = ""
    appointment: date | None = None

    @property
    def admitted(self) -> datetime | None:
        return self.arrived + timedelta(hours=1) if self.kind in INPATIENT else None


_QD3276_CODES_FROM = datetime(2025, 10, 17)
"""Visits ending from QĐ 3276/QĐ-BYT (17/10/2025) take its MA_DOITUONG_KCB codes (7 for a drug pickup);
earlier ones the QĐ 824 PL2 codes (7.1). Both lists are accepted from 01/07/2025 to 31/12/2025
(``CODE-03``)."""


def pickup_category(left: datetime) -> str:
    """MA_DOITUONG_KCB of a drug pickup by appointment (MA_LOAI_KCB 07) ending at ``left``."""
    return "7" if left >= _QD3276_CODES_FROM else "7.1"


def _count(draws: Draws, age: int) -> int:
    mean_x10 = 35 if age < 5 else 15 if age < 15 else 16 if age < 50 else 30 if age < 70 else 40
    total, k = 0, 0
    while k < 8 and draws.below(100) < mean_x10 * 100 // (mean_x10 + 10):
        total, k = total + 1, k + 1
    return total


def _facility(draws: Draws, citizen: Citizen, kind: str) -> facilities.Facility:
    level = draws.weighted((4, 3, 2, 1, 5), (0, 55, 35, 10, 0) if kind in INPATIENT else (40, 35, 18, 4, 3))
    code = {
        4: citizen.ma_dkbd,
        3: facilities.regional_code(citizen.province, draws.bits()),
        2: facilities.provincial_code(citizen.province),
        1: facilities.central_code(draws.bits()),
        5: f"{citizen.province}400",
    }[level]
    return (
        facilities.by_code().get(code) or facilities.by_code()[facilities.provincial_code(citizen.province)]
    )


def _diagnosis(draws: Draws, citizen: Citizen, kind: str) -> catalogue.Diagnosis:
    fits = [
        d
        for d in catalogue.DIAGNOSES
        if d.min_age <= citizen.age <= d.max_age
        and d.sex in (0, citizen.sex)
        and (d.chronic or kind not in {"05", "07"})
    ]
    return draws.weighted(fits, [d.weight for d in fits])


def visits(citizen: Citizen) -> list[Visit]:
    """The citizen's visits in ``events.EVENT_YEAR``, in time order."""
    draws = Draws(citizen.seed, "care", citizen.index)
    first = max(citizen.dob, date(events.EVENT_YEAR, 1, 1))
    last = citizen.death or date(events.EVENT_YEAR, 12, 31)
    span = (last - first).days
    if span < 0:
        return []
    days = sorted(draws.below(span + 1) for _ in range(_count(draws, citizen.age)))
    out: list[Visit] = []
    for offset in days:
        visit = _visit(draws, citizen, len(out) + 1, first + timedelta(days=offset))
        out.append(visit)
        if visit.referral is not None and visit.left.date() < last:
            out.append(_referred(draws, visit, len(out) + 1))
    if citizen.death is not None and out and draws.percent(50):
        final = out[-1]
        final.kind, final.outcome, final.referral, final.appointment = "03", 5, None, None
        final.left = datetime.combine(citizen.death, datetime.min.time()) + timedelta(hours=23)
        final.left = max(final.left, final.arrived + timedelta(hours=2))
    return out


def _visit(draws: Draws, citizen: Citizen, number: int, day: date) -> Visit:
    from lienthong.simulators.population import treatment  # keeps the money rules in one module

    kind = (
        draws.weighted(TYPES, TYPE_WEIGHTS)
        if citizen.age >= 18
        else draws.weighted(("01", "03", "09"), (900, 80, 20))
    )
    facility = _facility(draws, citizen, kind)
    arrived = datetime.combine(day, datetime.min.time()) + timedelta(
        hours=draws.between(7, 16), minutes=draws.below(60)
    )
    if kind in INPATIENT:
        left = arrived + timedelta(days=draws.between(1, 9), hours=draws.between(1, 6))
        left = left if kind == "03" else arrived + timedelta(hours=draws.between(5, 10))
    else:
        left = arrived + timedelta(minutes=draws.between(15, 180))
    ma_lk = f"{facility.code}{arrived:%y%m%d%H%M}{citizen.index:09d}{number:02d}"
    category = pickup_category(left) if kind == "07" else "1.1" if facility.code == citizen.ma_dkbd else "1.2"
    visit = Visit(
        ma_lk,
        citizen,
        number,
        facility,
        kind,
        arrived,
        left,
        _diagnosis(draws, citizen, kind),
        category,
    )
    treatment.fill(draws, visit)
    if facility.level >= 2 and kind not in INPATIENT and draws.percent(REFERRAL_PERCENT):
        target = (
            facilities.provincial_code(citizen.province)
            if facility.level > 2
            else facilities.central_code(draws.bits())
        )
        visit.referral = Referral(f"CT{ma_lk[-14:]}", target, draws.between(1, 3))
    elif kind not in {"07", "09"} and draws.percent(APPOINTMENT_PERCENT):
        visit.appointment = left.date() + timedelta(days=draws.between(7, 30))
    return visit


def _referred(draws: Draws, origin: Visit, number: int) -> Visit:
    """The visit at the facility the patient was referred to, the day after (category 1.3)."""
    from lienthong.simulators.population import treatment

    assert origin.referral is not None
    facility = facilities.by_code()[origin.referral.to]
    arrived = origin.left + timedelta(days=1)
    arrived = arrived.replace(hour=draws.between(7, 11))
    kind = "03" if draws.percent(50) else "01"
    left = arrived + (timedelta(days=draws.between(2, 8)) if kind == "03" else timedelta(hours=2))
    ma_lk = f"{facility.code}{arrived:%y%m%d%H%M}{origin.citizen.index:09d}{number:02d}"
    visit = Visit(
        ma_lk,
        origin.citizen,
        number,
        facility,
        kind,
        arrived,
        left,
        origin.diagnosis,
        "1.3",
        referred_from=origin.referral,
        referred_by=origin.facility.code,
    )
    treatment.fill(draws, visit)
    return visit
