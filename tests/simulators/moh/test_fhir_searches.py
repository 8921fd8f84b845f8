"""The MoH store serves the book as FHIR R4 searches: visits, diagnoses, labs (XML4), referrals
(XML13), appointments (XML14), immunisations and visit documents."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from tests.simulators.moh._store import book, deliver, first_visit, guardian_and_child


def _search(kind: str, cccd: str, token: str, **params: str) -> Any:
    return kind, {"patient": cccd, **params}, {"authorization": f"Bearer {token}"}


def test_a_referral_and_its_labs_are_searchable_by_citizen_and_facility() -> None:
    person, visit = first_visit("XML13", "XML4")

    async def go() -> None:
        async with book() as b:
            deliver(b.store, visit)
            for token in (await b.citizen_token(person), await b.facility_token(visit.facility.code)):
                headers = {"authorization": f"Bearer {token}"}
                found = {}
                for kind in ("Encounter", "Condition", "Observation", "ServiceRequest", "DocumentReference"):
                    answer = await b.moh.get(
                        f"/fhir/{kind}", params={"patient": person.cccd}, headers=headers
                    )
                    assert answer.status_code == 200, answer.text
                    assert answer.headers["content-type"].startswith("application/fhir+json")
                    found[kind] = [e["resource"] for e in answer.json()["entry"]]
                referral = found["ServiceRequest"][0]
                letter = visit.referral
                assert letter is not None
                assert referral["performer"][0]["identifier"]["value"] == letter.to
                assert found["Encounter"][0]["identifier"][0]["value"] == visit.ma_lk
                assert len(found["Observation"]) == len(visit.labs) > 0
                labs = await b.moh.get(
                    "/fhir/Observation",
                    params={"patient": person.cccd, "category": "laboratory"},
                    headers=headers,
                )
                assert labs.json()["total"] == len(visit.labs)

    asyncio.run(go())


def test_the_receiving_facility_of_a_referral_may_read_the_patient() -> None:
    person, visit = first_visit("XML13")
    assert visit.referral is not None

    async def go() -> None:
        async with book() as b:
            deliver(b.store, visit)
            token = await b.facility_token(visit.referral.to)
            answer = await b.moh.get(
                "/fhir/ServiceRequest",
                params={"patient": person.cccd},
                headers={"authorization": f"Bearer {token}"},
            )
            assert answer.status_code == 200

    asyncio.run(go())


def test_an_appointment_slip_becomes_a_booked_appointment() -> None:
    person, visit = first_visit("XML14")

    async def go() -> None:
        async with book() as b:
            deliver(b.store, visit)
            token = await b.citizen_token(person)
            answer = await b.moh.get(
                "/fhir/Appointment",
                params={"patient": person.cccd},
                headers={"authorization": f"Bearer {token}"},
            )
            appointment = answer.json()["entry"][0]["resource"]
            assert appointment["status"] == "booked"
            assert visit.appointment is not None
            assert appointment["start"].startswith(visit.appointment.isoformat())

    asyncio.run(go())


def test_a_guardian_reads_a_childs_immunisations_and_a_stranger_cannot() -> None:
    guardian, child = guardian_and_child()

    async def go() -> None:
        async with book() as b:
            token = await b.citizen_token(guardian)
            answer = await b.moh.get(
                "/fhir/Immunization",
                params={"patient": child.cccd},
                headers={"authorization": f"Bearer {token}"},
            )
            assert answer.status_code == 200
            shots = [e["resource"] for e in answer.json()["entry"]]
            assert shots
            assert all(s["patient"]["reference"] == f"Patient/{child.cccd}" for s in shots)
            from lienthong.simulators.population import citizen

            stranger = next(
                citizen(7, i)
                for i in range(3, 120)
                if citizen(7, i).cccd not in {guardian.cccd, child.cccd}
                and citizen(7, i).death is None
                and citizen(7, i).age >= 18
            )
            refused = await b.moh.get(
                "/fhir/Immunization",
                params={"patient": child.cccd},
                headers={"authorization": f"Bearer {await b.citizen_token(stranger)}"},
            )
            assert refused.status_code == 403

    asyncio.run(go())


def test_every_resource_parses_as_fhir_r4b() -> None:
    """R4B is wire-compatible with R4 (4.0.1) for these resources; fhir.resources is test-only."""
    resources = pytest.importorskip("fhir.resources.R4B")
    person, visit = first_visit("XML13")
    guardian, child = guardian_and_child()

    async def go() -> list[dict[str, Any]]:
        async with book() as b:
            deliver(b.store, visit)
            out = []
            for who, cccd in ((person, person.cccd), (guardian, child.cccd)):
                answer = await b.moh.get(
                    f"/fhir/Patient/{cccd}/$everything",
                    headers={"authorization": f"Bearer {await b.citizen_token(who)}"},
                )
                out.append(answer.json())
            return out

    import importlib

    for bundle in asyncio.run(go()):
        importlib.import_module("fhir.resources.R4B.bundle").Bundle.model_validate(bundle)
        kinds = {e["resource"]["resourceType"] for e in bundle["entry"]}
        assert kinds & {"Encounter", "Immunization"}
    assert resources
