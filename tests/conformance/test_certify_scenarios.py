"""The certification scenarios against the simulated hospital (selftest tier): driven by a step's
instructions, the conformant hospital passes every scenario; with one of its faults the scenario
fails on the requirement that fault breaks (no check-in: XML0-06; unsigned files: SIG-01).

The steps with a one-shot gateway behaviour run with the gateway armed as a session arms it
(``gateway.scripted.armed``) and short timeouts (the hospital waits 0.3 s, the gateway withholds
0.6 s); the hospital's misbehaviours there: no resend at all (retries 0, no correction: TRAFFIC-01)
and a resend as a new episode under another MA_LK (TRAFFIC-02)."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from lienthong.conformance.cli._certify_journal import read_journal
from lienthong.conformance.traffic.certification import SessionFacts, Verdict, judge_session
from lienthong.conformance.traffic.session_deadline import parse_deadline
from lienthong.profiles.scenarios import Scenario, scenarios
from lienthong.simulators.gateway.scripted import armed
from lienthong.simulators.network import NetworkConfig, build_network
from lienthong.simulators.patient_register import as_citizen, load_patients
from lienthong.simulators.visits import Visit
from tests.conformance.certify_his import checkin_record, episode

pytestmark = pytest.mark.selftest


NEWBORN_CARD = "TE1790000099001"
"""A temporary child card as the portal gives it (MA_DKBD province + 000)."""


def _as_newborn(tables: dict[str, list[dict[str, str]]]) -> None:
    """The guardian's identifiers on a newborn's visit: HO_TEN stays the guardian's name, SO_CCCD
    empty, the baby's own birth time and sex, its temporary card (QĐ 3176 XML0/XML1)."""
    arrived = datetime.strptime(tables["XML1"][0]["NGAY_VAO"][:8], "%Y%m%d")
    born = arrived - timedelta(days=3)
    child = {
        "SO_CCCD": "",
        "NGAY_SINH": f"{born:%Y%m%d}0815",
        "GIOI_TINH": "1",
        "MA_THE_BHYT": NEWBORN_CARD,
        "MA_DKBD": "79000",
        "GT_THE_TU": f"{born:%Y%m%d}",
        "GT_THE_DEN": f"{born.year + 6}{born:%m%d}",
    }
    for records in tables.values():
        for record in records:
            record.update({k: v for k, v in child.items() if k in record})


def _run(
    scenario: Scenario,
    faults: frozenset[str] = frozenset(),
    *,
    no_resend: bool = False,
    new_episode: bool = False,
    stopped: bool = True,
) -> Verdict:
    """The simulated hospital enters each step as its title says; the session is then judged
    (stopped: a resend that did not come is no longer awaited). ``no_resend``: the hospital neither
    retries a lost answer nor corrects a refusal; ``new_episode``: it sends them as a new episode."""

    async def go() -> Verdict:
        network = build_network(NetworkConfig(population=5, facilities=1))
        network.gateway.config.scripted = armed(scenario)
        network.gateway.config.withhold_seconds = 0.6
        try:
            load_patients(network, scenario.patients)
            patients = {p.cccd: p for p in scenario.patients}
            opened = network.clock.now()
            for number, step in enumerate(scenario.steps, start=1):
                shape = step.visit
                hospital = network.hospital(0, faults=faults, regulation=shape.profile.removeprefix("qd"))
                hospital.timeout, hospital.backoff = 0.3, 0.01
                hospital.fix_rejected = bool(step.gateway) and not no_resend
                hospital.retries = 0 if no_resend else hospital.retries
                hospital.resend_as_new_episode = new_episode
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
                if shape.guardian:
                    _as_newborn(tables)
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
            judged = max(network.clock.now(), datetime.now(UTC)) + timedelta(seconds=1)
            facts = SessionFacts((code,), certs, opened, judged if stopped else None, parse_deadline("0"))
            return judge_session(transcripts, scenario.patients, facts, judged, scenario=scenario)
        finally:
            await network.aclose()

    return asyncio.run(go())


RECOVERY = frozenset({"correction-after-error", "timeout-retry"})
"""The scenarios whose step names a one-shot gateway behaviour (judged on the HIS's recovery)."""


def _assert_fails_on(broken: Verdict, requirement: str) -> None:
    assert broken.outcome == "fail"
    for result in broken.steps:
        assert result.outcome == "fail", (result.step.id, result.outcome, result.note)
        assert requirement in {f["requirement"] for f in result.findings}, result.findings
        assert all(f["step"] == result.step.id for f in result.findings)


