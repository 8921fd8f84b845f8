"""A stored submission (:class:`.stored.Raw`) read by the file validator for the traffic judge
(through :func:`lienthong.conformance.traffic.reading.read`, the one reader)."""

from __future__ import annotations

from lienthong.conformance.audit.stored import Raw
from lienthong.conformance.traffic import Received
from lienthong.conformance.traffic.reading import RecentDocuments, read


def received(raw: Raw, recent: RecentDocuments | None = None) -> Received:
    """``raw`` validated: its records, violations and facility (``recent``: the answers on the
    documents read last, reused for the same bytes)."""
    return read(
        raw.seq,
        raw.kind,
        raw.received_at,
        raw.document,
        facility=raw.facility,
        profile=raw.profile,
        accepted=raw.accepted,
        identity=raw.identity,
        delivered_at=raw.delivered_at,
        recent=recent,
    )
