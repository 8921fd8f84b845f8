"""Vietnamese names in Họ–Đệm–Tên order with diacritics (NFC) and sex-consistent middle names.

Surname shares follow the published top-14 figures; middle-name weights differ for people born
before and from 1990 ("Văn" and "Thị" are far more common in older cohorts) [I].
See data/SOURCES.md.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from lienthong.simulators.population import hashing, slots, tables

I64 = npt.NDArray[np.int64]
U64 = npt.NDArray[np.uint64]
Strings = npt.NDArray[np.object_]


def surname_codes(seed: int, index: U64) -> I64:
    """Position of each citizen's own surname in ``tables.surnames()``."""
    return hashing.pick(hashing.stream(seed, "surname", index), tables.surnames().cumulative)


def middle_and_given(seed: int, index: U64, sex: I64, age: I64) -> tuple[Strings, Strings]:
    """Middle (đệm) and given (tên) names (UTF-8 bytes) from the lists for each sex and cohort."""
    middle = np.empty(len(index), dtype=object)
    given = np.empty(len(index), dtype=object)
    m_values = hashing.stream(seed, "middle", index)
    g_values = hashing.stream(seed, "given", index)
    recent = (slots.REFERENCE_YEAR - 1 - age) >= 1990
    for s in (1, 2):
        names = tables.given_names(s)
        of_sex = sex == s
        given[of_sex] = names.raw[hashing.pick(g_values[of_sex], names.cumulative)]
        for cohort in (False, True):
            mask = of_sex & (recent == cohort)
            choices = tables.middle_names(s, cohort)
            middle[mask] = choices.raw[hashing.pick(m_values[mask], choices.cumulative)]
    return middle, given


def full_names(surname: Strings, middle: Strings, given: Strings) -> list[bytes]:
    """``Họ Đệm Tên`` as UTF-8 bytes."""
    return list(map(b" ".join, zip(surname, middle, given, strict=True)))
