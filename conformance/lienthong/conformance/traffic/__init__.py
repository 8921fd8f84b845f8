"""The sender traffic judge: rules over several submissions of one sender, which no per-file rule
can see (check-in before dossier, deadlines, check-ins without their dossier, the same visit under
two MA_LK, contradictions between the visits of one person, unverified identities, replacements).

Feed it a stream of :class:`Received` submissions in any order (:meth:`TrafficJudge.add`); it keeps
one small :class:`Episode` per (facility, MA_LK), so memory grows with the episodes, never with the
payloads; :meth:`TrafficJudge.findings` then judges every episode. Each :class:`Finding` names the
requirement, facility, MA_LK, table, record, field and value. ``lienthong audit`` and the
certification verdict both read it.
"""

from __future__ import annotations

from lienthong.conformance.traffic.episodes import Episode, Received
from lienthong.conformance.traffic.findings import Finding
from lienthong.conformance.traffic.judge import TRAFFIC_RULES, TrafficJudge

__all__ = ["TRAFFIC_RULES", "Episode", "Finding", "Received", "TrafficJudge"]
