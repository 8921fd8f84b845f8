"""The capacity model reproduces the published 40-million-user table from its assumptions."""

from __future__ import annotations

import pytest

from lienthong.load import SCENARIOS, SLO, Observed, breaches, demand, scaled, surge

# Baseline table (performance baselines §6.3): citizen peak, write peak, facility read peak, total.
PUBLISHED = {
    "low": (174, 142, 94, 410),
    "base": (1458, 200, 150, 1808),
    "high": (5556, 694, 347, 6597),
}


@pytest.mark.parametrize("name", sorted(PUBLISHED))
def test_scenarios_match_the_published_model(name: str) -> None:
    d = demand(SCENARIOS[name])
    got = (d.citizen_peak, d.write_peak, d.facility_read_peak, d.total_peak)
    for value, expected in zip(got, PUBLISHED[name], strict=True):
        assert value == pytest.approx(expected, rel=0.01)


def test_surge_and_scaling() -> None:
    assert surge(SCENARIOS["base"]) == pytest.approx(25_000)
    assert demand(scaled(SCENARIOS["base"], 0.05)).total_peak == pytest.approx(1808 * 0.05, rel=0.01)


def test_slo_gate_names_each_breach() -> None:
    assert breaches(SLO(), Observed(1000, 5, 120.0)) == []
    missed = breaches(SLO(max_failure_ratio=0.001, max_p95_ms=100), Observed(1000, 5, 120.0))
    assert len(missed) == 2
    assert "0.50%" in missed[0]
    assert "p95 120 ms" in missed[1]
    assert breaches(SLO(), Observed(0, 0, 0.0))  # a run that made no request never passes
