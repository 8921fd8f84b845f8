"""Episodes built from a stream of submissions: what the traffic rules need of each visit, kept
small (a few strings per episode, the payload dropped as soon as it is read).

A replacement dossier (same facility and MA_LK) adds a version to its episode; the latest version
received counts (CHAIN-03): its fields and its per-file violations stand for the episode, an
accepted version before any refused one.

Times are held as integer microseconds since 1970-01-01 of naive Vietnam local time (``*_us``
fields; a property of the old name gives the ``datetime``): the episodes are the audit's resumable
state, and pickling a ``datetime`` costs about a hundred times what an int does (1.5 µs each: with
six of them an episode cost 8 µs to save, more than its update).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, fields
from datetime import datetime, timedelta
from operator import attrgetter
from sys import intern
from typing import Any

from lienthong.profiles.validation import Violation

Tables = dict[str, list[dict[str, str]]]
PARACLINICAL_GROUPS = frozenset({"1", "2", "3"})
"""XML3 MA_NHOM of a laboratory, imaging or function test (PRES-03/PRES-04 read it the same way)."""
REFERRAL_DISCHARGES = frozenset({"2", "5"})
"""MA_LOAI_RV of a referral discharge (PRES-01)."""
EMERGENCY = "2"
"""MA_DOITUONG_KCB of an emergency: no check-in is due (QĐ 130 Đ3 k1)."""


@dataclass(slots=True, init=False)
class Received:
    """One submission as the judge needs it: who sent what, when, and what the file validator said."""

    seq: int
    """Journal id, or the file's number in a folder: names the submission in findings."""
    kind: str
    """``checkin`` or ``dossier``."""
    facility: str
    received_at: datetime
    """Naive Vietnam local time, like the times inside the XML."""
    tables: Tables
    """The records read: ``{"XML0": [...]}`` for a check-in, LOAIHOSO -> records for a dossier."""
    violations: list[Violation] = field(default_factory=list)
    """What the per-file validator found in this submission."""
    accepted: bool = True
    """The gateway accepted it (maKetQua 200); a file in a folder counts as sent."""
    identity: str | None = None
    """C06's answer on the dossier's identity: ``verified``, ``rejected``, or None when the source
    does not say."""
    delivered_at: datetime | None = None
    """When the gateway forwarded it to the MoH store (stands for visible on VNeID), if known."""

    def __init__(
        self,
        seq: int,
        kind: str,
        facility: str,
        received_at: datetime,
        tables: Tables,
        violations: list[Violation] | None = None,
        accepted: bool = True,
        identity: str | None = None,
        delivered_at: datetime | None = None,
    ) -> None:
        # Written out (init=False): mypyc compiles a hand-written __init__, while the one that
        # dataclasses generates runs interpreted, at five times the cost (hatch_build.COMPILED).
        self.seq = seq
        self.kind = kind
        self.facility = facility
        self.received_at = received_at
        self.tables = tables
        self.violations = [] if violations is None else violations
        self.accepted = accepted
        self.identity = identity
        self.delivered_at = delivered_at


_TABLE_SETS: dict[frozenset[str], frozenset[str]] = {}


def _table_set(tables: Tables) -> frozenset[str]:
    """The set of tables of a dossier, shared between the episodes that have the same one."""
    key = frozenset(tables)
    return _TABLE_SETS.setdefault(key, key)


_EPOCH = datetime(1970, 1, 1)
_MICROSECOND = timedelta(microseconds=1)


def micros(moment: datetime) -> int:
    """A naive time as integer microseconds since 1970-01-01 (exact: no time zone, no float)."""
    return (moment - _EPOCH) // _MICROSECOND


def moment(us: int | None) -> datetime | None:
    """The naive time of :func:`micros`' integer (None stays None)."""
    return None if us is None else _EPOCH + timedelta(microseconds=us)


def _stamp(text: str) -> datetime | None:
    """A yyyymmddHHMM field as a time, or None when it is not one (ISO 8601's basic format read by
    ``fromisoformat``, in C: strptime, or int() of each part, cost more than the rest of an
    episode's update)."""
    if len(text) < 12 or not text[:12].isdigit():
        return None
    try:
        return datetime.fromisoformat(f"{text[:8]}T{text[8:12]}")
    except ValueError:
        return None


