"""The core of a citizen that everything else hangs on: slot, block, sex, age, residence."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
import numpy.typing as npt

from lienthong.simulators.population import hashing, slots, tables

I64 = npt.NDArray[np.int64]
U64 = npt.NDArray[np.uint64]

STAY_IN_BIRTH_PROVINCE = 85
"""Per cent of citizens living in the (post-2025) province that absorbed their birth province;
the rest live anywhere, weighted by population, so residence still follows the populations [I]."""


@dataclass(frozen=True)
class Core:
    """Vectorised core attributes of a run of citizens."""

    index: U64
    slot: I64
    block: I64
    birth_province: I64
    """Position in ``slots.blocks().birth_provinces``."""
    sex: I64
    """GIOI_TINH: 1 male, 2 female."""
    age: I64
    """Completed years on 1 January ``slots.REFERENCE_YEAR``."""
    province: I64
    """Position of the residence province in ``tables.places().codes``."""


_BUCKET_BITS = 10


@cache
def _buckets() -> tuple[I64, I64]:
    """Block of the first and of the last slot of every bucket of 1,024 slots."""
    starts = slots.blocks().starts
    firsts = np.arange(0, slots.CAPACITY, 1 << _BUCKET_BITS, dtype=np.int64)
    lo = np.searchsorted(starts, firsts, side="right") - 1
    hi = np.searchsorted(starts, firsts + (1 << _BUCKET_BITS) - 1, side="right") - 1
    return lo.astype(np.int64), hi.astype(np.int64)


def slots_and_blocks(seed: int, index: U64) -> tuple[I64, I64]:
    """The slot of each index and the block (birth province, sex, age) that holds it."""
    slot = slots.permute(seed, index).astype(np.int64)
    lo, hi = _buckets()
    bucket = slot >> _BUCKET_BITS
    block = lo[bucket]
    unsure = np.flatnonzero(block != hi[bucket])
    if len(unsure):
        found = np.searchsorted(slots.blocks().starts, slot[unsure], side="right") - 1
        block[unsure] = found
    return slot, block


def core(seed: int, index: U64) -> Core:
    """Slot, block, sex, age and residence province of each index."""
    slot, block = slots_and_blocks(seed, index)
    birth_province = block // (2 * slots.AGES)
    places = tables.places()
    home = places.birth_to_province[birth_province]
    moved = hashing.below(hashing.stream(seed, "migrant", index), 100) >= STAY_IN_BIRTH_PROVINCE
    elsewhere = hashing.pick(hashing.stream(seed, "residence", index), places.residence)
    return Core(
        index=index,
        slot=slot,
        block=block,
        birth_province=birth_province,
        sex=(block // slots.AGES) % 2 + 1,
        age=block % slots.AGES,
        province=np.where(moved, elsewhere, home),
    )
