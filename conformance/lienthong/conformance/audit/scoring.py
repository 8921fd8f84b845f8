"""The audit's scores, each a documented formula (docs/audit.md § Scores).

For a facility (or one month of it) with ``E`` episodes (visits with at least one submission):

- each dimension *d* of :mod:`.dimensions`: ``score_d = 100 × (E − L_d) / E``, where ``L_d`` is the
  number of episodes with at least one finding on a requirement of *d*; every such episode costs
  ``100 / E`` points, and its findings are the records that lost them;
- the overall ``score = Σ_d weight_d × score_d`` (:data:`.dimensions.WEIGHTS`, [I]);
- the interconnection rate ``100 × S / E``, ``S`` the episodes with an accepted dossier (shown,
  not part of the score: a visit never sent costs *sống* through TRAFFIC-01 already).

Scores are shown rounded to two decimals (the league table ranks on the unrounded values, so one
lost episode in 10,000 still ranks below a clean facility); with ``E = 0`` there is nothing to
score (None).
"""

from __future__ import annotations

from collections.abc import Mapping

from lienthong.conformance.audit.dimensions import DIMENSIONS, WEIGHTS


def rate(part: int, whole: int) -> float | None:
    """``100 × part / whole`` rounded to two decimals; None when ``whole`` is 0."""
    return round(100.0 * part / whole, 2) if whole else None


def overall(episodes: int, lost: Mapping[str, int]) -> float | None:
    """The unrounded overall score (the league table's key)."""
    if not episodes:
        return None
    return sum(WEIGHTS[d] * (100.0 * (episodes - lost.get(d, 0)) / episodes) for d in DIMENSIONS)


def sub_scores(episodes: int, lost: Mapping[str, int]) -> dict[str, float | None]:
    """Each dimension's score and the overall ``score`` from the episodes lost per dimension."""
    out: dict[str, float | None] = {d: rate(episodes - lost.get(d, 0), episodes) for d in DIMENSIONS}
    total = overall(episodes, lost)
    out["score"] = None if total is None else round(total, 2)
    return out


def points_per_episode(episodes: int) -> float:
    """The points one failing episode costs in a dimension."""
    return round(100.0 / episodes, 4) if episodes else 0.0
