"""Provisioning an open session in process: accounts for every --facility, the vendor's own
certificate registered (no key written for it), the patients in C06 and the card register, the
accounts file in the documented shape, session.json and the patients copy in the data dir."""

from __future__ import annotations

import asyncio
import json
from datetime import date
from pathlib import Path

from jsonschema import Draft202012Validator  # type: ignore[import-untyped]

from lienthong.conformance.cli._certify_session import OpenSession, provision_session
from lienthong.profiles.patients import Patient, write_patients
from lienthong.profiles.scenarios import scenario
from lienthong.simulators.gateway.intake import facility_certificates
from lienthong.simulators.network import NetworkConfig, build_network
from lienthong.simulators.pki import shared_authority

SCHEMA = (
    Path(__file__).resolve().parents[2]
    / "profiles/lienthong/profiles/openapi/schemas/lienthong/accounts.json"
)
PATIENT = Patient(
    "079080001001",
    "DN4791234500001",
    "Nguyễn Văn Bình",
    date(1980, 4, 2),
    "1",
    "12 Lê Lợi",
    date(2025, 1, 1),
    date(2025, 12, 31),
    "79123",
    "mat-khau-1",
)


def test_two_facilities_one_with_its_own_certificate(tmp_path: Path) -> None:
    write_patients([PATIENT], tmp_path / "p.csv")
    own = shared_authority().issue("HIS của nhà cung cấp (79124)")
    session = OpenSession(
        tmp_path / "session",
        ["79123", "79124"],
        [PATIENT],
        (tmp_path / "p.csv").read_bytes(),
        {"79124": own.cert_pem},
        "",
        tmp_path / "accounts.json",
    )
    network = build_network(NetworkConfig(population=5, facilities=1))
    try:
        accounts = provision_session(session, network)
        assert [a["facility"] for a in accounts] == ["79123", "79124"]
        assert accounts[1]["key"] == ""  # the vendor keeps its own key
        assert facility_certificates(network.gateway.engine, "79124") == [own.cert_pem]
        assert Path(accounts[0]["key"]).is_absolute()
        record = network.c06.record(PATIENT.cccd)
        assert (record.name, record.dob) == (PATIENT.name, "1980-04-02")
        card = network.gateway.cards.by_number(PATIENT.bhyt[-10:])
        assert card is not None
        assert (card.valid_from, card.valid_to, card.special) == (date(2025, 1, 1), date(2025, 12, 31), "")
        written = json.loads((tmp_path / "accounts.json").read_text(encoding="utf-8"))
        Draft202012Validator(json.loads(SCHEMA.read_text(encoding="utf-8"))).validate(written)
        assert written["citizens"] == [
            {
                "cccd": PATIENT.cccd,
                "vneid_password": "mat-khau-1",
                "guardian_of": [],
                "name": PATIENT.name,
                "card": PATIENT.bhyt,
                "dob": "02/04/1980",
            }
        ]
        facts = json.loads((tmp_path / "session" / "session.json").read_text(encoding="utf-8"))
        assert facts["facilities"] == ["79123", "79124"]
        assert (tmp_path / "session" / "patients.csv").read_bytes() == (tmp_path / "p.csv").read_bytes()
    finally:
        asyncio.run(network.aclose())


def test_a_scenario_session_arms_its_steps_one_shot_gateway_answers(tmp_path: Path) -> None:
    chosen = scenario("timeout-retry")
    session = OpenSession(
        tmp_path / "session", ["79123"], list(chosen.patients), b"", scenario=chosen, withhold_seconds=90
    )
    network = build_network(NetworkConfig(population=5, facilities=1))
    try:
        provision_session(session, network)
        config = network.gateway.config
        assert [(a.step, a.behaviour, a.cccd, a.ma_lk) for a in config.scripted] == [
            ("timeout", "withhold_first_answer", chosen.steps[0].patient, "")
        ]
        assert config.withhold_seconds == 90
        facts = json.loads((tmp_path / "session" / "session.json").read_text(encoding="utf-8"))
        assert facts["scenario"]["withhold_seconds"] == 90
    finally:
        asyncio.run(network.aclose())
