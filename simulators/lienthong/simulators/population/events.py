"""Life events in the simulated year (``EVENT_YEAR``): deaths, moves, cancelled and re-issued IDs.

Births are the citizens born in ``EVENT_YEAR``. A dead citizen has no visit after the death date, so
the health book stops changing. Rates are approximations [I]: mortality by age rounds Việt Nam's
crude death rate (~6 per 1,000), 2 % of citizens move commune in a year, and 1 in
``REISSUE_EVERY`` citizens had an earlier ID number cancelled (wrong birth year corrected,
NĐ 70/2024 Đ11) — cancelled numbers are never reused and never collide with live ones (they take
positions above every block's capacity).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from lienthong.simulators.population import hashing, slots

I64 = npt.NDArray[np.int64]
U64 = npt.NDArray[np.uint64]
Dates = npt.NDArray[np.datetime64]

EVENT_YEAR = slots.REFERENCE_YEAR - 1
YEAR_START = np.datetime64(f"{EVENT_YEAR}-01-01")
YEAR_DAYS = 365
REISSUE_EVERY = 5000
MOVE_PER_THOUSAND = 20
# Deaths per 100,000 in a year by age band (lower bound of the band) [I].
_MORTALITY = (
    (0, 1200),
    (1, 60),
    (5, 25),
    (15, 70),
    (25, 100),
    (35, 180),
    (45, 400),
    (55, 900),
    (65, 2000),
    (75, 5500),
    (85, 15000),
)
_BANDS = np.asarray([lo for lo, _ in _MORTALITY], dtype=np.int64)
_RATES = np.asarray([rate for _, rate in _MORTALITY], dtype=np.int64)
NAT = np.datetime64("NaT", "D")
_RATE_BY_AGE = _RATES[np.searchsorted(_BANDS, np.arange(slots.AGES), side="right") - 1]
"""Deaths per 100,000 at each age (a lookup per citizen instead of a search)."""


def birth_dates(seed: int, index: U64, age: I64) -> Dates:
    """Date of birth: uniform day inside the birth year (age on 1 January of the reference year)."""
    year = slots.REFERENCE_YEAR - 1 - age
    leap = ((year % 4 == 0) & (year % 100 != 0)) | (year % 400 == 0)
    day = hashing.below(hashing.stream(seed, "dob", index), 365 + leap.astype(np.int64))
    first: Dates = (year - 1970).astype("datetime64[Y]").astype("datetime64[D]")
    born: Dates = first + day.astype("timedelta64[D]")
    return born


def death_dates(seed: int, index: U64, age: I64, dob: Dates) -> Dates:
    """Date of death inside ``EVENT_YEAR``, or NaT for citizens alive on 1 January of the next."""
    rate = _RATE_BY_AGE[age]
    values = hashing.stream(seed, "death", index)
    dies = hashing.below(values, 100_000) < rate
    first = np.maximum(dob, YEAR_START)
    span = (YEAR_START + YEAR_DAYS - first).astype(np.int64)
    day = first + hashing.below(values ^ np.uint64(0x3C3C3C), np.maximum(span, 1))
    return np.where(dies, day, NAT)


def move_dates(seed: int, index: U64, dob: Dates) -> Dates:
    """Date of a change of commune inside ``EVENT_YEAR``, or NaT."""
    values = hashing.stream(seed, "move", index)
    moves = (hashing.below(values, 1000) < MOVE_PER_THOUSAND) & (dob < YEAR_START)
    day = YEAR_START + hashing.below(values ^ np.uint64(0x7E7E7E), YEAR_DAYS)
    return np.where(moves, day, NAT)


def cancelled_numbers(seed: int, index: U64, block: I64, sex: I64) -> I64:
    """The cancelled earlier CCCD of re-issued citizens (as integers), -1 for everyone else.

    The wrong number sat in the block of the year before (the birth year was corrected); its
    position is the block's capacity + index // REISSUE_EVERY, above every live position.
    """
    pick = hashing.key(seed, "reissue") % REISSUE_EVERY
    out = np.full(len(index), -1, dtype=np.int64)
    chosen = np.flatnonzero((index % np.uint64(REISSUE_EVERY)) == np.uint64(pick))
    if len(chosen) == 0:
        return out
    own = block[chosen]
    wrong = np.where(own % slots.AGES < slots.AGES - 1, own + 1, own - 1)
    wrong_age = wrong % slots.AGES
    position = slots.blocks().sizes[wrong] + (index[chosen] // np.uint64(REISSUE_EVERY)).astype(np.int64)
    birth_year = slots.REFERENCE_YEAR - 1 - wrong_age
    out[chosen] = slots.cccd_numbers(seed, wrong, position, birth_year, sex[chosen] - 1)
    return out