def _assert_passes(scenario: Scenario, verdict: Verdict) -> None:
    """Every step passes; a guardian step with warnings only (a temporary card not on the register,
    C06 not knowing an empty SO_CCCD: warnings, with why)."""
    expected = [(s.id, "warn" if s.visit.guardian else "pass") for s in scenario.steps]
    assert [(s.step.id, s.outcome) for s in verdict.steps] == expected, [
        (s.step.id, s.outcome, s.note, s.findings) for s in verdict.steps
    ]
    assert verdict.outcome == "pass"


@pytest.mark.parametrize("name", sorted(set(scenarios()) - RECOVERY))
def test_the_simulated_hospital_passes_the_scenario_and_fails_it_with_a_fault(name: str) -> None:
    scenario = scenarios()[name]
    _assert_passes(scenario, _run(scenario))
    emergency = any(s.visit.emergency for s in scenario.steps)
    fault, requirement = ("unsigned", "SIG-01") if emergency else ("no_checkin", "XML0-06")
    _assert_fails_on(_run(scenario, frozenset({fault})), requirement)


def test_a_newborn_sent_with_its_mothers_identifiers_passes_with_warnings_only() -> None:
    verdict = _run(scenarios()["newborn-guardian"])
    [episode] = verdict.episodes
    assert episode.shape["SO_CCCD"] == ""
    assert episode.shape["child"] == "1"
    warned = {(j.finding.requirement, j.finding.field) for j in episode.findings if j.outcome == "warn"}
    assert ("CARD-01", "MA_THE_BHYT") in warned  # the temporary card is not on the register
    assert all(j.outcome != "fail" for j in episode.findings)
    # with a card of the wrong structure the young-child allowance does not hide the broken rule
    _assert_fails_on(_run(scenarios()["newborn-guardian"], frozenset({"bad_card"})), "ID-BHYT-01")


def _submissions(verdict: Verdict) -> list[tuple[str, str, str]]:
    return [(e.ma_lk, s["kind"], s["maKetQua"]) for e in verdict.episodes for s in e.submissions]


def test_a_dossier_refused_on_purpose_is_resent_under_the_same_ma_lk() -> None:
    scenario = scenarios()["correction-after-error"]
    verdict = _run(scenario)
    _assert_passes(scenario, verdict)
    [episode] = verdict.episodes
    dossiers = [s for s in episode.submissions if s["kind"] == "dossier"]
    assert [(s["maKetQua"], s.get("scripted", "")) for s in dossiers] == [("422", "correction"), ("200", "")]
    assert "refused on purpose" not in str(verdict.as_dict()["steps"])
    _assert_fails_on(_run(scenario, no_resend=True), "TRAFFIC-01")
    again = _run(scenario, new_episode=True)
    _assert_fails_on(again, "TRAFFIC-02")
    assert len({ma_lk for ma_lk, _, _ in _submissions(again)}) == 2


def test_a_withheld_answer_is_retried_once_without_a_duplicate() -> None:
    scenario = scenarios()["timeout-retry"]
    verdict = _run(scenario)
    _assert_passes(scenario, verdict)
    [episode] = verdict.episodes
    dossiers = [s for s in episode.submissions if s["kind"] == "dossier"]
    assert [s.get("scripted", "") for s in dossiers] == ["timeout", ""]
    assert [s["counts"] for s in dossiers] == [False, True]  # one episode, one counted version
    _assert_fails_on(_run(scenario, no_resend=True), "TRAFFIC-01")
    _assert_fails_on(_run(scenario, new_episode=True), "TRAFFIC-02")


def test_another_visit_of_the_patient_after_the_step_is_no_duplicate() -> None:
    """Only the same visit (arrival time, visit type) under another MA_LK is the step's duplicate."""
    from lienthong.conformance.traffic.scenario_steps import judge_steps

    scenario = scenarios()["timeout-retry"]
    verdict = _run(scenario)
    [episode] = verdict.episodes
    later = replace(
        episode,
        ma_lk="OTHER-VISIT",
        submissions=[dict(s, submission=s["submission"] + 100, scripted="") for s in episode.submissions],
        shape=dict(episode.shape, NGAY_VAO="209901010800"),
    )
    for e in (episode, later):
        e.step = ""
    [step] = judge_steps(scenario, [episode, later])
    assert step.outcome == "pass", step.findings
    same = replace(later, shape=dict(episode.shape))
    [step] = judge_steps(scenario, [episode, same])
    assert step.outcome == "fail"
    assert [f["requirement"] for f in step.findings if f["ma_lk"] == "OTHER-VISIT"] == ["TRAFFIC-02"]


def test_a_missing_resend_is_awaited_while_the_session_runs() -> None:
    scenario = scenarios()["correction-after-error"]
    verdict = _run(scenario, no_resend=True, stopped=False)
    [step] = verdict.steps
    assert step.outcome == "pending"
    assert "awaited: a resend of MA_LK" in step.note
    assert verdict.outcome == "pending"
