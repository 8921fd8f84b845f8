"""Identifier slots: why CCCD and BHXH numbers are unique by construction.

The population of a seed has ``CAPACITY`` slots. A slot belongs to one *block* (province of birth
registration, sex, birth year) and every block owns a contiguous run of slots whose length follows
the age pyramid and the provinces' populations. Citizen ``index`` takes slot ``P(index)`` where
``P`` is a seed-keyed bijection of ``[0, CAPACITY)`` (a Feistel network), so citizens get distinct
slots, every block is sampled without replacement, and the position inside the block (< 10**6) is
the CCCD's six last digits: two citizens can never share a number, and nothing is stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
import numpy.typing as npt

from lienthong.simulators.population import hashing
from lienthong.simulators.population._data import rows, weight

BITS = 28
CAPACITY = 1 << BITS
"""Citizens per seed: 268,435,456 (more than 2.5 times Việt Nam's population)."""
REFERENCE_YEAR = 2026
"""Ages are counted on 1 January of this year (never "today")."""
AGES = 100
SERIALS = 1_000_000
_HALF = BITS // 2
_HALF_MASK = np.uint64((1 << _HALF) - 1)
_SERIAL_STEP = 736_297  # coprime to 10**6: (serial * step + offset) % 10**6 is a bijection
_BHXH_STEP = 7_368_787  # coprime to 10**8

I64 = npt.NDArray[np.int64]


@dataclass(frozen=True)
class BlockTable:
    """Blocks in order (birth province, sex, age) and the first slot of each."""

    birth_provinces: tuple[str, ...]
    """The 63 three-digit codes of TT 07/2016/TT-BCA, in block order."""
    starts: I64
    sizes: I64
    province_starts: I64
    """First slot of each birth province (BHXH numbers count from it)."""

    def block(self, province: int, sex: int, age: int) -> int:
        """Block number of (birth-province position, sex 0 male / 1 female, age)."""
        return (province * 2 + sex) * AGES + age


def _year_weights() -> tuple[list[int], list[int]]:
    """Weights of each age 0..99 for males and females, from the five-year pyramid."""
    male, female = [0] * AGES, [0] * AGES
    for row in rows("age_pyramid"):
        lo, hi = int(row["age_from"]), int(row["age_to"])
        span = hi - lo + 1
        share = weight(row["male_share"])
        total = weight(row["percent"]) * 1000
        # 80+ thins out: weight 2 * (span - k) / (span + 1) per year, else flat.
        for k, age in enumerate(range(lo, hi + 1)):
            per_year = total * 2 * (span - k) // (span * (span + 1)) if span > 5 else total // span
            male[age] = per_year * share // 1000
            female[age] = per_year * (1000 - share) // 1000
    return male, female


@cache
def blocks() -> BlockTable:
    """The block table (computed once, exact integer arithmetic)."""
    population = {r["code"]: int(r["population"]) for r in rows("provinces")}
    merger = {r["birth_province"]: r["province"] for r in rows("province_merger")}
    members: dict[str, int] = {}
    for new in merger.values():
        members[new] = members.get(new, 0) + 1
    codes = tuple(sorted(merger))
    province_weight = [population[merger[c]] * 6 // members[merger[c]] for c in codes]
    male, female = _year_weights()
    weights = [pw * ages[a] for pw in province_weight for ages in (male, female) for a in range(AGES)]
    total = sum(weights)
    sizes = [w * CAPACITY // total for w in weights]
    order = sorted(range(len(weights)), key=lambda b: (-(weights[b] * CAPACITY % total), b))
    for b in order[: CAPACITY - sum(sizes)]:
        sizes[b] += 1
    starts = np.concatenate(([0], np.cumsum(sizes)[:-1])).astype(np.int64)
    per_province = 2 * AGES
    return BlockTable(codes, starts, np.asarray(sizes, dtype=np.int64), starts[::per_province].copy())


def permute(seed: int, index: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint64]:
    """The slot of each index: a 4-round Feistel bijection of ``[0, CAPACITY)`` keyed by seed."""
    left = index >> np.uint64(_HALF)
    right = index & _HALF_MASK
    for round_no in range(4):
        k = np.uint64(hashing.key(seed, "slot", round_no))
        f = hashing.mix_array(right ^ k) & _HALF_MASK
        left, right = right, left ^ f
    return (left << np.uint64(_HALF)) | right


def check_indices(start: int, count: int) -> None:
    """Refuse index ranges outside the population, with the bound in the message."""
    if start < 0 or count < 0 or start + count > CAPACITY:
        raise ValueError(
            f"citizen indices {start}..{start + count - 1} are outside 0..{CAPACITY - 1}: "
            f"one seed holds {CAPACITY:,} citizens; use another seed for more"
        )


def serial_offset(seed: int, block: I64) -> I64:
    """Per-block offset that scrambles positions into the CCCD's last six digits."""
    values = hashing.stream(seed, "cccd-serial", block.astype(np.uint64))
    return hashing.below(values, SERIALS)


def cccd_numbers(seed: int, block: I64, position: I64, birth_year: I64, sex: I64) -> I64:
    """12-digit CCCD numbers (as integers) for positions inside blocks; sex is 0 male, 1 female."""
    table = blocks()
    province = block // (2 * AGES)
    codes = np.asarray([int(c) for c in table.birth_provinces], dtype=np.int64)[province]
    century = (birth_year // 100 - 19) * 2 + sex
    serial = (position * _SERIAL_STEP + serial_offset(seed, block)) % SERIALS
    return codes * 10**9 + century * 10**8 + (birth_year % 100) * 10**6 + serial


def bhxh_numbers(seed: int, slot: I64, province: I64) -> I64:
    """10-digit BHXH numbers: birth-province code (2 digits) + a bijection of the slot's rank."""
    table = blocks()
    rank = slot - table.province_starts[province]
    offset = hashing.key(seed, "bhxh") % 10**8
    codes = np.asarray([int(c) % 100 for c in table.birth_provinces], dtype=np.int64)[province]
    return codes * 10**8 + (rank * _BHXH_STEP + offset) % 10**8
