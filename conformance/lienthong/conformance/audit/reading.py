"""A stored submission (:class:`.sources.Raw`) read by the file validator for the traffic judge
(through :func:`lienthong.conformance.traffic.reading.read`, the one reader)."""

from __future__ import annotations

from lienthong.conformance.audit.sources import Raw
from lienthong.conformance.traffic import Received
from lienthong.conformance.traffic.reading import read


def received(raw: Raw) -> Received:
    """``raw`` validated: its records, violations and facility."""
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
    )
