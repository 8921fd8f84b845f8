"""C06: identity checks answer match / mismatch / unknown / deceased / cancelled and nothing more;
sign-in gives a token with the account level and the wards; guardian links are verifiable."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from lienthong.simulators.c06 import C06Config, create_c06
from lienthong.simulators.c06.notable import first_deceased, first_reissued
from lienthong.simulators.population import Citizen, citizen, citizens

SEED = 7


def _asked(person: Citizen, **changes: str) -> dict[str, str]:
    return {
        "cccd": person.cccd,
        "ho_ten": person.name,
        "ngay_sinh": person.dob.isoformat(),
        "gioi_tinh": str(person.sex),
    } | changes


def test_identity_results_signin_levels_and_guardians() -> None:
    config = C06Config(service_token="svc")
    app = create_c06(config)
    people = list(citizens(SEED, 0, 60))
    dead, renewed = first_deceased(SEED), first_reissued(SEED)
    app.state.node.load_citizens([*people, dead, renewed])
    child = next(p for p in people if p.guardian is not None and p.age < 6 and p.death is None)
    parent = citizen(SEED, child.guardian or 0)
    adult = next(p for p in people if p.age >= 18 and p.death is None)

    async def go() -> None:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://c06") as c06:

            async def verify(asked: dict[str, str]) -> dict[str, Any]:
                answer = await c06.post(
                    "/api/identity/verify", json=asked, headers={"authorization": "Bearer svc"}
                )
                assert answer.status_code == 200
                body: dict[str, Any] = answer.json()
                assert set(body) == {"result", "mismatched"}
                return body

            assert (await verify(_asked(adult)))["result"] == "match"
            assert await verify(_asked(adult, ho_ten="Tên Khác")) == {
                "result": "mismatch",
                "mismatched": ["ho_ten"],
            }
            assert (await verify(_asked(adult, cccd="001099999999")))["result"] == "unknown"
            assert (await verify(_asked(dead)))["result"] == "deceased"
            assert (await verify(_asked(renewed, cccd=renewed.previous_cccd)))["result"] == "cancelled"
            assert (await verify(_asked(renewed)))["result"] == "match"
            refused = await c06.post("/api/identity/verify", json=_asked(adult))
            assert refused.status_code == 401
            assert adult.name not in refused.text

            for person, number in ((dead, dead.cccd), (renewed, renewed.previous_cccd)):
                answer = await c06.post(
                    "/api/vneid/token", json={"cccd": number, "password": person.password}
                )
                assert answer.status_code == 401
            signed_in = await c06.post(
                "/api/vneid/token", json={"cccd": parent.cccd, "password": parent.password}
            )
            assert signed_in.json()["level"] == 2
            assert child.cccd in signed_in.json()["wards"]
            kid = await c06.post("/api/vneid/token", json={"cccd": child.cccd, "password": child.password})
            assert kid.json()["level"] == 1
            account = await c06.get(
                "/api/vneid/account", headers={"authorization": f"Bearer {signed_in.json()['access_token']}"}
            )
            assert {w["cccd"]: w["quan_he"] for w in account.json()["wards"]}[child.cccd] in {
                "mother",
                "father",
            }
            link = await c06.post(
                "/api/guardianship/verify",
                json={"guardian": parent.cccd, "ward": child.cccd},
                headers={"authorization": "Bearer svc"},
            )
            assert link.json() == {"result": "guardian"}
            stranger = await c06.post(
                "/api/guardianship/verify",
                json={"guardian": adult.cccd, "ward": child.cccd},
                headers={"authorization": "Bearer svc"},
            )
            assert stranger.json() == {"result": "not-guardian"} or adult.cccd == parent.cccd

    asyncio.run(go())


def test_loading_twice_adds_nobody() -> None:
    app = create_c06(C06Config())
    people = list(citizens(SEED, 0, 20))
    assert app.state.node.load_citizens(people) >= 20
    assert app.state.node.load_citizens(people) == 0
