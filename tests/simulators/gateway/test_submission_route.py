"""The submission endpoints' raw ASGI handler answers exactly as their Starlette route does: same
status, headers and JSON body (but for the fresh maGiaoDich and time) for accepted, refused,
malformed, form-encoded, faulty and oversized submissions."""

from __future__ import annotations

import asyncio
import base64
from collections.abc import Callable
from typing import Any

import httpx
import orjson
import pytest

from lienthong.simulators.gateway.submission_route import GatewayApp
from lienthong.simulators.hospital import Hospital
from lienthong.simulators.network import Network, NetworkConfig, build_network

DOSSIER = "/api/qd130/guiHoSoXmlQD3176"
CHECKIN = "/api/qd130/checkInKcbQd3176"
PREFIX = "/gw"
"""With a root path Starlette routes the request; without one the raw handler takes it."""

FRESH = {"maGiaoDich", "thoiGianTiepNhan"}
Request = tuple[str, dict[str, Any]]


def _fields(hospital: Hospital, document: bytes, kind: str = "130") -> dict[str, str]:
    return {
        "username": hospital.facility.username,
        "loaiHoSo": kind,
        "maTinh": hospital.facility.province,
        "maCSKCB": hospital.facility.code,
        "fileHSBase64": base64.b64encode(document).decode(),
    }


def _cases(network: Network, hospital: Hospital) -> dict[str, Callable[[], Request]]:
    headers = hospital._headers()
    visit = network.visit(1)
    dossier = hospital.dossier_document(visit)
    good = _fields(hospital, dossier)
    return {
        "accepted": lambda: (DOSSIER, {"headers": headers, "json": good}),
        "accepted as a form": lambda: (DOSSIER, {"headers": headers, "data": good}),
        "check-in": lambda: (
            CHECKIN,
            {"headers": headers, "json": _fields(hospital, hospital.checkin_document(visit), "0")},
        ),
        "no token": lambda: (DOSSIER, {"json": good}),
        "wrong password hash": lambda: (
            DOSSIER,
            {"headers": {**headers, "passwordHash": "00"}, "json": good},
        ),
        "tampered": lambda: (
            DOSSIER,
            {"headers": headers, "json": _fields(hospital, dossier.replace(b"<NGAYLAP>", b"<NGAYLAP>1", 1))},
        ),
        "not base64": lambda: (DOSSIER, {"headers": headers, "json": {**good, "fileHSBase64": "@@"}}),
        "missing field": lambda: (DOSSIER, {"headers": headers, "json": {**good, "maTinh": None}}),
        "not JSON": lambda: (
            DOSSIER,
            {"headers": {**headers, "content-type": "application/json"}, "content": b"{not json"},
        ),
        "JSON array": lambda: (DOSSIER, {"headers": headers, "json": [1, 2]}),
        "empty body": lambda: (DOSSIER, {"headers": headers, "content": b""}),
        "oversized": lambda: (
            DOSSIER,
            {"headers": {**headers, "content-length": str(64 * 1024 * 1024)}, "content": b"{}"},
        ),
        "unknown fault": lambda: (
            DOSSIER,
            {"headers": {**headers, "X-Lienthong-Fault": "nope"}, "json": good},
        ),
        "server error fault": lambda: (
            DOSSIER,
            {"headers": {**headers, "X-Lienthong-Fault": "server_error"}, "json": good},
        ),
        "repeated header": lambda: (
            DOSSIER,
            {"headers": [*headers.items(), ("accessToken", "not-the-token")], "json": good},
        ),
    }


def _comparable(response: httpx.Response) -> tuple[int, list[tuple[str, str]], Any]:
    headers = [(k, v) for k, v in response.headers.multi_items() if k != "content-length"]
    try:
        body = response.json()
    except ValueError:
        return response.status_code, headers, response.text
    if isinstance(body, dict):  # a fresh transaction id and time in every answer
        body = {k: ("<fresh>" if k in FRESH and v else v) for k, v in body.items()}
    return response.status_code, headers, body


@pytest.fixture(scope="module")
def network() -> Network:
    return build_network(NetworkConfig(seed=21, population=20, header_faults=True))


def test_raw_and_routed_submissions_answer_alike(network: Network) -> None:
    app = network.apps["bhxh"]
    assert isinstance(app, GatewayApp)

    async def go() -> None:
        hospital = network.hospital()
        await hospital.login()
        cases = _cases(network, hospital)
        raw = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bhxh")
        routed = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app, root_path=PREFIX), base_url="http://bhxh"
        )
        seen = set()
        async with raw, routed:
            for label, make in cases.items():
                path, options = make()
                fast = await raw.post(path, **options)
                path, options = make()
                slow = await routed.post(PREFIX + path, **options)
                assert _comparable(fast) == _comparable(slow), label
                body = _comparable(fast)[2]
                seen.add(f"{fast.status_code}:{body.get('maKetQua', '') if isinstance(body, dict) else ''}")
                if fast.headers.get("content-type") == "application/json":
                    assert fast.headers["content-length"] == str(len(fast.content)), label
            path, options = cases["accepted"]()
            accepted = await raw.post(path, **options)
            assert orjson.loads(accepted.content)["maKetQua"] == "200"
            assert {"200:200", "200:125", "200:400", "200:401", "400:400", "503:"} <= seen, seen
            other_method = await raw.get(DOSSIER)
            assert other_method.status_code == 405, "other methods still go through Starlette"

    asyncio.run(go())
