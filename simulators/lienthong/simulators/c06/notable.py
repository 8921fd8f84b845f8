"""Notable citizens of a population: the first who died and the first whose number was re-issued.

Both are rare (about 1 in 200 and 1 in 5,000), so a small simulated register may hold neither;
the network loads these into C06 and the conformance samples use them (C06-03).
"""

from __future__ import annotations

from functools import cache

from lienthong.simulators.population import Citizen, citizens

_CHUNK = 2_000
_LIMIT = 500_000


@cache
def _notable(seed: int) -> tuple[Citizen, Citizen]:
    """(first deceased, first living with a re-issued number), scanning in small chunks."""
    dead: Citizen | None = None
    renewed: Citizen | None = None
    for start in range(0, _LIMIT, _CHUNK):
        for person in citizens(seed, start, _CHUNK):
            if dead is None and person.death is not None:
                dead = person
            if renewed is None and person.previous_cccd and person.death is None:
                renewed = person
        if dead is not None and renewed is not None:
            return dead, renewed
    raise LookupError(
        f"no deceased citizen or no re-issued number among the first {_LIMIT} of population {seed}"
    )


def first_deceased(seed: int) -> Citizen:
    return _notable(seed)[0]


def first_reissued(seed: int) -> Citizen:
    """A living citizen whose earlier number was cancelled and replaced."""
    return _notable(seed)[1]


def notable(seed: int) -> list[Citizen]:
    return [first_deceased(seed), first_reissued(seed)]
