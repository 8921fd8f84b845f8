"""A MoH store filled for the health-book read benchmark (``lienthong bench book``).

``prepare`` writes a SQLite store with the visits and immunisations of the first citizens of a
population and returns a citizen token per citizen with a book; ``served_app`` is the factory the
benchmark's server process (granian) loads, from the same file and secrets.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

from starlette.applications import Starlette

from lienthong.simulators import citizen_tokens
from lienthong.simulators.clock import SimClock
from lienthong.simulators.moh.app import create_moh
from lienthong.simulators.moh.config import MoHConfig
from lienthong.simulators.moh.store import MoHStore
from lienthong.simulators.population import citizens
from lienthong.simulators.population.care import visits
from lienthong.simulators.population.dossier import tables

START = datetime(2026, 11, 1, tzinfo=UTC)
"""The benchmark's simulated time: after every generated visit, so all are visible."""


def _config(path: Path, secret: str, *, serving: bool = False) -> MoHConfig:
    """Visits are stored at START; the server reads a day later, when every one is visible."""
    clock = SimClock(START + timedelta(days=1)) if serving else SimClock(START, speed=0.0)
    return MoHConfig(database_url=f"sqlite:///{path}", clock=clock, citizen_token_secret=secret)


def prepare(path: Path, secret: str, *, people: int) -> list[tuple[str, str]]:
    """Fill the store at ``path``; (CCCD, citizen token) of every citizen with something in the book."""
    store = MoHStore(_config(path, secret))
    population = list(citizens(7, 0, people))
    store.load_population(population)
    shown = []
    for person in population:
        care = visits(person)
        for visit in care:
            sent = tables(visit)
            store.store_visit(
                {
                    "facility": visit.facility.code,
                    "ma_lk": visit.ma_lk,
                    "transaction_id": "GD0",
                    "received_at": START.isoformat(),
                    "summary": sent["XML1"][0],
                    "tables": sent,
                }
            )
        if store.has_data(person.cccd):
            token = citizen_tokens.issue(secret, person.cccd, now=START, lifetime=timedelta(days=3650))
            shown.append((person.cccd, token))
    store.engine.dispose()
    return shown


def served_app() -> Starlette:
    """The app the benchmark server serves: ``LIENTHONG_BENCH_DB`` and ``LIENTHONG_BENCH_SECRET``."""
    return create_moh(
        _config(Path(os.environ["LIENTHONG_BENCH_DB"]), os.environ["LIENTHONG_BENCH_SECRET"], serving=True)
    )
