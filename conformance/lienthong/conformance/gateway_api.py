"""The BHXH gateway API as a client sees it (CV 1245/BHXH-CNTT): sessions and submissions."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

from lienthong.conformance.context import Samples, Tables
from lienthong.conformance.failures import CheckFailed

ANSWER_FIELDS = ("maKetQua", "maGiaoDich", "thoiGianTiepNhan", "thongDiep")
PROFILES = {"130": "qd130", "4750": "qd4750", "3176": "qd3176"}


def profile_of(regulation: str) -> str:
    """The profile version (tag set) of an endpoint family: ``qd3176`` for ``...QD3176``."""
    return PROFILES.get(regulation, "qd3176")


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


def _submission(
    samples: Samples,
    kind: str,
    document: bytes | None,
    file_base64: str | None,
    regulation: str,
    overrides: dict[str, str] | None,
) -> tuple[str, dict[str, str]]:
    """The path and form fields of a check-in (``kind="checkin"``) or dossier, as a HIS sends it."""
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
    return path, fields | (overrides or {})


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
    path, fields = _submission(samples, kind, document, file_base64, regulation, overrides)
    response = await client.post(path, json=fields, headers=session.headers() if session else {})
    return json_of(response)


@dataclass(frozen=True, slots=True)
class Answer:
    """A gateway's answer to one request, whatever it was: JSON or not, any HTTP status."""

    status: int
    body: dict[str, Any]
    text: str

    @property
    def code(self) -> str:
        return str(self.body.get("maKetQua", ""))

    @property
    def accepted(self) -> bool:
        """Accepted as the API says it: HTTP 200 and maKetQua 200."""
        return self.status == 200 and self.code == "200"

    @property
    def message(self) -> str:
        return str(self.body.get("thongDiep", ""))

    def describe(self) -> str:
        if self.body:
            return f"maKetQua {self.code!r}, thongDiep {self.message[:200]!r} (HTTP {self.status})"
        return f"HTTP {self.status}, {self.text[:200]!r}"


def answer_of(response: httpx.Response) -> Answer:
    try:
        body = response.json()
    except ValueError:
        body = None
    return Answer(response.status_code, body if isinstance(body, dict) else {}, response.text)


async def send(
    client: httpx.AsyncClient,
    session: Session | None,
    samples: Samples,
    *,
    kind: str,
    document: bytes | None = None,
    file_base64: str | None = None,
    regulation: str = "3176",
    overrides: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
) -> Answer:
    """:func:`submit`, but any answer (a refusal may be an HTTP error without JSON) is returned."""
    path, fields = _submission(samples, kind, document, file_base64, regulation, overrides)
    sent_headers = (session.headers() if session else {}) | (headers or {})
    return answer_of(await client.post(path, json=fields, headers=sent_headers))


async def check_in(
    client: httpx.AsyncClient, session: Session, samples: Samples, tables: Tables, regulation: str = "3176"
) -> None:
    """Send the episode's check-ins as a HIS does (none for an emergency); a refusal of a valid
    check-in is a failure (the gateway refuses what the regulation asks for)."""
    for document in samples.checkins(tables):
        answer = await send(
            client, session, samples, kind="checkin", document=document, regulation=regulation
        )
        if not answer.accepted:
            raise CheckFailed(
                f"a valid signed check-in (MA_LK {tables['XML1'][0]['MA_LK']}) was refused: "
                f"{answer.describe()}"
            )


async def send_episode(
    client: httpx.AsyncClient, session: Session, samples: Samples, tables: Tables, regulation: str = "3176"
) -> Answer:
    """Valid traffic for one episode: its check-ins, then its dossier, which must be accepted."""
    await check_in(client, session, samples, tables, regulation)
    answer = await send(
        client, session, samples, kind="dossier", document=samples.seal(tables), regulation=regulation
    )
    if not answer.accepted:
        raise CheckFailed(
            f"a valid signed dossier (MA_LK {tables['XML1'][0]['MA_LK']}), sent after its check-in, "
            f"was refused: {answer.describe()}"
        )
    return answer


async def deliver(
    client: httpx.AsyncClient,
    session: Session,
    samples: Samples,
    index: int,
    *,
    edit: Callable[[Tables], None] | None = None,
    regulation: str = "3176",
) -> dict[str, Any]:
    """A visit of citizen ``index`` as a HIS sends it: the check-in at the first cost (which must
    be accepted; an emergency may be checked in too), then the dossier. Returns the dossier's answer."""
    checked = await send(
        client, session, samples, kind="checkin", document=samples.checkin(index), regulation=regulation
    )
    if not checked.accepted:
        raise CheckFailed(f"a valid signed check-in of citizen {index} was refused: {checked.describe()}")
    return await submit(
        client,
        session,
        samples,
        kind="dossier",
        document=samples.dossier(index, edit=edit),
        regulation=regulation,
    )
