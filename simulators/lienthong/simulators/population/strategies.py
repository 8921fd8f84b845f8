"""Hypothesis strategies (imports hypothesis: a test dependency, not needed by the generator).

Plural nouns, keyword-only bounds, arguments checked early:

- ``citizens(seed=..., min_age=, max_age=)`` valid citizens of the synthetic population;
- ``visits(...)`` valid visits of those citizens;
- ``dossiers(...)`` (visit, GIAMDINHHS bytes) pairs that pass ``validate_dossier``;
- ``invalid_dossiers(requirements=...)`` (requirement ID, bytes) pairs that break exactly that rule.

``register_formats()`` registers the ``cccd`` and ``bhyt`` string formats with schemathesis when it
is installed, so API fuzzing draws real-looking identifiers.
"""

from __future__ import annotations

import copy

from hypothesis import strategies as st

from lienthong.profiles import mutations
from lienthong.simulators.population import care, dossier, slots
from lienthong.simulators.population.citizens import Citizen, citizen
from lienthong.simulators.population.exporters.xml130 import dossier_bytes

_MAX_SEED = 2**32 - 1


def _check_ages(min_age: int, max_age: int) -> None:
    if not 0 <= min_age <= max_age < slots.AGES:
        raise ValueError(
            f"min_age={min_age}, max_age={max_age}: ages must satisfy 0 <= min_age <= max_age <= "
            f"{slots.AGES - 1} (ages are counted on 1 January {slots.REFERENCE_YEAR})"
        )


def citizens(
    *, seed: int | None = None, min_age: int = 0, max_age: int = slots.AGES - 1
) -> st.SearchStrategy[Citizen]:
    """Citizens of population ``seed`` (any seed when None), aged ``min_age`` to ``max_age``."""
    _check_ages(min_age, max_age)
    if seed is not None and not 0 <= seed <= _MAX_SEED:
        raise ValueError(f"seed={seed} must be in 0..{_MAX_SEED}")
    seeds = st.just(seed) if seed is not None else st.integers(0, _MAX_SEED)
    people = st.builds(citizen, seeds, st.integers(0, slots.CAPACITY - 1))
    if (min_age, max_age) != (0, slots.AGES - 1):
        people = people.filter(lambda c: min_age <= c.age <= max_age)
    return people


def visits(
    *, seed: int | None = None, min_age: int = 0, max_age: int = slots.AGES - 1
) -> st.SearchStrategy[care.Visit]:
    """Visits of citizens drawn by :func:`citizens` (citizens without visits are skipped)."""
    return (
        citizens(seed=seed, min_age=min_age, max_age=max_age)
        .map(care.visits)
        .filter(bool)
        .flatmap(st.sampled_from)
    )


def dossiers(*, seed: int | None = None) -> st.SearchStrategy[tuple[care.Visit, bytes]]:
    """(visit, its unsigned GIAMDINHHS envelope), valid against the QĐ 3176 profile."""
    return visits(seed=seed).map(lambda v: (v, dossier_bytes(v)))


INEXACT = frozenset({"TAG-01", "PRES-03", "XML14-03", "XML3-05"})
"""Catalogue mutations that break more than their rule on the care model's visits, or never apply."""


def invalid_dossiers(
    *, requirements: list[str] | None = None, seed: int | None = None
) -> st.SearchStrategy[tuple[str, bytes]]:
    """(requirement ID, envelope) where the envelope breaks exactly that one rule: a visit broken
    by the catalogue's mutation of that rule (``profiles.mutations``), among those it applies to."""
    usable = sorted(set(mutations.MUTATIONS) - INEXACT)
    chosen = usable if requirements is None else requirements
    unknown = sorted(set(chosen) - set(usable))
    if unknown:
        raise ValueError(f"no mutation breaks {', '.join(unknown)}; known: {', '.join(usable)}")

    def broken(visit: care.Visit) -> st.SearchStrategy[tuple[str, bytes]]:
        tables = dossier.tables(visit)
        cases = [(req, b) for req in chosen if (b := mutations.apply(copy.deepcopy(tables), req)) is not None]
        if not cases:
            return st.nothing()
        return st.sampled_from(cases).map(lambda case: (case[0], dossier_bytes(visit, tables=case[1])))

    return visits(seed=seed).flatmap(broken)


def register_formats() -> bool:
    """Register ``cccd`` and ``bhyt`` string formats with schemathesis; False if it is absent."""
    try:
        import schemathesis  # type: ignore[import-not-found, unused-ignore]
    except ImportError:
        return False
    people = citizens()
    schemathesis.openapi.format("cccd", people.map(lambda c: c.cccd))
    schemathesis.openapi.format("bhyt", people.map(lambda c: c.bhyt))
    return True
