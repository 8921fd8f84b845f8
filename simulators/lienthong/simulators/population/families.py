"""Families: each child (under 18) is linked to a mother and a father in the same population.

Parents are found by a deterministic search among ``CANDIDATES`` pseudo-random indices near the
child: the first woman 18-45 years older is the mother, the first man 20-55 years older the father.
A child takes the father's surname and lives at the mother's address; the guardian who manages the
child's health book on VNeID is the mother, or the father if she died (QĐ 2733 PL01 Đ7 k3 [S]).
Links may point past the generated range: every index is a citizen of the seed's population.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from lienthong.simulators.population import hashing, identity, slots

I64 = npt.NDArray[np.int64]
U64 = npt.NDArray[np.uint64]

ADULT = 18
CANDIDATES = 48
WINDOW = 1 << 20
_GAPS = {2: (18, 45), 1: (20, 55)}


def parents(seed: int, index: U64, age: I64) -> tuple[I64, I64]:
    """(mother, father) index of each citizen; -1 for adults and when no candidate fits."""
    mother = np.full(len(index), -1, dtype=np.int64)
    father = np.full(len(index), -1, dtype=np.int64)
    todo = {2: np.flatnonzero(age < ADULT), 1: np.flatnonzero(age < ADULT)}
    for first, last in _ROUNDS:
        # The candidates depend on the child only, not on the parent sought: look them up once for
        # every child still missing a mother or a father.
        wanted = np.zeros(len(index), dtype=bool)
        wanted[todo[2]] = True
        wanted[todo[1]] = True
        searching = np.flatnonzero(wanted)
        if len(searching) == 0:
            break
        row_of = np.cumsum(wanted) - 1
        grid = _candidates(seed, index[searching], first, last)
        _, block = identity.slots_and_blocks(seed, grid.ravel())
        cand_sex = ((block // slots.AGES) % 2 + 1).reshape(grid.shape)
        cand_age = (block % slots.AGES).reshape(grid.shape)
        for sex, out in ((2, mother), (1, father)):
            children = todo[sex]
            if len(children) == 0:
                continue
            rows = row_of[children]
            gap = cand_age[rows] - age[children][:, None]
            lo, hi = _GAPS[sex]
            fits = (cand_sex[rows] == sex) & (gap >= lo) & (gap <= hi)
            pos = fits.argmax(axis=1)
            ok = fits[np.arange(len(children)), pos]
            out[children[ok]] = grid[rows[ok], pos[ok]].astype(np.int64)
            todo[sex] = children[~ok]
    return mother, father


_ROUNDS = ((0, 6), (6, 16), (16, CANDIDATES))
"""Candidates are looked at in rounds, in order, so most children stop early (the first fit wins
either way): 57 % have both parents among the first 6 candidates, 96 % among the first 16."""


def _candidates(seed: int, child: U64, first: int, last: int) -> U64:
    rounds = np.arange(first, last, dtype=np.uint64)
    draws = hashing.stream(seed, "parents", child[:, None] * np.uint64(CANDIDATES) + rounds)
    grid = child[:, None] + np.uint64(1) + hashing.below(draws, WINDOW).astype(np.uint64)
    return grid % np.uint64(slots.CAPACITY)