_NOTHING: dict[str, str] = {}


def _bills_labs(services: Iterable[dict[str, str]]) -> bool:
    for row in services:  # noqa: SIM110 (a loop, not any() over a generator: a tenth of the update)
        if row.get("MA_NHOM", "") in PARACLINICAL_GROUPS:
            return True
    return False


@dataclass(slots=True, init=False)
class Version:
    """The fields of one dossier version the rules read."""

    seq: int
    received_us: int
    accepted: bool
    patient: str
    """SO_CCCD, else MA_BN: who the visit is of."""
    cccd: str
    ngay_sinh: str
    gioi_tinh: str
    ngay_vao: str
    ngay_ra: str
    ma_loai_kcb: str
    ma_doituong_kcb: str
    bhyt: bool
    tables: frozenset[str]
    referral: bool
    """MA_LOAI_RV says referral: an XML13 is implied."""
    appointment: bool
    """NGAY_TAI_KHAM is filled: an XML14 is implied."""
    labs_billed: bool
    """XML3 bills a paraclinical service: an XML4 is implied."""
    violations: tuple[Violation, ...]
    identity: str | None
    delivered_us: int | None

    def __init__(
        self,
        seq: int,
        received_us: int,
        accepted: bool,
        patient: str,
        cccd: str,
        ngay_sinh: str,
        gioi_tinh: str,
        ngay_vao: str,
        ngay_ra: str,
        ma_loai_kcb: str,
        ma_doituong_kcb: str,
        bhyt: bool,
        tables: frozenset[str],
        referral: bool,
        appointment: bool,
        labs_billed: bool,
        violations: tuple[Violation, ...],
        identity: str | None,
        delivered_us: int | None,
    ) -> None:
        self.seq = seq  # written out, as Received's is
        self.received_us = received_us
        self.accepted = accepted
        self.patient = patient
        self.cccd = cccd
        self.ngay_sinh = ngay_sinh
        self.gioi_tinh = gioi_tinh
        self.ngay_vao = ngay_vao
        self.ngay_ra = ngay_ra
        self.ma_loai_kcb = ma_loai_kcb
        self.ma_doituong_kcb = ma_doituong_kcb
        self.bhyt = bhyt
        self.tables = tables
        self.referral = referral
        self.appointment = appointment
        self.labs_billed = labs_billed
        self.violations = violations
        self.identity = identity
        self.delivered_us = delivered_us

    @property
    def received_at(self) -> datetime:
        return _EPOCH + timedelta(microseconds=self.received_us)  # never None

    @property
    def delivered_at(self) -> datetime | None:
        return moment(self.delivered_us)

    @classmethod
    def of(cls, sub: Received) -> Version:
        tables = sub.tables
        summary = tables.get("XML1")
        get = summary[0].get if summary else _NOTHING.get
        cccd = get("SO_CCCD", "")
        delivered = sub.delivered_at
        return cls(
            sub.seq,
            micros(sub.received_at),
            sub.accepted,
            cccd or get("MA_BN", ""),
            cccd,
            get("NGAY_SINH", "")[:8],
            intern(get("GIOI_TINH", "")),
            get("NGAY_VAO", ""),
            get("NGAY_RA", ""),
            intern(get("MA_LOAI_KCB", "")),
            intern(get("MA_DOITUONG_KCB", "")),
            bool(get("MA_THE_BHYT", "")),
            _table_set(tables),
            get("MA_LOAI_RV", "") in REFERRAL_DISCHARGES,
            bool(get("NGAY_TAI_KHAM", "")),
            _bills_labs(tables.get("XML3", ())),
            tuple(sub.violations),
            sub.identity,
            None if delivered is None else micros(delivered),
        )

    def later_than(self, other: Version) -> bool:
        """Whether this version replaces ``other``: accepted beats refused, then the later receipt."""
        return (self.accepted, self.received_us, self.seq) > (other.accepted, other.received_us, other.seq)


