"""Draining the outbox: have C06 verify the citizen, then hand verified visits to the MoH store.

Retries with exponential backoff; a forward is ``delivered``, ``identity_rejected`` or, after
``max_attempts``, ``failed``. Nothing is removed from the journal.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import timedelta

import httpx
from sqlalchemy import Engine, func, select, update

from lienthong.profiles.validation import parse_dossier
from lienthong.simulators.faults import BhxhFault
from lienthong.simulators.gateway.config import GatewayConfig
from lienthong.simulators.gateway.schema import outbox, submissions


@dataclass
class Links:
    """HTTP clients for the nodes the gateway forwards to (in-process or real URLs)."""

    c06: httpx.AsyncClient
    moh: httpx.AsyncClient


class ForwardError(Exception):
    """A downstream node answered something other than success."""


def backoff(attempts: int) -> timedelta:
    """Wait before the next try: 1 s, 2 s, 4 s ... capped at 5 minutes."""
    return timedelta(seconds=min(2 ** max(attempts - 1, 0), 300))


async def deliver_due(engine: Engine, config: GatewayConfig, links: Links, *, limit: int = 200) -> int:
    """Try every due forward once; the number of rows handled."""
    now = config.clock.now()
    with engine.connect() as db:
        due = list(
            db.execute(
                select(
                    outbox.c.id,
                    outbox.c.attempts,
                    outbox.c.faults,
                    submissions.c.payload,
                    submissions.c.transaction_id,
                    submissions.c.received_at,
                )
                .join(submissions, submissions.c.id == outbox.c.submission_id)
                .where(outbox.c.status == "pending", outbox.c.next_attempt_at <= now)
                .order_by(outbox.c.id)
                .limit(limit)
            ).all()
        )
    if BhxhFault.REORDERS_FORWARDS in config.faults:
        due.reverse()
    due.sort(key=lambda r: "reorders_forwards" in r.faults.split(","))  # header-faulted rows go last
    for row in due:
        values: dict[str, object]
        faults = config.faults | frozenset(filter(None, row.faults.split(",")))
        try:
            status = await _forward(
                config, faults, links, row.payload, row.transaction_id, row.received_at.isoformat()
            )
            values = {
                "status": status,
                "attempts": row.attempts + 1,
                "done_at": config.clock.now(),
                "last_error": "",
            }
        except (httpx.HTTPError, ForwardError) as exc:
            attempts = row.attempts + 1
            values = {
                "attempts": attempts,
                "last_error": f"{type(exc).__name__}: {exc}"[:2000],
                "status": "failed" if attempts >= config.max_attempts else "pending",
                "next_attempt_at": config.clock.now() + backoff(attempts),
            }
        with engine.begin() as db:
            db.execute(update(outbox).where(outbox.c.id == row.id).values(**values))
    return len(due)


def pending_count(engine: Engine) -> int:
    with engine.connect() as db:
        return int(
            db.execute(
                select(func.count()).select_from(outbox).where(outbox.c.status == "pending")
            ).scalar_one()
        )


async def _forward(
    config: GatewayConfig,
    faults: frozenset[str],
    links: Links,
    payload: bytes,
    transaction: str,
    received_at: str,
) -> str:
    if BhxhFault.DROPS_FORWARD in faults:
        return "delivered"
    dossier, _ = parse_dossier(base64.b64decode(payload))
    if dossier is None or not dossier.tables.get("XML1"):
        raise ForwardError("the stored dossier has no XML1")
    summary = dossier.tables["XML1"][0]
    auth = {"authorization": f"Bearer {config.service_token}"}
    birth = summary.get("NGAY_SINH", "")
    answer = await links.c06.post(
        "/api/identity/verify",
        headers=auth,
        json={
            "cccd": summary.get("SO_CCCD", ""),
            "ho_ten": summary.get("HO_TEN", ""),
            "ngay_sinh": f"{birth[:4]}-{birth[4:6]}-{birth[6:8]}",
            "gioi_tinh": summary.get("GIOI_TINH", ""),
        },
    )
    if answer.status_code != 200:
        raise ForwardError(f"C06 answered HTTP {answer.status_code}")
    if answer.json().get("result") != "match" and BhxhFault.FORWARDS_UNVERIFIED not in faults:
        return "identity_rejected"
    stored = await links.moh.post(
        "/internal/visits",
        headers=auth,
        json={
            "facility": dossier.facility,
            "ma_lk": dossier.ma_lk,
            "transaction_id": transaction,
            "received_at": received_at,
            "summary": summary,
            "labs": dossier.tables.get("XML4", []),
            "tables": dossier.tables,  # every table: the store keeps XML6/XML13/XML14 too
        },
    )
    if stored.status_code not in (200, 201):
        raise ForwardError(f"MoH store answered HTTP {stored.status_code}")
    return "delivered"
