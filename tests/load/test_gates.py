"""SLO gates as data, the open-model arrivals, shapes and the load report."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from lienthong.load import (
    SHAPES,
    Figures,
    GateError,
    RunSummary,
    Stream,
    UnknownShape,
    default_gates,
    evaluate,
    load_report,
    passed,
    shape,
    verdict_line,
)
from lienthong.load.arrivals import Arrivals
from lienthong.load.gates import parse_gates
from lienthong.load.runconfig import RunConfig
from lienthong.profiles.catalogue import requirements


def _figures(p95: float, failures: int = 0, requests: int = 100) -> Figures:
    return Figures(requests, failures, p95 / 2, p95, p95 * 1.2, requests / 10)


def _run(write_p95: float = 50, achieved: float = 10.0, propagation: bool = True) -> RunSummary:
    groups = {
        "gateway-write": _figures(write_p95),
        "gateway-lookup": _figures(40),
        "c06-sign-in": _figures(40),
        "moh-citizen-read": _figures(20),
        "moh-facility-read": _figures(20),
    }
    if propagation:
        groups["propagation"] = _figures(800, requests=5)
    streams = {
        s: Stream(10.0, achieved, 100, 0) for s in ("write", "lookup", "citizen_read", "facility_read")
    }
    return RunSummary("base", "flat", 0.01, 0, 10.0, groups, groups, streams)


def test_a_healthy_run_holds_every_gate() -> None:
    results = evaluate(default_gates(), _run())
    assert passed(results)
    assert verdict_line(results).startswith("PASSED: all 18 gates held")


def test_slow_writes_break_their_gates_by_name() -> None:
    results = evaluate(default_gates(), _run(write_p95=2100))
    assert not passed(results)
    broken = [r.gate.id for r in results if r.status == "broken"]
    assert broken == ["LOAD-G01", "LOAD-G02"]
    line = verdict_line(results)
    assert line.startswith("FAILED: 2 of 18 gates broken — LOAD-G01 gateway-write p95_ms 2,100 ms ✗")


def test_a_shortfall_against_the_target_rate_breaks_the_throughput_gates() -> None:
    results = evaluate(default_gates(), _run(achieved=5.0))
    assert {r.gate.id for r in results if r.status == "broken"} == {
        "LOAD-G04",
        "LOAD-G07",
        "LOAD-G13",
        "LOAD-G16",
    }


def test_a_stream_not_run_is_skipped_and_an_empty_run_never_passes() -> None:
    run = _run()
    only_citizens = replace(run, streams={"citizen_read": run.streams["citizen_read"]})
    results = evaluate(default_gates(), only_citizens)
    assert passed(results)
    assert {r.gate.group for r in results if r.status != "skipped"} == {
        "c06-sign-in",
        "moh-citizen-read",
        "citizen",
    }
    nothing = RunSummary("base", "flat", 1, 0, 10, {}, {}, {"write": Stream(1, 0)})
    assert not passed(evaluate(default_gates(), nothing))
    assert not passed(evaluate(default_gates(), _run(propagation=False)))  # no sample reached the book


def test_every_gate_is_tied_to_a_requirement_or_an_assumption() -> None:
    from lienthong.load import DEFAULTS

    known = set(requirements()) | {a.id for a in DEFAULTS.values()}
    for gate in default_gates():
        assert gate.ties, gate
        assert set(gate.ties) <= known, gate


def test_gate_files_are_checked() -> None:
    with pytest.raises(GateError, match="metric 'p90'"):
        parse_gates(
            {"gate": [{"id": "X", "group": "g", "metric": "p90", "limit": 1, "ties": ["API-09"]}]}, "x"
        )
    with pytest.raises(GateError, match="no requirement"):
        parse_gates({"gate": [{"id": "X", "group": "g", "metric": "p95_ms", "limit": 1}]}, "x")


def test_reports_name_the_broken_gates(tmp_path: Path) -> None:
    results = evaluate(default_gates(), _run(write_p95=2100))
    paths = load_report.write_all(_run(write_p95=2100), results, {"scenario": "base"}, tmp_path)
    document = json.loads(paths["json"].read_text(encoding="utf-8"))
    assert document["passed"] is False
    suite = ET.parse(paths["junit"]).getroot()
    assert suite.get("failures") == "2"
    failed = [c.get("name") for c in suite if c.find("failure") is not None]
    assert failed[0].startswith("LOAD-G01 gateway-write p95_ms ≤ 1,000 ms [API-09]")
    page = paths["html"].read_text(encoding="utf-8")
    assert "<svg" in page
    assert "FAILED" in page
    assert "<script" not in page


def test_arrivals_are_an_open_model() -> None:
    schedule = Arrivals(lambda elapsed: 10.0, 10.0, seed=1)
    schedule.begin(0.0)
    starts, now = [], 0.0
    for _ in range(2000):  # one user claiming back to back: the schedule does not wait for answers
        now += schedule.claim(now)
        starts.append(now)
    assert starts[-1] == pytest.approx(200, rel=0.1)
    slow = Arrivals(lambda elapsed: 10.0, 10.0, seed=1)
    slow.begin(0.0)
    now = 0.0
    for _ in range(100):  # every answer takes 1 s: the starts fall behind and are counted late
        now += slow.claim(now) + 1.0
    assert slow.late > 80
    # the schedule still owes what no free user claimed: due counts it, started does not
    assert slow.due(now) == pytest.approx(10 * now, rel=0.15)
    assert slow.started == 100
    assert schedule.due(now=starts[-1]) == len(starts)  # a claim ahead of time is not yet due
    assert schedule.due(now=starts[-1] - 1e-9) == len(starts) - 1


def test_shapes_and_pools() -> None:
    with pytest.raises(UnknownShape, match="Did you mean 'day'"):
        shape("dya")
    day = SHAPES["day"]
    assert day.multiplier("citizen_read", 20 / 24, {}) == 1.0  # 20:00, the VNeID evening peak
    assert day.multiplier("write", 9 / 24, {}) == 1.0  # the morning clinic peak
    assert day.multiplier("write", 20 / 24, {}) < 0.1
    assert SHAPES["monday"].highest("write", {"monday_factor": 1.3}) == pytest.approx(1.3)
    assert SHAPES["campaign"].highest("citizen_read", {"campaign_spike": 17.0}) == 17.0
    config = RunConfig(urls={}, streams={"write": 20.0, "citizen_read": 100.0}, run_time_s=60, workers=2)
    assert config.ticket_rate("write", 0) == 5.0  # 20 req/s, 2 requests a visit, 2 workers
    assert config.pool("citizen_read") == 200  # 100 req/s × 2 s of latency
    assert config.pool("write") >= 2  # at least one user per worker


def test_throughput_is_judged_against_the_arrivals_the_schedule_drew() -> None:
    run = _run()
    drawn_low = replace(run, streams={"write": Stream(10.0, 5.0, 10, 0, scheduled_rps=5.2)})
    gate = next(r for r in evaluate(default_gates(), drawn_low) if r.gate.id == "LOAD-G04")
    assert gate.status == "held"  # a short run's Poisson draw owed 5.2 req/s, and 5.0 were made
    owed = replace(run, streams={"write": Stream(10.0, 5.0, 10, 8, scheduled_rps=9.0)})
    gate = next(r for r in evaluate(default_gates(), owed) if r.gate.id == "LOAD-G04")
    assert gate.status == "broken"
    assert "5.0 req/s achieved of 9.0 scheduled (plan 10.0)" in gate.detail


def test_a_schedule_with_no_rate_waits_and_owes_nothing() -> None:
    idle = Arrivals(lambda elapsed: 0.0, 0.0, seed=1)
    idle.begin(100.0)
    assert idle.claim(100.0) > 0  # looks again later, starts nothing
    assert idle.started == 0
    assert idle.due(5000.0) == 0


def test_a_moving_rate_does_not_multiply_the_arrivals() -> None:
    """Many free users claiming while the rate moves still get the schedule's rate, not theirs."""
    moving = Arrivals(lambda elapsed: 10.0 + elapsed / 100, 12.0, seed=3)
    moving.begin(0.0)
    starts = []
    for _ in range(2000):  # 50 free users claim at once, each right after its start
        now = starts[-50] if len(starts) >= 50 else 0.0
        starts.append(now + moving.claim(now))
    assert max(starts) == pytest.approx(2000 / 10.9, rel=0.15)


def test_a_quiet_start_does_not_hold_back_the_busy_hour() -> None:
    """A night at 0.01/s then a morning at 10/s: the morning's arrivals come on time."""
    day = Arrivals(lambda elapsed: 0.01 if elapsed < 10 else 10.0, 10.0, seed=5)
    day.begin(0.0)
    now, starts = 0.0, []
    while now < 20:
        now += day.claim(now)
        starts.append(now)
    assert sum(10 <= s < 20 for s in starts) == pytest.approx(100, rel=0.25)
    assert sum(s < 10 for s in starts) <= 3


def test_one_arrival_of_slack_for_the_edges_of_a_run() -> None:
    run = _run()

    def g04(achieved: float) -> str:
        streams = {"write": Stream(10.0, achieved, 10, 0, slack_rps=1.0, scheduled_rps=9.5)}
        return next(
            r.status
            for r in evaluate(default_gates(), replace(run, streams=streams))
            if r.gate.id == "LOAD-G04"
        )

    assert g04(8.0) == "held"  # one arrival short: the edge of the run
    assert g04(7.0) == "broken"  # two short: a shortfall
