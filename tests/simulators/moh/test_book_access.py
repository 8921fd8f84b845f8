"""Who sees what in the MoH store: restricted XML6 data, the VNeID visibility delay, consents,
scopes, token expiry, and the log of every read."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from tests.simulators.moh._store import book, deliver, first_visit

HIV = [{"MA_LK": "", "NGAYKD_HIV": "20240101", "MA_PHAC_DO_DIEU_TRI_BD": "TDF+3TC+DTG"}]


def _auth(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


def test_the_hiv_record_never_reaches_a_citizen_view_but_a_scoped_facility_reads_it() -> None:
    person, visit = first_visit("XML1")

    async def go() -> None:
        async with book() as b:
            deliver(b.store, visit, XML6=[HIV[0] | {"MA_LK": visit.ma_lk}])
            mine = await b.moh.get(
                f"/fhir/Patient/{person.cccd}/$everything", headers=_auth(await b.citizen_token(person))
            )
            assert mine.status_code == 200
            assert "TDF+3TC+DTG" not in mine.text
            assert "B24" not in mine.text
            plain = await b.moh.get(
                "/fhir/Condition",
                params={"patient": person.cccd},
                headers=_auth(await b.facility_token(visit.facility.code)),
            )
            assert "TDF+3TC+DTG" not in plain.text
            b.store.register_facility(
                visit.facility.code,
                f"secret-{visit.facility.code}",
                scopes=("system/Condition.read", "system/restricted.read"),
            )
            scoped = await b.moh.get(
                "/fhir/Condition",
                params={"patient": person.cccd},
                headers=_auth(await b.facility_token(visit.facility.code)),
            )
            assert "TDF+3TC+DTG" in scoped.text

    asyncio.run(go())


def test_a_visit_shows_on_vneid_only_after_the_delay_and_the_store_records_when() -> None:
    person, visit = first_visit("XML1")

    async def go() -> None:
        async with book(delay=timedelta(hours=6)) as b:
            deliver(b.store, visit)
            status = b.store.visit_status(visit.facility.code, visit.ma_lk)
            assert status is not None
            assert status["visible_at"] > status["stored_at"]
            token = await b.citizen_token(person)
            before = await b.moh.get("/fhir/Encounter", params={"patient": person.cccd}, headers=_auth(token))
            assert before.json()["total"] == 0
            facility = await b.moh.get(
                "/fhir/Encounter",
                params={"patient": person.cccd},
                headers=_auth(await b.facility_token(visit.facility.code)),
            )
            assert facility.json()["total"] == 1, "facilities see a visit as soon as it is stored"
            b.clock.advance(timedelta(hours=6, minutes=1))
            token = await b.citizen_token(person)
            after = await b.moh.get("/fhir/Encounter", params={"patient": person.cccd}, headers=_auth(token))
            assert after.json()["total"] == 1

    asyncio.run(go())


def test_consent_opens_a_book_to_a_facility_and_withdrawal_closes_it() -> None:
    person, visit = first_visit("XML1")

    async def go() -> None:
        async with book() as b:
            deliver(b.store, visit)
            other = "79002" if visit.facility.code != "79002" else "01001"
            facility = _auth(await b.facility_token(other))
            citizen = _auth(await b.citizen_token(person))
            query = {"patient": person.cccd}
            assert (await b.moh.get("/fhir/Encounter", params=query, headers=facility)).status_code == 403
            granted = await b.moh.post("/api/consents", json={"facility": other}, headers=citizen)
            assert granted.status_code == 201, granted.text
            assert (await b.moh.get("/fhir/Encounter", params=query, headers=facility)).status_code == 200
            listed = await b.moh.get("/api/consents", headers=citizen)
            assert [c["facility"] for c in listed.json()["consents"]] == [other]
            assert (
                await b.moh.delete(f"/api/consents/{person.cccd}/{other}", headers=citizen)
            ).status_code == 204
            assert (await b.moh.get("/fhir/Encounter", params=query, headers=facility)).status_code == 403

    asyncio.run(go())


def test_scopes_expiry_and_the_access_log() -> None:
    person, visit = first_visit("XML1", "XML4")

    async def go() -> None:
        async with book() as b:
            deliver(b.store, visit)
            code = visit.facility.code
            narrow = _auth(await b.facility_token(code, scope="system/Encounter.read"))
            query = {"patient": person.cccd}
            assert (await b.moh.get("/fhir/Encounter", params=query, headers=narrow)).status_code == 200
            assert (await b.moh.get("/fhir/Observation", params=query, headers=narrow)).status_code == 403
            wide = await b.moh.post(
                "/oauth/token",
                data={
                    "grant_type": "client_credentials",
                    "client_id": code,
                    "client_secret": f"secret-{code}",
                    "scope": "system/*.write",
                },
            )
            assert wide.status_code == 400
            assert wide.json()["error"] == "invalid_scope"
            wrong = await b.moh.post(
                "/oauth/token",
                data={"grant_type": "client_credentials", "client_id": code, "client_secret": "nope"},
            )
            assert wrong.status_code == 401
            assert "access_token" not in wrong.text
            citizen = _auth(await b.citizen_token(person))
            read = await b.moh.get(
                f"/fhir/Patient/{person.cccd}/$everything", headers=citizen | {"x-purpose-of-use": "PATRQT"}
            )
            assert read.status_code == 200
            log = (await b.moh.get("/api/access-log", headers=citizen)).json()["entries"]
            actors = {(e["actor"], e["purpose"], e["outcome"]) for e in log}
            assert (f"citizen:{person.cccd}", "PATRQT", "ok") in actors
            assert (f"facility:{code}", "TREAT", "forbidden") in actors
            b.clock.advance(timedelta(hours=2))
            assert (await b.moh.get("/fhir/Encounter", params=query, headers=narrow)).status_code == 401
            assert (await b.moh.get("/fhir/Encounter", params=query, headers=citizen)).status_code == 401

    asyncio.run(go())
