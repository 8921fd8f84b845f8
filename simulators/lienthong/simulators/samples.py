"""Sample data for the conformance suite, from the synthetic population.

Satisfies ``lienthong.conformance.context.Samples`` structurally (simulators do not import
conformance): the composition root hands it to the suite.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from functools import cached_property

from lienthong.profiles.patients import Patient
from lienthong.profiles.samples import CardHolder, checkins_of, holder_fields
from lienthong.profiles.samples import episode as sample_episode
from lienthong.simulators.c06.notable import first_deceased, first_reissued
from lienthong.simulators.clock import SimClock, vn_now, vn_stamp
from lienthong.simulators.facilities import staff_of
from lienthong.simulators.gateway.cards import Card
from lienthong.simulators.pki import SigningKey, sign_document
from lienthong.simulators.population import Citizen, citizen, citizens
from lienthong.simulators.visits import Visit, visit_for
from lienthong.simulators.xml130 import checkin_xml, envelope, table_xml

Tables = dict[str, list[dict[str, str]]]


@dataclass(frozen=True, slots=True)
class Identity:
    cccd: str
    ho_ten: str
    ngay_sinh: str
    gioi_tinh: str
    password: str


def patient_of(person: Citizen) -> Patient:
    """A citizen of the population as the patients file describes a card holder."""
    card = Card(person)
    return Patient(
        person.cccd,
        person.bhyt,
        person.name,
        person.dob,
        str(person.sex),
        person.address,
        card.valid_from,
        card.valid_to,
        person.ma_dkbd,
        person.password,
    )


KNOWN_PATIENTS = 60
"""How many citizens of the population the suite offers as card holders the gateway knows."""


@dataclass
class Account:
    """A facility account on a gateway (simulated or real)."""

    code: str
    username: str
    password: str
    name: str = ""
    level: int = 1
    seed: int = 0

    @property
    def province(self) -> str:
        return self.code[:2]


@dataclass
class FacilitySamples:
    """Valid check-ins and dossiers of ``account`` for citizens of the population ``seed``."""

    account: Account
    seed: int
    key: SigningKey | None = None
    clock: SimClock = field(default_factory=SimClock)
    population: int = 1_000_000
    known: int = 0
    """Citizens 0..known-1 are card holders the gateway knows (its card register); 0: none."""
    given_patients: Sequence[CardHolder] | None = None
    """Card holders a real target knows (the patients file); replaces the population's."""
    given_staff: tuple[str, str] | None = None
    """(name, CCCD) of a look-up staff member a real target knows; replaces the simulated one."""
    _arrived: datetime | None = None

    @property
    def facility(self) -> str:
        return self.account.code

    @property
    def province(self) -> str:
        return self.account.province

    @property
    def username(self) -> str:
        return self.account.username

    @property
    def password(self) -> str:
        return self.account.password

    @property
    def can_sign(self) -> bool:
        return self.key is not None

    def person(self, index: int) -> Citizen:
        """The citizen of sample ``index`` (a subclass may dress a real node's patient as one)."""
        return citizen(self.seed, index)

    def visit(self, index: int) -> Visit:
        if self._arrived is None:  # one arrival time per suite run keeps MA_LK stable within it
            self._arrived = self.clock.now() - timedelta(hours=3)
        return visit_for(
            self.person(index),
            self.account,
            seed=self.seed,
            number=1,
            arrived=self._arrived,
        )

    def ma_lk(self, index: int) -> str:
        return self.visit(index).ma_lk

    def _sign(self, document: bytes, signed: bool = True) -> bytes:
        return sign_document(document, self.key) if signed and self.key else document

    def checkin(self, index: int) -> bytes:
        return self._sign(checkin_xml([self.visit(index).checkin]))

    def dossier(
        self,
        index: int,
        *,
        edit: Callable[[Tables], None] | None = None,
        envelope_edit: Callable[[bytes], bytes] | None = None,
        signed: bool = True,
    ) -> bytes:
        visit = self.visit(index)
        tables: Tables = {kind: [dict(r) for r in records] for kind, records in visit.tables.items()}
        if edit:
            edit(tables)
        document = envelope(
            self.facility,
            visit.summary["NGAY_RA"][:8],
            {kind: table_xml(kind, records) for kind, records in tables.items()},
        )
        if envelope_edit:
            document = envelope_edit(document)
        return self._sign(document, signed)

    @cached_property
    def patients(self) -> Sequence[CardHolder]:
        """The given card holders, else citizens the gateway's card register holds: those whose card
        answers 000 today, then those whose card has expired (010)."""
        if self.given_patients is not None:
            return list(self.given_patients)
        if not self.known:
            return []
        today = self.today()
        people = list(citizens(self.seed, 0, min(self.known, KNOWN_PATIENTS * 4)))
        valid = [p for p in people if Card(p).status(today) == "000"][:KNOWN_PATIENTS]
        expired = [p for p in people if Card(p).status(today) == "010"][:3]
        return [patient_of(p) for p in valid + expired]

    def today(self) -> date:
        return vn_now(self.clock).date()

    def _ended(self) -> datetime:
        """Samples end at 11:30 on this moment's day: 14 hours back, that is always in the past."""
        return self.clock.now() - timedelta(hours=14)

    def episode(
        self, number: int, *, variant: int = 0, holder: CardHolder | None = None, version: str = "qd3176"
    ) -> Tables:
        """A valid episode (``profiles.samples.episode``) of this facility that ended two hours
        ago, for ``holder`` or else for citizen ``number`` of the population."""
        # Without a holder: a citizen of the population, the card valid for the visit's year.
        person: CardHolder = holder or replace(
            patient_of(citizen(self.seed, number % max(self.population, 1))), gt_the_tu=None, gt_the_den=None
        )
        ended = self._ended()
        ma_lk = f"{self.facility}{vn_stamp(ended, '%y%m%d%H%M')}V{variant}N{number:07d}"
        return sample_episode(
            number,
            facility=self.facility,
            ma_lk=ma_lk,
            ended=vn_stamp(ended, "%Y%m%d"),
            holder=holder_fields(person),
            variant=variant,
            version=version,
        )

    def checkins(self, tables: Tables) -> list[bytes]:
        return [self.checkin_document(record) for record in checkins_of(tables)]

    def checkin_document(
        self, record: dict[str, str], *, edit: Callable[[bytes], bytes] | None = None
    ) -> bytes:
        document = checkin_xml([record])
        return self._sign(edit(document) if edit else document)

    def seal(
        self,
        tables: Tables,
        *,
        envelope_edit: Callable[[bytes], bytes] | None = None,
        signed: bool = True,
    ) -> bytes:
        document = envelope(
            self.facility,
            tables["XML1"][0]["NGAY_RA"][:8],
            {kind: table_xml(kind, records) for kind, records in tables.items() if records},
        )
        if envelope_edit:
            document = envelope_edit(document)
        return self._sign(document, signed)

    def identity(self, index: int) -> Identity:
        person = citizen(self.seed, index)
        return Identity(person.cccd, person.name, person.dob.isoformat(), str(person.sex), person.password)

    def deceased(self) -> Identity:
        return _identity(first_deceased(self.seed))

    def reissued(self) -> tuple[str, Identity]:
        person = first_reissued(self.seed)
        return person.previous_cccd, _identity(person)

    def unknown_cccd(self) -> str:
        return "001099999999"

    @property
    def staff(self) -> tuple[str, str] | None:
        """(name, CCCD) of the facility's staff member registered for card lookups."""
        if self.given_staff is not None:
            return self.given_staff
        return staff_of(self.account.code)


def _identity(person: Citizen) -> Identity:
    return Identity(person.cccd, person.name, person.dob.isoformat(), str(person.sex), person.password)
