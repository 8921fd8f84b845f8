"""C06's state: the population register, with deaths, cancelled numbers and guardian links."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import insert, select

from lienthong.simulators.c06.schema import citizens, guardians, metadata
from lienthong.simulators.clock import SimClock
from lienthong.simulators.population import Citizen, citizen
from lienthong.simulators.store import open_database

LEVEL_ONE_UNDER = 6
"""Children under 6 get level-1 VNeID accounts only (NĐ 69/2024 Đ14) [S]."""


@dataclass
class C06Config:
    database_url: str = "sqlite://"
    faults: frozenset[str] = frozenset()
    clock: SimClock = field(default_factory=SimClock)
    service_token: str = field(default_factory=lambda: secrets.token_urlsafe(16))
    citizen_token_secret: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    token_lifetime: timedelta = timedelta(hours=1)


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _row(person: Citizen) -> dict[str, Any]:
    return {
        "cccd": person.cccd,
        "name": person.name,
        "dob": person.dob.isoformat(),
        "sex": person.sex,
        "address": person.address,
        "phone": person.phone,
        "password_sha256": sha256(person.password),
        "status": "deceased" if person.death else "alive",
        "died_on": person.death.isoformat() if person.death else "",
        "replaced_by": "",
        "level": 1 if person.age < LEVEL_ONE_UNDER else 2,
    }


def _rows(person: Citizen) -> list[dict[str, Any]]:
    rows = [_row(person)]
    if person.previous_cccd:  # the old number stays on record, cancelled, and never signs in
        rows.append(
            rows[0]
            | {
                "cccd": person.previous_cccd,
                "status": "cancelled",
                "replaced_by": person.cccd,
                "password_sha256": "",
            }
        )
    return rows


def with_guardians(people: Iterable[Citizen]) -> Iterator[tuple[Citizen, Citizen | None, str]]:
    """Each person, with the guardian C06 links a living child to (who may lie outside the
    range given) and the relation (``mother``/``father``), else ``(person, None, "")``."""
    for person in people:
        if person.guardian is not None and person.death is None:
            keeper = citizen(person.seed, person.guardian)
            yield person, keeper, "mother" if person.guardian == person.mother else "father"
        else:
            yield person, None, ""


class C06:
    def __init__(self, config: C06Config) -> None:
        self.config = config
        self.engine = open_database(config.database_url, metadata)

    def load_citizens(self, people: Iterable[Citizen]) -> int:
        """Register synthetic citizens (and the guardians of the children among them, who may lie
        outside the range); known numbers are skipped. The number of people added."""
        rows: dict[str, dict[str, Any]] = {}
        links: dict[tuple[str, str], str] = {}
        for person, keeper, relation in with_guardians(people):
            for row in _rows(person):
                rows.setdefault(row["cccd"], row)
            if keeper is not None:
                for row in _rows(keeper):
                    rows.setdefault(row["cccd"], row)
                links[(keeper.cccd, person.cccd)] = relation
        with self.engine.begin() as db:
            known = {r.cccd for r in db.execute(select(citizens.c.cccd))}
            fresh = [row for cccd, row in rows.items() if cccd not in known]
            if fresh:
                db.execute(insert(citizens), fresh)
            linked = {
                (r.guardian, r.ward) for r in db.execute(select(guardians.c.guardian, guardians.c.ward))
            }
            new_links = [
                {"guardian": g, "ward": w, "relation": rel}
                for (g, w), rel in links.items()
                if (g, w) not in linked
            ]
            if new_links:
                db.execute(insert(guardians), new_links)
        return sum(1 for row in fresh if row["status"] != "cancelled")

    def record(self, cccd: str) -> Any:
        with self.engine.connect() as db:
            return db.execute(select(citizens).where(citizens.c.cccd == cccd)).first()

    def wards(self, guardian: str) -> list[dict[str, str]]:
        """The living wards of ``guardian``: CCCD, name and relation."""
        with self.engine.connect() as db:
            rows = db.execute(
                select(guardians.c.ward, guardians.c.relation, citizens.c.name)
                .join(citizens, citizens.c.cccd == guardians.c.ward)
                .where(guardians.c.guardian == guardian, citizens.c.status == "alive")
                .order_by(guardians.c.ward)
            ).all()
        return [{"cccd": r.ward, "ho_ten": r.name, "quan_he": r.relation} for r in rows]
