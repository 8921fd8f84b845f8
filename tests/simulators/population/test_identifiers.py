"""CCCD, BHXH and BHYT numbers: valid by the profile's rules and unique by construction."""

from __future__ import annotations

import numpy as np
import pytest

from lienthong.profiles.identifiers import bhyt_problems, cccd_problems
from lienthong.simulators.population import CitizenBatch, citizen, slots
from lienthong.simulators.population.events import REISSUE_EVERY


def test_permutation_is_a_bijection_on_a_slice_and_stays_in_range() -> None:
    index = np.arange(0, 1 << 20, dtype=np.uint64)
    slot = slots.permute(11, index)
    assert len(np.unique(slot)) == len(index)
    assert int(slot.max()) < slots.CAPACITY


def test_blocks_fit_six_digit_serials_with_room_for_cancelled_numbers() -> None:
    table = slots.blocks()
    assert int(table.sizes.sum()) == slots.CAPACITY
    assert int(table.sizes.max()) + slots.CAPACITY // REISSUE_EVERY < slots.SERIALS
    assert int(np.diff(np.append(table.province_starts, slots.CAPACITY)).max()) < 10**8


def test_200k_citizens_have_unique_valid_numbers() -> None:
    batch = CitizenBatch(5, 0, 200_000)
    assert len(np.unique(batch.cccd)) == batch.count
    assert len(np.unique(batch.bhxh)) == batch.count
    cancelled = batch.previous_cccd[batch.previous_cccd >= 0]
    assert len(cancelled) == batch.count // REISSUE_EVERY
    assert not np.isin(cancelled, batch.cccd).any()
    cols = batch.columns()
    for k in range(0, batch.count, 997):
        year = int(cols["dob"][k][:4])
        sex = int(cols["sex"][k])
        assert cccd_problems(cols["cccd"][k].decode(), birth_year=year, sex=sex) == []
        assert bhyt_problems(cols["bhyt"][k].decode()) == []


def test_numbers_are_unique_across_the_whole_index_range() -> None:
    rng = np.random.default_rng(0)
    starts = sorted({int(s) for s in rng.integers(0, slots.CAPACITY - 500, 200)})
    numbers = np.concatenate([CitizenBatch(9, s, 500).cccd for s in starts])
    index_count = len({i for s in starts for i in range(s, s + 500)})
    assert len(np.unique(numbers)) == index_count


def test_last_index_exists_and_past_it_is_refused() -> None:
    assert len(citizen(1, slots.CAPACITY - 1).cccd) == 12
    with pytest.raises(ValueError, match="268,435,456"):
        CitizenBatch(1, slots.CAPACITY - 1, 2)


def test_seeds_give_different_numbers() -> None:
    assert citizen(1, 0).cccd != citizen(2, 0).cccd
