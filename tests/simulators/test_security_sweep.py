"""The credentials and authorisation sweep: every endpoint of every node (from its OpenAPI
document), called with no credentials, wrong ones, expired ones, and valid ones of a caller who may
not see the data, returns no data: an HTTP 401/403 (or, on the BHXH API, maKetQua 401/403) and
none of the patient's identifiers, name or visits in the answer."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import httpx
import pytest

from lienthong.profiles.openapi import NODES, openapi_document
from lienthong.simulators.network import Network
from tests.simulators._nodes import Credentials, md5, treated_network

Request = tuple[str, str, dict[str, Any]]
"""(node, path, httpx request keyword arguments); the method comes from the operation."""

PUBLIC = {"GET /health", "GET /openapi.json", "GET /fhir/metadata"}
"""Operations that hold no personal data and need no credentials."""
SELF_SCOPED = {"GET /api/consents", "GET /api/access-log"}
"""Another citizen's valid token may list their own entries here, never the patient's."""
TOKEN_ISSUERS = {"POST /api/token/take", "POST /api/vneid/token", "POST /oauth/token", "POST /api/auth/login"}
"""Operations that take credentials in the body and must issue nothing for wrong ones."""


def _requests(c: Credentials) -> dict[str, Callable[[dict[str, str]], Request]]:
    """A well-formed request per operation, with ``auth`` (headers or query) chosen by the sweep."""
    dossier_fields = {
        "username": "01001_BV",
        "loaiHoSo": "130",
        "maTinh": "01",
        "maCSKCB": c.facility_code,
        "fileHSBase64": "PEdJQU1ESU5IU0gvPg==",
    }
    out: dict[str, Callable[[dict[str, str]], Request]] = {}
    for reg in ("130", "4750", "3176"):
        out[f"POST /api/qd130/guiHoSoXmlQD{reg}"] = lambda a, r=reg: (
            "bhxh",
            f"/api/qd130/guiHoSoXmlQD{r}",
            {"headers": a, "json": dossier_fields},
        )
        out[f"POST /api/qd130/checkInKcbQd{reg}"] = lambda a, r=reg: (
            "bhxh",
            f"/api/qd130/checkInKcbQd{r}",
            {"headers": a, "json": dossier_fields | {"loaiHoSo": "0"}},
        )
    patient = c.patient
    out |= {
        "POST /api/egw/KQNhanLichSuKCB2024": lambda a: (
            "bhxh",
            "/api/egw/KQNhanLichSuKCB2024",
            {
                "params": a,
                "json": {
                    "maThe": "GD4010123456789",
                    "hoTen": c.patient_name,
                    "ngaySinh": "01/01/1990",
                    "hoTenCb": "Nguyễn Văn A",
                    "cccdCb": "001090000001",
                },
            },
        ),
        "GET /api/lienthong/ketQuaHoSo": lambda a: (
            "bhxh",
            "/api/lienthong/ketQuaHoSo",
            {"headers": a, "params": {"maLK": c.ma_lks[0]}},
        ),
        "GET /lienthong/submissions": lambda a: ("bhxh", "/lienthong/submissions", {"headers": a}),
        "GET /lienthong/transactions/{tx}": lambda a: ("bhxh", "/lienthong/transactions/GD0", {"headers": a}),
        "POST /api/identity/verify": lambda a: (
            "c06",
            "/api/identity/verify",
            {
                "headers": a,
                "json": {
                    "cccd": patient,
                    "ho_ten": c.patient_name,
                    "ngay_sinh": "1990-01-01",
                    "gioi_tinh": "1",
                },
            },
        ),
        "POST /api/guardianship/verify": lambda a: (
            "c06",
            "/api/guardianship/verify",
            {"headers": a, "json": {"guardian": patient, "ward": patient}},
        ),
        "GET /api/vneid/account": lambda a: ("c06", "/api/vneid/account", {"headers": a}),
        "POST /internal/visits": lambda a: (
            "moh",
            "/internal/visits",
            {
                "headers": a,
                "json": {"facility": "01001", "ma_lk": "X1", "summary": {"SO_CCCD": "000000000000"}},
            },
        ),
        "GET /internal/visits/{facility}/{ma_lk}": lambda a: (
            "moh",
            f"/internal/visits/{c.facility_code}/{c.ma_lks[0]}",
            {"headers": a},
        ),
        "GET /fhir/Patient/{cccd}/$everything": lambda a: (
            "moh",
            f"/fhir/Patient/{patient}/$everything",
            {"headers": a},
        ),
        "GET /fhir/Patient/{cccd}": lambda a: ("moh", f"/fhir/Patient/{patient}", {"headers": a}),
        "GET /fhir/Patient": lambda a: ("moh", "/fhir/Patient", {"headers": a, "params": {"_id": patient}}),
        "GET /api/consents": lambda a: ("moh", "/api/consents", {"headers": a}),
        "POST /api/consents": lambda a: (
            "moh",
            "/api/consents",
            {"headers": a, "json": {"facility": "79002", "patient": patient}},
        ),
        "DELETE /api/consents/{patient}/{facility}": lambda a: (
            "moh",
            f"/api/consents/{patient}/79002",
            {"headers": a},
        ),
        "GET /api/access-log": lambda a: ("moh", "/api/access-log", {"headers": a}),
        "POST /api/platform/data-sync/push": lambda a: (
            "moh",
            "/api/platform/data-sync/push",
            {"headers": a | {"service-type": "100"}, "json": {"header": {}, "data": "", "signature": ""}},
        ),
    }
    for kind in (
        "Encounter",
        "Condition",
        "Observation",
        "ServiceRequest",
        "Appointment",
        "Immunization",
        "DocumentReference",
    ):
        out[f"GET /fhir/{kind}"] = lambda a, k=kind: (
            "moh",
            f"/fhir/{k}",
            {"headers": a, "params": {"patient": patient}},
        )
    return out


def _operations() -> list[str]:
    labels = []
    for node in NODES:
        for path, item in openapi_document(node)["paths"].items():
            labels += [f"{method.upper()} {path}" for method in item]
    return labels


def _bearer(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


def _bad_credentials(label: str, c: Credentials, stale: Credentials) -> dict[str, dict[str, str]]:
    """Caller name -> credentials that must not reach the data of ``c.patient``."""
    if label.startswith(("POST /api/qd130/", "GET /api/lienthong/")):
        return {
            "none": {},
            "wrong": {"accessToken": "x" * 48, "tokenId": "y" * 32, "passwordHash": md5("x")},
            "expired": stale.gateway_session,
            "wrong password hash": c.gateway_session | {"passwordHash": md5("not the password")},
        }
    if label.startswith("POST /api/egw/"):
        return {"none": {}, "wrong": dict.fromkeys(c.gateway_query, "x"), "expired": stale.gateway_query}
    bad = {"none": {}, "wrong": _bearer("eyJhbGciOiJIUzI1NiJ9.e30.c2lnbmF0dXJl")}
    if label.startswith(
        (
            "GET /lienthong/",
            "POST /api/identity/",
            "POST /api/guardianship/",
            "POST /internal/",
            "GET /internal/",
        )
    ):
        return bad | {"a citizen token": _bearer(c.citizen), "a facility token": _bearer(c.facility)}
    if label == "POST /api/platform/data-sync/push":
        return bad | {"expired": _bearer(stale.ksk), "a FHIR facility token": _bearer(c.facility)}
    if label == "GET /api/vneid/account":
        return bad | {"expired": _bearer(stale.citizen), "a facility token": _bearer(c.facility)}
    return bad | {
        "expired citizen": _bearer(stale.citizen),
        "expired facility": _bearer(stale.facility),
        "another citizen": _bearer(c.other_citizen),
        "an untreated facility": _bearer(c.other_facility),
        "the gateway's service token": _bearer(c.service),
    }


def _secrets_shown(text: str, c: Credentials, label: str) -> list[str]:
    markers = {
        "the patient's CCCD": c.patient,
        "the patient's name": c.patient_name,
        "a visit's MA_LK": c.ma_lks[0],
        "a token": "access_token",
    }
    return [name for name, value in markers.items() if value and value in text]


@pytest.fixture(scope="module")
def swept() -> Iterator[tuple[Network, Credentials, Credentials]]:
    network, stale = treated_network()
    now = network.clock.now()
    network.clock.advance(timedelta(hours=3))  # every token issued so far has expired

    async def fresh() -> Credentials:
        from tests.simulators._nodes import _credentials

        made = await _credentials(network, network.citizen(0))
        made.patient_name, made.ma_lks = stale.patient_name, stale.ma_lks
        other = network.citizen(1)
        signed_in = await network.client("c06").post(
            "/api/vneid/token", json={"cccd": other.cccd, "password": other.password}
        )
        made.other_citizen = signed_in.json()["access_token"]
        site = network.facilities[2]
        form = {"grant_type": "client_credentials", "client_id": site.code, "client_secret": site.moh_secret}
        token = await network.client("moh").post("/oauth/token", data=form)
        made.other_facility = token.json()["access_token"]
        return made

    credentials = asyncio.run(fresh())
    assert network.clock.now() > now
    return network, credentials, stale


def test_the_portal_password_is_not_a_moh_client_secret(
    swept: tuple[Network, Credentials, Credentials],
) -> None:
    """The MoH store issues its own client secrets: the BHXH portal password opens nothing there."""
    network, site = swept[0], swept[0].facilities[0]

    async def statuses(secret: str) -> tuple[int, int]:
        moh = network.client("moh")
        form = {"grant_type": "client_credentials", "client_id": site.code, "client_secret": secret}
        token = await moh.post("/oauth/token", data=form)
        login = await moh.post("/api/auth/login", json={"username": site.code, "password": secret})
        return token.status_code, login.status_code

    assert site.password != site.moh_secret
    assert asyncio.run(statuses(site.password)) == (401, 401)
    assert asyncio.run(statuses(site.moh_secret)) == (200, 200)


def test_the_sweep_covers_every_operation_of_every_node(
    swept: tuple[Network, Credentials, Credentials],
) -> None:
    known = set(_requests(swept[1])) | PUBLIC | TOKEN_ISSUERS
    assert set(_operations()) <= known, f"add a sweep request for {sorted(set(_operations()) - known)}"


@pytest.mark.parametrize("label", sorted(set(_operations()) - PUBLIC - TOKEN_ISSUERS))
def test_no_data_without_valid_credentials_or_a_right_to_it(
    label: str, swept: tuple[Network, Credentials, Credentials]
) -> None:
    network, creds, stale = swept
    method = label.split()[0]
    problems = []

    async def go() -> None:
        for caller, auth in _bad_credentials(label, creds, stale).items():
            node, path, kwargs = _requests(creds)[label](auth)
            async with httpx.AsyncClient(
                transport=httpx.ASGITransport(app=network.apps[node]), base_url=f"http://{node}.test"
            ) as client:
                answer = await client.request(method, path, **kwargs)
            refused = answer.status_code in (401, 403) or (
                label in SELF_SCOPED and caller == "another citizen"
            )
            if node == "bhxh" and answer.status_code == 200:
                refused = answer.json().get("maKetQua") in ("401", "403")
            shown = _secrets_shown(answer.text, creds, label)
            if not refused or shown:
                problems.append(
                    f"{caller}: HTTP {answer.status_code} {answer.text[:160]!r}"
                    + (f" shows {', '.join(shown)}" if shown else "")
                )

    asyncio.run(go())
    assert not problems, f"{label} gave data to callers who may not have it: " + "; ".join(problems)


@pytest.mark.parametrize("label", sorted(TOKEN_ISSUERS))
def test_token_endpoints_issue_nothing_for_wrong_credentials(
    label: str, swept: tuple[Network, Credentials, Credentials]
) -> None:
    network, creds, _ = swept
    site = network.facilities[0]
    node, path, kwargs = {
        "POST /api/token/take": (
            "bhxh",
            "/api/token/take",
            {"data": {"username": site.username, "password": md5("no")}},
        ),
        "POST /api/vneid/token": (
            "c06",
            "/api/vneid/token",
            {"json": {"cccd": creds.patient, "password": "no"}},
        ),
        "POST /oauth/token": (
            "moh",
            "/oauth/token",
            {"data": {"grant_type": "client_credentials", "client_id": site.code, "client_secret": "no"}},
        ),
        "POST /api/auth/login": (
            "moh",
            "/api/auth/login",
            {"json": {"username": site.code, "password": "no"}},
        ),
    }[label]

    async def go() -> httpx.Response:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=network.apps[node]), base_url=f"http://{node}.test"
        ) as client:
            return await client.post(path, **kwargs)

    answer = asyncio.run(go())
    assert "access_token" not in answer.text, (
        f"{label} issued a token for a wrong password: {answer.text[:200]}"
    )
