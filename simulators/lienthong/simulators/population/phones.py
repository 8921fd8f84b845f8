"""Vietnamese mobile numbers: 10 digits, 03x/05x/07x/08x/09x prefixes of the current carriers.

Prefixes after the 2018 renumbering (MIC); carrier weights approximate market shares [I].
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from lienthong.simulators.population import hashing

U64 = npt.NDArray[np.uint64]
I64 = npt.NDArray[np.int64]

CARRIER_PREFIXES = {
    "Viettel": (("86", "96", "97", "98", "32", "33", "34", "35", "36", "37", "38", "39"), 54),
    "VinaPhone": (("88", "91", "94", "81", "82", "83", "84", "85"), 24),
    "MobiFone": (("89", "90", "93", "70", "76", "77", "78", "79"), 18),
    "Vietnamobile": (("92", "56", "58"), 3),
    "Gmobile": (("99", "59"), 1),
}
_PREFIXES = np.asarray(
    [int(p) for prefixes, _ in CARRIER_PREFIXES.values() for p in prefixes], dtype=np.int64
)
_WEIGHTS = hashing.thresholds(
    [share * 1000 // len(prefixes) for prefixes, share in CARRIER_PREFIXES.values() for _ in prefixes]
)


def phone_numbers(seed: int, index: U64) -> I64:
    """The 9 digits after the leading 0, as integers (format with ``f"0{n:09d}"``)."""
    prefix = _PREFIXES[hashing.pick(hashing.stream(seed, "phone-prefix", index), _WEIGHTS)]
    return prefix * 10_000_000 + hashing.below(hashing.stream(seed, "phone", index), 10_000_000)
