"""What a fleet hospital treats: the population's care visits, moved to the facility and the time the
fleet's schedule gives them, as the XML 130 records the HIS sends.

Arrivals at each facility are a Poisson process (seeded, one stream per facility); each arrival is a
citizen of the network's population drawn at random, with one of that citizen's visits of the care
model (``population.care``): its kind, diagnosis, drugs, services, lab results (XML4), referral
(XML13) and re-exam appointment (XML14) are kept, its times shifted to the arrival.
"""

from __future__ import annotations

import random
from collections import OrderedDict
from dataclasses import replace
from datetime import date, datetime, timedelta
from functools import lru_cache

from lienthong.simulators.clock import VN_TZ
from lienthong.simulators.population import Citizen, care, citizens, visit_tables, visits
from lienthong.simulators.population.dossier import checkin
from lienthong.simulators.population.facilities import by_code
from lienthong.simulators.visits import HasCode, Visit

DRAWS = 64
RECENT_ARRIVALS = 4096
"""(citizen, minute) pairs remembered per facility, so that nobody arrives twice in one minute."""
"""Citizens tried per arrival before giving up on finding one with a visit to replay."""


def retimed(visit: care.Visit, code: str, arrived: datetime, number: int) -> care.Visit:
    """``visit`` at facility ``code`` from ``arrived`` (naive Vietnam local time), under a new MA_LK."""
    delta = arrived - visit.arrived
    left = visit.left + delta
    ma_lk = f"{code}{arrived:%y%m%d%H%M}{visit.citizen.index:09d}{number % 100:02d}"
    referral = visit.referral
    if referral is not None:
        referral = None if referral.to == code else replace(referral, number=f"CT{ma_lk[-14:]}")
    referred_by, referred_from = visit.referred_by, visit.referred_from
    if referred_by == code:
        referred_by, referred_from = "", None
    category = visit.category
    if visit.kind == "07":  # the pickup code depends on the list in force on the new date
        category = care.pickup_category(left)
    elif not referred_by:
        category = "1.1" if code == visit.citizen.ma_dkbd else "1.2"
    appointment = visit.appointment
    if appointment is not None:
        appointment = left.date() + (appointment - visit.left.date())
    return replace(
        visit,
        ma_lk=ma_lk,
        number=number,
        facility=by_code()[code],
        arrived=arrived,
        left=left,
        category=category,
        labs=[replace(lab, at=lab.at + delta) for lab in visit.labs],
        referral=referral,
        referred_by=referred_by,
        referred_from=referred_from,
        appointment=appointment,
    )


def as_sent(visit: care.Visit, facility: HasCode) -> Visit:
    """The care visit as the records the hospital client sends (check-in and every table)."""
    tables = visit_tables(visit)
    summary = tables.pop("XML1")[0]
    drugs, services, labs = (tables.pop(kind, []) for kind in ("XML2", "XML3", "XML4"))
    return Visit(
        visit.ma_lk, visit.citizen, facility, False, checkin(visit), summary, drugs, services, labs, tables
    )


def local(moment: datetime) -> datetime:
    """An aware moment as naive Vietnam local time (the care model's times)."""
    return moment.astimezone(VN_TZ).replace(tzinfo=None)


def aware(moment: datetime) -> datetime:
    """A naive Vietnam local time (the care model's) as an aware moment."""
    return moment.replace(tzinfo=VN_TZ)


PEOPLE_CHUNK = 256
"""Citizens generated together: one at a time, generating them was half of an audit corpus's time."""


@lru_cache(maxsize=64)
def _chunk(seed: int, first: int) -> list[Citizen]:
    return list(citizens(seed, first, PEOPLE_CHUNK))


@lru_cache(maxsize=16_384)
def _history(seed: int, index: int) -> tuple[Citizen, list[care.Visit]]:
    """A citizen and their care visits, shared by every facility's arrivals in this process (the
    visits are not changed: a replay is a new visit, ``retimed``); bounded, so memory stays flat."""
    person = _chunk(seed, index - index % PEOPLE_CHUNK)[index % PEOPLE_CHUNK]
    return person, visits(person) if person.death is None else []


def _card_covers(person: Citizen, day: date) -> bool:
    """A card holder's card is valid on ``day`` (CARD-02): a child's TE card ends at 72 months, and a
    clean visit after that would need the next card, which the population does not issue."""
    if person.card_to is None:
        return True
    return (person.card_from is None or person.card_from <= day) and day <= person.card_to


class Arrivals:
    """The arrivals of one facility: when (Poisson, ``rate`` per simulated hour) and who."""

    def __init__(self, seed: int, code: str, population: int, rate: float) -> None:
        if rate <= 0:
            raise ValueError(f"arrival rate must be > 0 per hour, got {rate}")
        self.code = code
        self.population = population
        self.rate = rate
        self._times = random.Random(f"lienthong-fleet-times:{seed}:{code}")
        self._people = random.Random(f"lienthong-fleet-people:{seed}:{code}")
        self._seed = seed
        self._arrived: OrderedDict[tuple[int, datetime], None] = OrderedDict()

    def gap(self) -> timedelta:
        """Time to the next arrival."""
        return timedelta(hours=self._times.expovariate(self.rate))

    def _history(self, index: int) -> tuple[Citizen, list[care.Visit]]:
        return _history(self._seed, index)

    def visit(self, arrived: datetime, number: int) -> care.Visit:
        """The visit arriving at ``arrived`` (aware): a living citizen's care visit, replayed here."""
        moment = local(arrived)
        minute, day = moment.replace(second=0, microsecond=0), moment.date()
        for _ in range(DRAWS):
            index = self._people.randrange(self.population)
            person, history = self._history(index)
            if (index, minute) in self._arrived:
                continue  # the same person twice in one minute: the same visit sent twice (TRAFFIC-02)
            if history and person.dob <= day and _card_covers(person, day):
                self._arrived[index, minute] = None
                if len(self._arrived) > RECENT_ARRIVALS:
                    self._arrived.popitem(last=False)
                return retimed(self._people.choice(history), self.code, moment, number)
        raise LookupError(f"no citizen of the population has a visit to replay at {self.code}")
