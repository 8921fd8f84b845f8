"""The recorder keeps whole bodies for the case files and never a secret: each becomes a label
naming what it was, so a replay can put a fresh value back."""

from __future__ import annotations

import asyncio

import httpx
import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from lienthong.conformance.recording import REPORT_LIMIT, Recorder, Secrets

PASSWORD_MD5 = "5F4DCC3B5AA765D61D8327DEB882CF99"
ISSUED = "issued-token-0123456789"


async def _token(request: Request) -> JSONResponse:
    return JSONResponse({"maKetQua": "200", "APIKey": {"access_token": ISSUED, "id_token": "id-" + ISSUED}})


async def _echo(request: Request) -> JSONResponse:
    return JSONResponse({"echo": (await request.body()).decode()})


def _exchanges() -> Recorder:
    secrets = Secrets()
    secrets.register(PASSWORD_MD5, "account-1-password-md5")
    recorder = Recorder(secrets)
    app = Starlette(
        routes=[Route("/token", _token, methods=["POST"]), Route("/echo", _echo, methods=["POST"])]
    )

    async def go() -> None:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app),
            base_url="http://node",
            event_hooks={"response": [recorder]},
        ) as client:
            await client.post("/token", data={"username": "bv", "password": PASSWORD_MD5})
            await client.post(
                "/echo",
                params={"token": ISSUED},
                headers={"accessToken": ISSUED, "passwordHash": PASSWORD_MD5},
                json={"cccd": "001", "password": "vneid-secret", "file": "x" * (REPORT_LIMIT * 3)},
            )

    asyncio.run(go())
    return recorder


def test_secrets_become_named_labels_everywhere() -> None:
    recorder = _exchanges()
    text = orjson.dumps([x.__dict__ for x in recorder.full]).decode()
    for secret in (PASSWORD_MD5, ISSUED, "vneid-secret"):
        assert secret not in text
    token, echo = recorder.full
    assert "password=[secret:account-1-password-md5]" in token.request_body
    assert '"access_token":"[secret:token-1]"' in token.response_body
    assert echo.request_headers["accesstoken"] == "[secret:token-1]"
    assert echo.request_headers["passwordhash"] == "[secret:account-1-password-md5]"
    assert "token=[secret:token-1]" in echo.url
    assert '"password":"[secret:secret-1]"' in echo.request_body  # unknown to the run: a generic name


def test_case_copy_is_whole_and_report_copy_is_cut() -> None:
    recorder = _exchanges()
    whole, cut = recorder.full[1], recorder.exchanges[1]
    assert len(whole.request_body) > REPORT_LIMIT * 3
    assert len(cut.request_body) < REPORT_LIMIT + 50
    assert cut.request_body.endswith("characters)")
    assert recorder.take_full()
    assert not recorder.full
