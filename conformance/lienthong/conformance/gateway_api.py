"""The BHXH gateway API as a client sees it (CV 1245/BHXH-CNTT): sessions and submissions."""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from typing import Any

import httpx

from lienthong.conformance.context import Samples
from lienthong.conformance.failures import CheckFailed

ANSWER_FIELDS = ("maKetQua", "maGiaoDich", "thoiGianTiepNhan", "thongDiep")


def md5_upper(text: str) -> str:
    return hashlib.md5(text.encode("utf-8")).hexdigest().upper()


@dataclass(frozen=True, slots=True)
class Session:
    access_token: str
    id_token: str
    username: str
    password_md5: str

    def headers(self) -> dict[str, str]:
        """The session headers of a submission (passwordHash left out when it is '')."""
        headers = {"accessToken": self.access_token, "tokenId": self.id_token}
        return headers | ({"passwordHash": self.password_md5} if self.password_md5 else {})


def json_of(response: httpx.Response) -> dict[str, Any]:
    """The JSON object of a gateway answer, or a failure saying what came instead."""
    try:
        body = response.json()
    except ValueError:
        raise CheckFailed(
            f"the answer is not JSON (HTTP {response.status_code}): {response.text[:200]!r}"
        ) from None
    if not isinstance(body, dict):
        raise CheckFailed(f"the answer is not a JSON object: {str(body)[:200]}")
    return body


async def take_token(
    client: httpx.AsyncClient, username: str, password: str
) -> tuple[httpx.Response, dict[str, Any]]:
    response = await client.post(
        "/api/token/take", data={"username": username, "password": md5_upper(password)}
    )
    return response, json_of(response)


async def open_session(client: httpx.AsyncClient, samples: Samples) -> Session:
    """A session for the sample facility; a failure if the gateway will not open one."""
    _, body = await take_token(client, samples.username, samples.password)
    key = body.get("APIKey") or {}
    if body.get("maKetQua") != "200" or not key.get("access_token"):
        raise CheckFailed(f"POST /api/token/take refused valid credentials: {body}")
    return Session(
        key.get("access_token", ""),
        key.get("id_token", ""),
        samples.username,
        md5_upper(samples.password),
    )


async def submit(
    client: httpx.AsyncClient,
    session: Session | None,
    samples: Samples,
    *,
    kind: str,
    document: bytes | None = None,
    file_base64: str | None = None,
    regulation: str = "3176",
    overrides: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Send a check-in (``kind="checkin"``) or dossier and return the answer."""
    path = (
        f"/api/qd130/checkInKcbQd{regulation}"
        if kind == "checkin"
        else f"/api/qd130/guiHoSoXmlQD{regulation}"
    )
    content = file_base64 if file_base64 is not None else base64.b64encode(document or b"").decode("ascii")
    fields = {
        "username": samples.username,
        "loaiHoSo": "0" if kind == "checkin" else "130",
        "maTinh": samples.province,
        "maCSKCB": samples.facility,
        "fileHSBase64": content,
    }
    fields |= overrides or {}
    response = await client.post(path, json=fields, headers=session.headers() if session else {})
    return json_of(response)
