"""Who may read whose book, and the log of every read (who, whose data, why, when).

Citizens read their own book and their wards'; facilities read the books of patients they treat
(a visit there, or a referral to them) or who consented; the gateway's service token reads none.
Log entries are kept in memory and written in batches, so logging never slows a read down much.
"""

from __future__ import annotations

import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, insert, or_, select
from sqlalchemy.pool import StaticPool

from lienthong.simulators.clock import SimClock
from lienthong.simulators.faults import MohFault
from lienthong.simulators.moh.fhir_more import SEARCHABLE
from lienthong.simulators.moh.schema import access_log, consents, visits

PURPOSES = frozenset({"TREAT", "ETREAT", "PATRQT", "FAMRQT", "HPAYMT", "HOPERAT", "PUBHLTH", "HRESCH"})
"""HL7 v3 PurposeOfUse codes accepted in ``X-Purpose-Of-Use``."""


@dataclass(frozen=True, slots=True)
class Caller:
    kind: str
    """``citizen``, ``facility`` or ``service``."""
    id: str
    scopes: frozenset[str] = frozenset()
    wards: frozenset[str] = frozenset()

    @property
    def actor(self) -> str:
        return f"{self.kind}:{self.id}"

    def has_scope(self, resource_type: str) -> bool:
        """``system/<Type>.read`` (or ``system/*.read``); ``*`` needs every type's scope."""
        if "system/*.read" in self.scopes:
            return True
        if resource_type == "*":
            return all(f"system/{kind}.read" in self.scopes for kind in SEARCHABLE)
        return f"system/{resource_type}.read" in self.scopes

    def default_purpose(self, subject: str) -> str:
        if self.kind == "facility":
            return "TREAT"
        return "PATRQT" if subject == self.id else "FAMRQT"


def treats(engine: Engine, facility: str, cccd: str) -> bool:
    """A treatment relationship: a visit of the patient at ``facility`` or a referral to it, or the
    patient's consent."""
    with engine.connect() as db:
        visit = db.execute(
            select(visits.c.id)
            .where(
                visits.c.cccd == cccd, or_(visits.c.facility == facility, visits.c.referred_to == facility)
            )
            .limit(1)
        ).first()
        if visit is not None:
            return True
        return (
            db.execute(
                select(consents.c.cccd).where(consents.c.cccd == cccd, consents.c.facility == facility)
            ).first()
            is not None
        )


def refusal(engine: Engine, caller: Caller, cccd: str, faults: frozenset[str]) -> str | None:
    """Why ``caller`` may not read ``cccd``'s book, or None when they may."""
    if caller.kind == "citizen":
        if cccd == caller.id or cccd in caller.wards or MohFault.CROSS_PATIENT_READ in faults:
            return None
        return "a citizen may read only their own book and their wards' books"
    if caller.kind == "facility":
        if MohFault.NO_TREATMENT_CHECK in faults or treats(engine, caller.id, cccd):
            return None
        return f"facility {caller.id} has no treatment relationship with, or consent from, this patient"
    return "the service token is only for the /internal endpoints"


class AccessLog:
    """Entries wait in memory and are written in batches; on a file or server database the write
    runs in a worker thread so a read never waits for it."""

    def __init__(self, engine: Engine, clock: SimClock, batch: int) -> None:
        self.engine, self.clock, self.batch = engine, clock, batch
        self._pending: list[dict[str, Any]] = []
        self._oldest = 0.0
        self._writer: ThreadPoolExecutor | None = None
        if not isinstance(engine.pool, StaticPool):  # one shared in-memory connection: write inline
            self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="moh-access-log")
        self._writing: Future[None] | None = None

    def record(self, actor: str, subject: str, purpose: str, path: str, outcome: str) -> None:
        if not self._pending:
            self._oldest = time.monotonic()
        self._pending.append(
            {
                "at": self.clock.now(),
                "actor": actor[:100],
                "subject": subject[:20],
                "purpose": purpose[:100],
                "path": path[:500],
                "outcome": outcome,
            }
        )
        if len(self._pending) >= self.batch or time.monotonic() - self._oldest > 1.0:
            self.flush(wait=False)

    def flush(self, *, wait: bool = True) -> None:
        """Write what is pending; with ``wait``, return only when every entry is written."""
        pending, self._pending = self._pending, []
        if self._writer is None:
            self._write(pending)
            return
        if pending:  # one worker thread: batches are written in order
            self._writing = self._writer.submit(self._write, pending)
        if wait and self._writing is not None:
            self._writing.result()

    def _write(self, pending: list[dict[str, Any]]) -> None:
        if pending:
            with self.engine.begin() as db:
                db.execute(insert(access_log), pending)

    def entries(self, subjects: frozenset[str] | None, limit: int = 1000) -> list[dict[str, Any]]:
        """The newest entries about ``subjects`` (all subjects when None), newest first."""
        self.flush()
        query = select(access_log).order_by(access_log.c.id.desc()).limit(limit)
        if subjects is not None:
            query = query.where(access_log.c.subject.in_(sorted(subjects)))
        with self.engine.connect() as db:
            rows = db.execute(query).mappings().all()
        now = self.clock.now()
        return [
            {
                "at": _iso(row["at"], now),
                "actor": row["actor"],
                "subject": row["subject"],
                "purpose": row["purpose"],
                "path": row["path"],
                "outcome": row["outcome"],
            }
            for row in rows
        ]


def _iso(moment: datetime, like: datetime) -> str:
    return (moment if moment.tzinfo else moment.replace(tzinfo=like.tzinfo)).isoformat()
