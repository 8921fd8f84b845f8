"""Synthetic Vietnam: citizens as a pure function of (seed, index), their families, life events,
care (visits, referrals, appointments, lab results) and vaccinations, at national scale.

Same seed and index give the same citizen on any machine, in any order, in any process. Hypothesis
strategies live in :mod:`lienthong.simulators.population.strategies` (needs hypothesis).
"""

from __future__ import annotations

from lienthong.simulators.population.batch import CSV_COLUMNS, CitizenBatch
from lienthong.simulators.population.care import Visit, visits
from lienthong.simulators.population.citizens import DEFAULT_SEED, DEMO_POPULATION, Citizen, citizen, citizens
from lienthong.simulators.population.dossier import tables as visit_tables
from lienthong.simulators.population.facilities import Facility, facilities
from lienthong.simulators.population.immunisation import Immunisation, immunisations
from lienthong.simulators.population.slots import CAPACITY
from lienthong.simulators.population.stream import generate

__all__ = [
    "CAPACITY",
    "CSV_COLUMNS",
    "DEFAULT_SEED",
    "DEMO_POPULATION",
    "Citizen",
    "CitizenBatch",
    "Facility",
    "Immunisation",
    "Visit",
    "citizen",
    "citizens",
    "facilities",
    "generate",
    "immunisations",
    "visit_tables",
    "visits",
]
