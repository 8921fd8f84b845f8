"""A run of citizens generated together as columns (vectorised; 10k-citizen chunks keep memory
flat)."""

from __future__ import annotations

import operator
from functools import cache, cached_property

import numpy as np
import numpy.typing as npt

from lienthong.simulators.population import (
    addresses,
    cards,
    events,
    facilities,
    families,
    hashing,
    identity,
    names,
    phones,
    slots,
    tables,
    text,
)

I64 = npt.NDArray[np.int64]
Strings = npt.NDArray[np.object_]
Dates = npt.NDArray[np.datetime64]
Column = list[bytes]

CARD_FROM = np.datetime64(f"{events.EVENT_YEAR}-01-01")
CARD_TO = np.datetime64(f"{slots.REFERENCE_YEAR}-12-31")
REGISTERED_AT_STATION = 65
"""Per cent of cards whose registered primary-care facility (MA_DKBD) is the commune station [I]."""

CSV_COLUMNS = (
    "index",
    "cccd",
    "bhyt",
    "name",
    "dob",
    "sex",
    "address",
    "bhxh",
    "phone",
    "province",
    "commune",
    "birth_province",
    "ethnicity",
    "occupation",
    "card_group",
    "benefit",
    "ma_dkbd",
    "card_from",
    "card_to",
    "death_date",
    "moved_on",
    "previous_cccd",
    "mother",
    "father",
    "guardian",
)


@cache
def _encoded(values: tuple[str, ...]) -> Strings:
    return text.encoded(np.asarray(values, dtype=object))


