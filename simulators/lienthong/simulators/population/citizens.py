"""Citizens as a pure function of (seed, index): identifiers, name, birth, address, card, family.

Built from :class:`~lienthong.simulators.population.batch.CitizenBatch`, so one citizen and the same
citizen inside a million-row export are byte-identical.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from lienthong.simulators.population.batch import CitizenBatch

CHUNK = 10_000
DEFAULT_SEED = 42
"""The population seed every command defaults to (``lienthong generate``, ``simulate``, ``run``,
``load``; :class:`lienthong.simulators.network.NetworkConfig`): data generated with the defaults
belongs to the citizens the default simulated network knows."""
DEMO_POPULATION = 1000
"""Citizens C06 and the card register of ``lienthong simulate`` know by default (indices 0-999)."""


@dataclass(frozen=True, slots=True)
class Citizen:
    """One synthetic person, everything derived from (seed, index)."""

    seed: int
    index: int
    cccd: str
    """12-digit personal ID number (số định danh cá nhân)."""
    bhxh: str
    """10-digit BHXH number."""
    bhyt: str
    """15-character BHYT card code: group, benefit digit, province, BHXH number."""
    name: str
    """Họ Đệm Tên, NFC with diacritics."""
    dob: date
    sex: int
    """GIOI_TINH: 1 male, 2 female."""
    address: str
    province: str
    """Two-digit code of the (post-2025) province of residence."""
    phone: str
    password: str
    """The citizen's synthetic VNeID password (for the simulated sign-in)."""
    commune: str = ""
    """Five-digit commune code (QĐ 19/2025/QĐ-TTg)."""
    birth_province: str = ""
    """Three-digit province of birth registration (63-province era, TT 07/2016/TT-BCA)."""
    ethnicity: str = "01"
    """MA_DANTOC (QĐ 121-TCTK)."""
    occupation: str = "00"
    """MA_NGHE_NGHIEP (QĐ 34/2020/QĐ-TTg level 2; 00 none)."""
    card_group: str = ""
    benefit: int = 4
    ma_dkbd: str = ""
    """Registered primary-care facility."""
    card_from: date | None = None
    card_to: date | None = None
    death: date | None = None
    moved_on: date | None = None
    previous_cccd: str = ""
    """A cancelled earlier ID number (never reused), if the number was re-issued."""
    mother: int | None = None
    father: int | None = None
    guardian: int | None = None
    """Index of the parent who manages a child's health book on VNeID."""

    @property
    def age(self) -> int:
        """Completed years on 1 January 2026 (the generator's reference date)."""
        return 2025 - self.dob.year

    def alive_on(self, day: date) -> bool:
        return self.dob <= day and (self.death is None or day <= self.death)


def _date(text: bytes) -> date | None:
    return date.fromisoformat(text.decode()) if text else None


def _link(text: bytes) -> int | None:
    return int(text) if text else None


def from_batch(batch: CitizenBatch) -> list[Citizen]:
    """The batch's citizens as objects."""
    cols = batch.columns()
    out = []
    for k in range(batch.count):
        row = {name: values[k] for name, values in cols.items()}
        index = batch.start + k
        dob = _date(row["dob"])
        assert dob is not None
        out.append(
            Citizen(
                seed=batch.seed,
                index=index,
                cccd=row["cccd"].decode(),
                bhxh=row["bhxh"].decode(),
                bhyt=row["bhyt"].decode(),
                name=row["name"].decode(),
                dob=dob,
                sex=int(row["sex"]),
                address=row["address"].decode(),
                province=row["province"].decode(),
                phone=row["phone"].decode(),
                password=f"vneid-{batch.seed}-{index}",
                commune=row["commune"].decode(),
                birth_province=row["birth_province"].decode(),
                ethnicity=row["ethnicity"].decode(),
                occupation=row["occupation"].decode(),
                card_group=row["card_group"].decode(),
                benefit=int(row["benefit"]),
                ma_dkbd=row["ma_dkbd"].decode(),
                card_from=_date(row["card_from"]),
                card_to=_date(row["card_to"]),
                death=_date(row["death_date"]),
                moved_on=_date(row["moved_on"]),
                previous_cccd=row["previous_cccd"].decode(),
                mother=_link(row["mother"]),
                father=_link(row["father"]),
                guardian=_link(row["guardian"]),
            )
        )
    return out


def citizen(seed: int, index: int) -> Citizen:
    """The citizen number ``index`` of the population of ``seed``."""
    return from_batch(CitizenBatch(seed, index, 1))[0]


def citizens(seed: int, start: int = 0, count: int = 100) -> Iterator[Citizen]:
    """Citizens ``start`` .. ``start + count - 1`` of the population of ``seed`` (chunked)."""
    for first in range(start, start + count, CHUNK):
        yield from from_batch(CitizenBatch(seed, first, min(CHUNK, start + count - first)))
