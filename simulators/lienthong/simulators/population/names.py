"""Vietnamese names in Họ–Đệm–Tên order with diacritics (NFC) and sex-consistent middle names.

Surname shares follow the published top-14 figures; middle-name weights differ for people born
before and from 1990 ("Văn" and "Thị" are far more common in older cohorts) [I].
See data/SOURCES.md.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import numpy.typing as npt

from lienthong.simulators.population import hashing, slots, tables

I64 = npt.NDArray[np.int64]
U64 = npt.NDArray[np.uint64]
Strings = npt.NDArray[np.object_]


def surname_codes(seed: int, index: U64) -> I64:
    """Position of each citizen's own surname in ``tables.surnames()``."""
    return hashing.pick(hashing.stream(seed, "surname", index), tables.surnames().cumulative)


_COHORTS = ((1, False), (1, True), (2, False), (2, True))


@cache
def middle_table() -> tuple[Strings, dict[tuple[int, bool], int]]:
    """The middle-name lists of each (sex, born from 1990) end to end, as UTF-8 bytes, and where
    each list starts: one code space, so a column of middle names is one table lookup."""
    lists = [tables.middle_names(sex, cohort).raw for sex, cohort in _COHORTS]
    starts = np.cumsum([0] + [len(values) for values in lists[:-1]]).tolist()
    return np.concatenate(lists), dict(zip(_COHORTS, starts, strict=True))


@cache
def given_table() -> tuple[Strings, dict[int, int]]:
    """The given-name lists of sex 1 and 2 end to end (UTF-8 bytes) and where each starts."""
    male, female = tables.given_names(1).raw, tables.given_names(2).raw
    return np.concatenate([male, female]), {1: 0, 2: len(male)}


def middle_and_given_codes(seed: int, index: U64, sex: I64, age: I64) -> tuple[I64, I64]:
    """Positions of each citizen's middle (đệm) and given (tên) name in :func:`middle_table` and
    :func:`given_table`, drawn from the lists for their sex and cohort."""
    middle = np.empty(len(index), dtype=np.int64)
    given = np.empty(len(index), dtype=np.int64)
    m_values = hashing.stream(seed, "middle", index)
    g_values = hashing.stream(seed, "given", index)
    recent = (slots.REFERENCE_YEAR - 1 - age) >= 1990
    middle_starts, given_starts = middle_table()[1], given_table()[1]
    for s in (1, 2):
        names = tables.given_names(s)
        of_sex = sex == s
        given[of_sex] = given_starts[s] + hashing.pick(g_values[of_sex], names.cumulative)
        for cohort in (False, True):
            mask = of_sex & (recent == cohort)
            choices = tables.middle_names(s, cohort)
            middle[mask] = middle_starts[s, cohort] + hashing.pick(m_values[mask], choices.cumulative)
    return middle, given


def middle_and_given(seed: int, index: U64, sex: I64, age: I64) -> tuple[Strings, Strings]:
    """Middle (đệm) and given (tên) names (UTF-8 bytes) from the lists for each sex and cohort."""
    middle, given = middle_and_given_codes(seed, index, sex, age)
    return middle_table()[0][middle], given_table()[0][given]


def full_names(surname: Strings, middle: Strings, given: Strings) -> list[bytes]:
    """``Họ Đệm Tên`` as UTF-8 bytes."""
    return list(map(b" ".join, zip(surname, middle, given, strict=True)))