@dataclass(slots=True, init=False)
class Episode:
    """One visit of one facility (facility, MA_LK): its check-ins and dossier versions, condensed."""

    facility: str
    ma_lk: str
    checkin_us: int | None = None
    """The first check-in received (:attr:`checkin_at`)."""
    checkin_seq: int = 0
    first_cost_us: int | None = None
    """NGAY_YL of the first check-in's record: when the first cost arose (:attr:`first_cost`)."""
    checkin_type: str = ""
    """MA_LOAI_KCB of the check-in."""
    checkin_bhyt: bool = False
    checkin_emergency: bool = False
    checkin_violations: tuple[Violation, ...] = ()
    first_dossier_us: int | None = None
    """The first accepted dossier received (the deadline is judged on it; later versions replace;
    :attr:`first_dossier_at`)."""
    first_dossier_seq: int = 0
    versions: int = 0
    patients: tuple[str, ...] = ()
    """Every patient the dossier versions named (KEY-01: more than one is a broken MA_LK)."""
    first_try_us: int | None = None
    """The first dossier received, accepted or refused: the check-in comes before it (XML0-06)
    whatever the gateway answered (a gateway that enforces the order refuses the dossier;
    :attr:`first_try_at`)."""
    first_try_seq: int = 0
    latest: Version | None = None
    """The version that counts (the last field: :func:`episodes_state` relies on it)."""

    def __init__(
        self,
        facility: str,
        ma_lk: str,
        checkin_us: int | None = None,
        checkin_seq: int = 0,
        first_cost_us: int | None = None,
        checkin_type: str = "",
        checkin_bhyt: bool = False,
        checkin_emergency: bool = False,
        checkin_violations: tuple[Violation, ...] = (),
        first_dossier_us: int | None = None,
        first_dossier_seq: int = 0,
        versions: int = 0,
        patients: tuple[str, ...] = (),
        first_try_us: int | None = None,
        first_try_seq: int = 0,
        latest: Version | None = None,
    ) -> None:
        self.facility = facility  # written out, as Received's is
        self.ma_lk = ma_lk
        self.checkin_us = checkin_us
        self.checkin_seq = checkin_seq
        self.first_cost_us = first_cost_us
        self.checkin_type = checkin_type
        self.checkin_bhyt = checkin_bhyt
        self.checkin_emergency = checkin_emergency
        self.checkin_violations = checkin_violations
        self.first_dossier_us = first_dossier_us
        self.first_dossier_seq = first_dossier_seq
        self.versions = versions
        self.patients = patients
        self.first_try_us = first_try_us
        self.first_try_seq = first_try_seq
        self.latest = latest

    @property
    def checkin_at(self) -> datetime | None:
        return moment(self.checkin_us)

    @property
    def first_cost(self) -> datetime | None:
        return moment(self.first_cost_us)

    @property
    def first_dossier_at(self) -> datetime | None:
        return moment(self.first_dossier_us)

    @property
    def first_try_at(self) -> datetime | None:
        return moment(self.first_try_us)

    def add(self, sub: Received) -> None:
        if sub.kind == "checkin":
            self._checkin(sub)
        else:
            self._dossier(sub)

    def _checkin(self, sub: Received) -> None:
        at = micros(sub.received_at)
        if self.checkin_us is not None and (self.checkin_us, self.checkin_seq) <= (at, sub.seq):
            return  # a later check-in (the second one on admission) changes nothing judged here
        record = (sub.tables.get("XML0") or [{}])[0]
        self.checkin_us, self.checkin_seq = at, sub.seq
        cost = _stamp(record.get("NGAY_YL", "")) or _stamp(record.get("NGAY_VAO", ""))
        self.first_cost_us = None if cost is None else micros(cost)
        self.checkin_type = intern(record.get("MA_LOAI_KCB", ""))
        self.checkin_bhyt = bool(record.get("MA_THE_BHYT", ""))
        self.checkin_emergency = record.get("MA_DOITUONG_KCB", "") == EMERGENCY
        self.checkin_violations = tuple(sub.violations)

    def _dossier(self, sub: Received) -> None:
        version = Version.of(sub)
        at = version.received_us
        if self.first_try_us is None or (at, sub.seq) < (self.first_try_us, self.first_try_seq):
            self.first_try_us, self.first_try_seq = at, sub.seq
        if sub.accepted:
            self.versions += 1
            first = self.first_dossier_us
            if first is None or (at, sub.seq) < (first, self.first_dossier_seq):
                self.first_dossier_us, self.first_dossier_seq = at, sub.seq
        if version.patient and version.patient not in self.patients:
            self.patients = (*self.patients, version.patient)
        if self.latest is None or version.later_than(self.latest):
            self.latest = version

    @property
    def sent(self) -> bool:
        """A dossier of this visit was accepted: the visit is interconnected."""
        return self.first_dossier_us is not None

    @property
    def emergency(self) -> bool:
        if self.latest is not None:
            return self.latest.ma_doituong_kcb == EMERGENCY
        return self.checkin_emergency

    @property
    def ma_loai_kcb(self) -> str:
        return self.latest.ma_loai_kcb if self.latest is not None else self.checkin_type

    @property
    def bhyt(self) -> bool:
        return self.latest.bhyt if self.latest is not None else self.checkin_bhyt

    @property
    def month(self) -> str:
        """yyyy-mm of the visit (its end, else its arrival, else when it was received)."""
        if self.latest is not None:
            stamp = _stamp(self.latest.ngay_ra) or _stamp(self.latest.ngay_vao)
            if stamp is not None:
                return f"{stamp:%Y-%m}"
            return f"{self.latest.received_at:%Y-%m}"
        first = self.first_cost or self.checkin_at
        return f"{first:%Y-%m}" if first is not None else ""

    @property
    def episode_end(self) -> datetime | None:
        return _stamp(self.latest.ngay_ra) if self.latest is not None else None


