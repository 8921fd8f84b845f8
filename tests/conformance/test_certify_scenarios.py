"""The certification scenarios against the simulated hospital (selftest tier): driven by a step's
instructions, the conformant hospital passes every scenario; with one of its faults the scenario
fails on the requirement that fault breaks (no check-in: XML0-06; unsigned files: SIG-01)."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from lienthong.conformance.cli._certify_journal import read_journal
from lienthong.conformance.traffic.certification import SessionFacts, Verdict, judge_session
from lienthong.conformance.traffic.session_deadline import parse_deadline
from lienthong.profiles.scenarios import Scenario, scenarios
from lienthong.simulators.network import NetworkConfig, build_network
from lienthong.simulators.patient_register import as_citizen, load_patients
from lienthong.simulators.visits import Visit
from tests.conformance.certify_his import checkin_record, episode

pytestmark = pytest.mark.selftest


def _run(scenario: Scenario, faults: frozenset[str] = frozenset()) -> Verdict:
    """The simulated hospital enters each step as its title says; the session is then judged."""

    async def go() -> Verdict:
        network = build_network(NetworkConfig(population=5, facilities=1))
        try:
            load_patients(network, scenario.patients)
            patients = {p.cccd: p for p in scenario.patients}
            opened = network.clock.now()
            for number, step in enumerate(scenario.steps, start=1):
                shape = step.visit
                hospital = network.hospital(0, faults=faults, regulation=shape.profile.removeprefix("qd"))
                code = hospital.facility.code
                patient = patients[step.patient]
                tables = episode(
                    number,
                    patient,
                    f"{scenario.name[:12]}-{number}",
                    code,
                    kind=shape.kind,
                    referral=shape.referral,
                    appointment=shape.appointment,
                    version=shape.profile,
                )
                if shape.emergency:
                    tables["XML1"][0]["MA_DOITUONG_KCB"] = "2"
                if shape.kind != tables["XML1"][0]["MA_LOAI_KCB"].zfill(2):
                    tables["XML1"][0]["MA_LOAI_KCB"] = shape.kind
                summary, more = (
                    tables["XML1"][0],
                    {k: v for k, v in tables.items() if k not in {"XML1", "XML2", "XML3", "XML4"}},
                )
                visit = Visit(
                    summary["MA_LK"],
                    as_citizen(patient, 42),
                    hospital.facility,
                    shape.emergency,
                    checkin_record(tables),
                    summary,
                    tables.get("XML2", []),
                    tables.get("XML3", []),
                    tables.get("XML4", []),
                    more,
                )
                await hospital.send_arrival(visit)
                if shape.kind == "03" and not shape.emergency and "no_checkin" not in faults:
                    await hospital.send_checkin(
                        replace(visit, checkin=checkin_record(tables, admission=True))
                    )
                await hospital.send_discharge(visit)
                if shape.replacement:  # the lab result arrives: the same MA_LK again, with it
                    later = [dict(r, GIA_TRI=(r.get("GIA_TRI") or "") + "1") for r in visit.labs]
                    await hospital.send_dossier(replace(visit, labs=later))
            await network.drain()
            transcripts, certs = read_journal(network.gateway.engine)
            facts = SessionFacts((code,), certs, opened, None, parse_deadline("0"))
            judged = max(network.clock.now(), datetime.now(UTC)) + timedelta(seconds=1)
            return judge_session(transcripts, scenario.patients, facts, judged, scenario=scenario)
        finally:
            await network.aclose()

    return asyncio.run(go())


@pytest.mark.parametrize("name", sorted(scenarios()))
def test_the_simulated_hospital_passes_the_scenario_and_fails_it_with_a_fault(name: str) -> None:
    scenario = scenarios()[name]
    verdict = _run(scenario)
    assert [(s.step.id, s.outcome) for s in verdict.steps] == [(s.id, "pass") for s in scenario.steps], [
        (s.step.id, s.outcome, s.note, s.findings) for s in verdict.steps
    ]
    assert verdict.outcome == "pass"
    emergency = any(s.visit.emergency for s in scenario.steps)
    fault, requirement = ("unsigned", "SIG-01") if emergency else ("no_checkin", "XML0-06")
    broken = _run(scenario, frozenset({fault}))
    assert broken.outcome == "fail"
    for result in broken.steps:
        assert result.outcome == "fail", (result.step.id, result.outcome, result.note)
        assert requirement in {f["requirement"] for f in result.findings}
        assert all(f["step"] == result.step.id for f in result.findings)