class CitizenBatch:
    """Citizens ``start .. start + count - 1`` of the population of ``seed``, as columns."""

    def __init__(self, seed: int, start: int, count: int) -> None:
        slots.check_indices(start, count)
        self.seed, self.start, self.count = seed, start, count
        self.index = index = np.arange(start, start + count, dtype=np.uint64)
        core = self.core = identity.core(seed, index)
        self.sex, self.age = core.sex, core.age
        self.dob = events.birth_dates(seed, index, core.age)
        position = core.slot - slots.blocks().starts[core.block]
        birth_year = slots.REFERENCE_YEAR - 1 - core.age
        self.cccd = slots.cccd_numbers(seed, core.block, position, birth_year, core.sex - 1)
        self.bhxh = slots.bhxh_numbers(seed, core.slot, core.birth_province)
        self.mother, self.father = families.parents(seed, index, core.age)
        self.surname_code = names.surname_codes(seed, index)
        self.middle_code, self.given_code = names.middle_and_given_codes(seed, index, core.sex, core.age)
        self.middle = names.middle_table()[0][self.middle_code]
        self.given = names.given_table()[0][self.given_code]
        self.province = core.province.copy()
        self.commune = addresses.communes(seed, index, self.province)
        self.home = index.copy()
        """Whose address the citizen shares (the mother's for children)."""
        self.death = events.death_dates(seed, index, core.age, self.dob)
        self.moved = events.move_dates(seed, index, self.dob)
        self.previous_cccd = events.cancelled_numbers(seed, index, core.block, core.sex)
        self.mother_dead = np.zeros(count, dtype=bool)
        self._follow_parents()
        self.surname = tables.surnames().raw[self.surname_code]
        self.occupation_code, self.group_code = cards.occupation_codes(seed, index, core.age)
        self.occupation = cards.occupation_table()[0][self.occupation_code]
        self.group = cards.group_names()[self.group_code]
        self.phone = phones.phone_numbers(seed, index)
        ethnicities = tables.ethnicities()
        self.ethnicity_code = hashing.pick(hashing.stream(seed, "ethnicity", index), ethnicities.cumulative)
        self.ethnicity = ethnicities.raw[self.ethnicity_code]

    def _follow_parents(self) -> None:
        """Children take the father's surname and live at the mother's address."""
        seed = self.seed
        with_father = np.flatnonzero(self.father >= 0)
        fathers = self.father[with_father].astype(np.uint64)
        self.surname_code[with_father] = names.surname_codes(seed, fathers)
        with_mother = np.flatnonzero(self.mother >= 0)
        mothers = self.mother[with_mother].astype(np.uint64)
        mum = identity.core(seed, mothers)
        self.province[with_mother] = mum.province
        self.commune[with_mother] = addresses.communes(seed, mothers, mum.province)
        self.home[with_mother] = mothers
        mum_death = events.death_dates(seed, mothers, mum.age, events.birth_dates(seed, mothers, mum.age))
        self.mother_dead[with_mother] = ~np.isnat(mum_death)

    @cached_property
    def guardian(self) -> I64:
        """Who manages a child's health book: the mother, or the father if she died; -1 for
        adults."""
        return np.where((self.mother < 0) | self.mother_dead, self.father, self.mother)

    @cached_property
    def province_codes(self) -> Strings:
        return _encoded(tables.places().codes)[self.province]

    @cached_property
    def address_lines(self) -> I64:
        return addresses.line_codes(self.seed, self.home, self.commune, self.province)

    def addresses(self, quote: bytes = b"") -> Column:
        """Full addresses; ``quote`` wraps each one (for CSV, as they hold commas)."""
        head = quoted_lines(quote)[self.address_lines]
        tail = quoted_suffixes(quote)[self.commune]
        return list(map(operator.add, head.tolist(), tail.tolist()))

    @cached_property
    def benefit(self) -> Strings:
        return _encoded(tuple(cards.BENEFIT[g] for g in cards.GROUPS))[self.group_code]

    @cached_property
    def dkbd(self) -> Column:
        return text.digits(self.dkbd_numbers, 5)

    @cached_property
    def dkbd_numbers(self) -> I64:
        """MA_DKBD as an integer (five digits)."""
        places = tables.places()
        station = 100 + self.commune - places.commune_first[_commune_provinces()[self.commune]]
        draw = hashing.below(hashing.stream(self.seed, "dkbd", self.index), 100)
        regional = 20 + draw % facilities.regional_counts()[self.province]
        suffix = np.where(draw < REGISTERED_AT_STATION, station, regional)
        codes = np.asarray([int(c) for c in places.codes], dtype=np.int64)[self.province]
        return codes * 1000 + suffix

    @cached_property
    def card_dates(self) -> tuple[Dates, Dates]:
        start = np.maximum(self.dob, CARD_FROM)
        child_end = self.dob + np.timedelta64(6 * 365 + 1, "D")
        end = np.where(self.group_code == cards.GROUPS.index("TE"), np.minimum(child_end, CARD_TO), CARD_TO)
        return start, end

    def columns(self, *, quote_address: bool = False) -> dict[str, Column]:
        """Every column as UTF-8 bytes, in ``CSV_COLUMNS`` order."""
        card_from, card_to = self.card_dates
        bhxh = text.digits(self.bhxh, 10)
        group = _encoded(cards.GROUPS)[self.group_code].tolist()
        bhyt = list(
            map(
                b"".join,
                zip(group, self.benefit.tolist(), self.province_codes.tolist(), bhxh, strict=True),
            )
        )
        birth = _encoded(slots.blocks().birth_provinces)[self.core.birth_province]
        occupations = _encoded(tuple(cards.occupation_table()[0].tolist()))
        return {
            "index": text.numbers(self.index.astype(np.int64)),
            "cccd": text.digits(self.cccd, 12),
            "bhyt": bhyt,
            "name": names.full_names(self.surname, self.middle, self.given),
            "dob": text.dates(self.dob),
            "sex": [b"1" if s == 1 else b"2" for s in self.sex.tolist()],
            "address": self.addresses(b'"' if quote_address else b""),
            "bhxh": bhxh,
            "phone": text.digits(self.phone, 10),
            "province": self.province_codes.tolist(),
            "commune": _encoded(tuple(tables.places().commune_codes.tolist()))[self.commune].tolist(),
            "birth_province": birth.tolist(),
            "ethnicity": self.ethnicity.tolist(),
            "occupation": occupations[self.occupation_code].tolist(),
            "card_group": group,
            "benefit": self.benefit.tolist(),
            "ma_dkbd": self.dkbd,
            "card_from": text.dates(card_from),
            "card_to": text.dates(card_to),
            "death_date": text.dates(self.death),
            "moved_on": text.dates(self.moved),
            "previous_cccd": text.optional_digits(self.previous_cccd, 12),
            "mother": text.numbers(self.mother),
            "father": text.numbers(self.father),
            "guardian": text.numbers(self.guardian),
        }


@cache
def _commune_provinces() -> I64:
    """Province position of each commune position."""
    places = tables.places()
    return np.searchsorted(places.commune_first, np.arange(len(places.commune_codes)), "right") - 1


@cache
def quoted_lines(quote: bytes) -> Strings:
    lines = addresses.line_table()
    out = np.empty(len(lines), dtype=object)
    out[:] = [quote + line.encode("utf-8") for line in lines.tolist()]
    return out


@cache
def quoted_suffixes(quote: bytes) -> Strings:
    suffixes = addresses.commune_suffixes()
    out = np.empty(len(suffixes), dtype=object)
    out[:] = [s.encode("utf-8") + quote for s in suffixes.tolist()]
    return out