_version_fields: Callable[[Version], tuple[object, ...]] = attrgetter(*(f.name for f in fields(Version)))
_episode_plain: Callable[[Episode], tuple[object, ...]] = attrgetter(*(f.name for f in fields(Episode)[:-1]))
_violation_fields: Callable[[Violation], tuple[object, ...]] = attrgetter(
    *(f.name for f in fields(Violation))
)
_CHECKIN_VIOLATIONS = [f.name for f in fields(Episode)].index("checkin_violations")
_VERSION_VIOLATIONS = [f.name for f in fields(Version)].index("violations")

EpisodeState = tuple[tuple[Any, ...], tuple[Any, ...] | None]
"""An episode as plain values: its fields but ``latest``, and ``latest``'s fields (or None), the
violations as tuples of their fields."""


def _plain_violations(values: tuple[Any, ...], at: int) -> tuple[Any, ...]:
    if not values[at]:
        return values
    return (*values[:at], tuple(map(_violation_fields, values[at])), *values[at + 1 :])


def _violations_back(values: tuple[Any, ...], at: int) -> tuple[Any, ...]:
    if not values[at]:
        return values
    return (*values[:at], tuple(Violation(*v) for v in values[at]), *values[at + 1 :])


def episodes_state(episodes: Iterable[Episode]) -> list[EpisodeState]:
    """Episodes as tuples of ints, strings and frozensets, for the audit's resumable state
    (``marshal``: with no object to rebuild and no memo of the strings, saving 500,000 episodes
    takes a fraction of what pickling the objects did, and grows in proportion)."""
    out: list[EpisodeState] = []
    for episode in episodes:
        plain = _plain_violations(_episode_plain(episode), _CHECKIN_VIOLATIONS)
        latest = episode.latest
        version = None if latest is None else _plain_violations(_version_fields(latest), _VERSION_VIOLATIONS)
        out.append((plain, version))
    return out


def episodes_from_state(state: Iterable[EpisodeState]) -> Iterator[Episode]:
    for plain, latest in state:
        episode = Episode(*_violations_back(plain, _CHECKIN_VIOLATIONS))
        if latest is not None:
            episode.latest = Version(*_violations_back(latest, _VERSION_VIOLATIONS))
        yield episode
