"""Abuse of the gateway (and the body limit of C06 and the MoH store), in process: nothing of an
unauthenticated request is journaled, passwordHash is required, the body limit holds for a
declared and for a streamed body on every path, and a missing field, a wrong Content-Type or an
oversize field gets a message that names it."""

from __future__ import annotations

import asyncio
import base64
import re
from collections.abc import Iterator
from typing import Any

import orjson
import pytest
from sqlalchemy import select
from starlette.types import ASGIApp, Message

from lienthong.simulators._node import MAX_BODY, MAX_FIELD
from lienthong.simulators.gateway.schema import submissions
from lienthong.simulators.hospital import Hospital
from lienthong.simulators.network import Network, NetworkConfig, build_network
from lienthong.simulators.pki import sign_document

DOSSIER = "/api/qd130/guiHoSoXmlQD3176"
MIB = 1024 * 1024


@pytest.fixture(scope="module")
def network() -> Iterator[Network]:
    built = build_network(NetworkConfig(seed=17, population=20))
    yield built
    asyncio.run(built.aclose())


def _hospital(network: Network) -> Hospital:
    hospital = network.hospital()
    asyncio.run(hospital.login())
    return hospital


def _fields(hospital: Hospital, document: bytes, **changed: str) -> dict[str, str]:
    fields = {
        "username": hospital.facility.username,
        "loaiHoSo": "130",
        "maTinh": hospital.facility.province,
        "maCSKCB": hospital.facility.code,
        "fileHSBase64": base64.b64encode(document).decode(),
    }
    return {name: value for name, value in (fields | changed).items() if value is not None}


def _post(network: Network, path: str = DOSSIER, **kwargs: Any) -> tuple[int, dict[str, Any]]:
    async def go() -> tuple[int, dict[str, Any]]:
        response = await network.client("bhxh").post(path, **kwargs)
        return response.status_code, response.json()

    return asyncio.run(go())


def _last_row(network: Network) -> dict[str, Any]:
    with network.gateway.engine.connect() as db:
        row = db.execute(select(submissions).order_by(submissions.c.id.desc()).limit(1)).mappings().one()
    return dict(row)


# --- authentication before anything is kept ------------------------------------------------------


@pytest.mark.parametrize("case", ["no headers", "forged tokens", "no passwordHash", "wrong passwordHash"])
def test_a_refused_request_is_journaled_as_metadata_only(network: Network, case: str) -> None:
    hospital = _hospital(network)
    headers = hospital._headers()
    sent = {
        "no headers": {},
        "forged tokens": {**headers, "accessToken": "0" * 48, "tokenId": "0" * 32},
        "no passwordHash": {k: v for k, v in headers.items() if k != "passwordHash"},
        "wrong passwordHash": {**headers, "passwordHash": "0" * 32},
    }[case]
    document = hospital.dossier_document(network.visit(1))
    status, answer = _post(network, headers=sent, json=_fields(hospital, document))
    assert (status, answer["maKetQua"]) == (200, "401"), answer
    assert answer["maGiaoDich"]
    row = _last_row(network)
    assert row["transaction_id"] == answer["maGiaoDich"]
    assert row["result_code"] == "401"
    assert row["payload"] == b""
    assert (row["username"], row["ma_cskcb"], row["loai_ho_so"], row["ma_lk"]) == ("", "", "", "")


def test_password_hash_is_required_and_named(network: Network) -> None:
    hospital = _hospital(network)
    headers = {k: v for k, v in hospital._headers().items() if k != "passwordHash"}
    document = hospital.dossier_document(network.visit(2))
    _, answer = _post(network, headers=headers, json=_fields(hospital, document))
    assert answer["maKetQua"] == "401"
    assert "header passwordHash is missing" in answer["thongDiep"]


def test_password_hash_is_accepted_in_lower_case_hex(network: Network) -> None:
    hospital = _hospital(network)
    headers = hospital._headers()
    headers["passwordHash"] = headers["passwordHash"].lower()
    document = hospital.checkin_document(network.visit(3))  # a check-in needs no earlier one
    _, answer = _post(
        network,
        headers=headers,
        json={**_fields(hospital, document), "loaiHoSo": "0"},
        path="/api/qd130/checkInKcbQd3176",
    )
    assert answer["maKetQua"] == "200", answer


# --- the right message ----------------------------------------------------------------------------


def test_a_missing_macskcb_is_named_not_taken_for_another_facility(network: Network) -> None:
    hospital = _hospital(network)
    document = hospital.dossier_document(network.visit(4))
    for fields in (_fields(hospital, document, maCSKCB=""), _fields(hospital, document)):
        fields.pop("maCSKCB") if fields.get("maCSKCB") else None
        _, answer = _post(network, headers=hospital._headers(), json=fields)
        assert answer["maKetQua"] == "400", answer
        assert "field maCSKCB is missing or empty" in answer["thongDiep"]
        assert "session's facility" not in answer["thongDiep"]


@pytest.mark.parametrize("content_type", ["text/plain", "application/xml", ""])
def test_a_wrong_content_type_is_named_with_the_accepted_ones(network: Network, content_type: str) -> None:
    hospital = _hospital(network)
    body = orjson.dumps(_fields(hospital, hospital.dossier_document(network.visit(5))))
    headers = hospital._headers() | ({"content-type": content_type} if content_type else {})
    _, answer = _post(network, headers=headers, content=body)
    assert answer["maKetQua"] == "400", answer
    message = answer["thongDiep"]
    assert f"header Content-Type: {content_type or '(missing)'} is not accepted" in message
    for accepted in ("application/json", "application/x-www-form-urlencoded", "multipart/form-data"):
        assert accepted in message
    assert "facility" not in message


def test_a_wrong_content_type_on_c06_is_a_400_naming_it(network: Network) -> None:
    async def go() -> tuple[int, Any]:
        response = await network.client("c06").post(
            "/api/vneid/token", content=b"cccd=1", headers={"content-type": "text/plain"}
        )
        return response.status_code, response.json()

    status, answer = asyncio.run(go())
    assert status == 400
    assert "Content-Type: text/plain is not accepted" in answer["error"]


@pytest.mark.parametrize("how", ["data", "files", "json"])
def test_an_oversize_field_is_named_with_the_limit(network: Network, how: str) -> None:
    hospital = _hospital(network)
    fields = _fields(hospital, b"<x/>", username="N" * (MAX_FIELD + 1))
    if how == "files":  # multipart/form-data with text parts only
        kwargs: dict[str, Any] = {"files": {name: (None, value) for name, value in fields.items()}}
    else:
        kwargs = {how: fields}
    _, answer = _post(network, headers=hospital._headers(), **kwargs)
    assert answer["maKetQua"] == "400", answer
    assert "field username: dài quá giới hạn 1 MiB (is longer than the 1 MiB limit" in answer["thongDiep"]
    assert "HTTPException" not in answer["thongDiep"]


def test_a_file_part_is_refused_naming_it(network: Network) -> None:
    hospital = _hospital(network)
    fields = _fields(hospital, b"<x/>")
    files = {"fileHSBase64": ("dossier.xml", fields.pop("fileHSBase64").encode(), "text/plain")}
    _, answer = _post(network, headers=hospital._headers(), data=fields, files=files)
    assert answer["maKetQua"] == "400", answer
    assert "holds a file part: send every field as a text part" in answer["thongDiep"]


def test_the_document_field_may_pass_the_field_limit_in_a_form(network: Network) -> None:
    hospital = _hospital(network)
    document = hospital.dossier_document(network.visit(6))
    padded = document.replace(b"<CHUKYDONVI>", b"<!--" + b"x" * MAX_FIELD + b"--><CHUKYDONVI>", 1)
    fields = _fields(hospital, padded)
    assert len(fields["fileHSBase64"]) > MAX_FIELD
    _, answer = _post(network, headers=hospital._headers(), data=fields)
    # A comment is outside the signature's canonical form (C14N without comments): still valid.
    assert answer["maKetQua"] == "200", answer


# --- the body limit, declared or streamed -----------------------------------------------------------


async def _call(
    app: ASGIApp, path: str, headers: dict[str, str], chunks: list[bytes]
) -> tuple[int, Any, int]:
    """One POST straight into the ASGI app: (status, JSON answer, body messages the app read)."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
        "client": ("127.0.0.1", 5000),
        "server": ("127.0.0.1", 80),
    }
    read = 0
    sent: list[Message] = []

    async def receive() -> Message:
        nonlocal read
        if read < len(chunks):
            read += 1
            return {"type": "http.request", "body": chunks[read - 1], "more_body": read < len(chunks)}
        await asyncio.sleep(3600)
        return {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        sent.append(message)

    await app(scope, receive, send)
    status = next(m["status"] for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return status, orjson.loads(body), read


ROUTES = [
    ("bhxh", DOSSIER, "application/json"),  # the raw submission handler
    ("bhxh", "/api/token/take", "application/x-www-form-urlencoded"),  # a Starlette route
    ("c06", "/api/vneid/token", "application/json"),
    ("moh", "/internal/visits", "application/json"),
    ("moh", "/oauth/token", "application/x-www-form-urlencoded"),
]


def _auth(network: Network, node: str, path: str) -> dict[str, str]:
    if path == DOSSIER:
        return _hospital(network)._headers()
    if path == "/internal/visits":
        return {"authorization": f"Bearer {network.gateway.config.service_token}"}
    return {}


@pytest.mark.parametrize(("node", "path", "content_type"), ROUTES)
def test_a_declared_length_past_the_limit_is_refused_before_reading(
    network: Network, node: str, path: str, content_type: str
) -> None:
    headers = _auth(network, node, path) | {
        "content-type": content_type,
        "content-length": str(MAX_BODY + 1),
    }
    status, answer, read = asyncio.run(_call(network.apps[node], path, headers, [b"{}"]))
    assert status == 413
    assert read == 0, "the body was read"
    assert "32 MiB" in (answer["thongDiep"] if node == "bhxh" else answer["error"])


@pytest.mark.parametrize(("node", "path", "content_type"), ROUTES)
def test_a_streamed_body_past_the_limit_is_refused_while_it_streams(
    network: Network, node: str, path: str, content_type: str
) -> None:
    headers = _auth(network, node, path) | {"content-type": content_type}
    block = b"A" * MIB
    chunks = [b'{"fileHSBase64": "', *([block] * 40), b'"}']
    status, answer, read = asyncio.run(_call(network.apps[node], path, headers, chunks))
    assert status == 413, answer
    assert read <= MAX_BODY // MIB + 2, f"{read} body messages read"
    if node == "bhxh":
        assert answer["maKetQua"] == "413"
        assert "Từ chối (rejected): nội dung yêu cầu vượt quá giới hạn 32 MiB" in answer["thongDiep"]
    else:
        assert "request body larger than the 32 MiB limit" in answer["error"]


def test_a_streamed_body_under_the_limit_is_judged(network: Network) -> None:
    hospital = _hospital(network)
    visit = network.visit(7)
    checkin = {**_fields(hospital, hospital.checkin_document(visit)), "loaiHoSo": "0"}
    _, checked_in = _post(network, "/api/qd130/checkInKcbQd3176", headers=hospital._headers(), json=checkin)
    assert checked_in["maKetQua"] == "200", checked_in  # the check-in comes first (XML0-06)
    body = orjson.dumps(_fields(hospital, hospital.dossier_document(visit)))
    chunks = [body[i : i + 1000] for i in range(0, len(body), 1000)]
    headers = hospital._headers() | {"content-type": "application/json"}
    status, answer, read = asyncio.run(_call(network.apps["bhxh"], DOSSIER, headers, chunks))
    assert (status, answer["maKetQua"], read) == (200, "200", len(chunks))


# --- bounded work per document ------------------------------------------------------------------------


def test_a_signed_dossier_with_too_many_filehoso_is_refused_naming_the_limit(network: Network) -> None:
    hospital = _hospital(network)
    visit = network.visit(8)
    unsigned = hospital.dossier_document(visit)
    unsigned = re.sub(rb"<CHUKYDONVI>.*</CHUKYDONVI>", b"<CHUKYDONVI/>", unsigned, flags=re.S)
    xml1 = re.search(rb"<FILEHOSO>\s*<LOAIHOSO>XML1</LOAIHOSO>.*?</FILEHOSO>", unsigned, flags=re.S)
    assert xml1 is not None
    bomb = unsigned.replace(xml1.group(0), xml1.group(0) * 33, 1)
    signed = sign_document(bomb, network.keys[hospital.facility.code])
    _, answer = _post(network, headers=hospital._headers(), json=_fields(hospital, signed))
    assert answer["maKetQua"] == "400", answer
    assert "FILEHOSO" in answer["thongDiep"]
    files = bomb.count(b"<FILEHOSO>")  # the 33 copies of XML1 and the visit's other tables
    assert f"holds {files} FILEHOSO, more than the 32" in answer["thongDiep"]
    assert "MAX_FILEHOSO = 32" in answer["thongDiep"]
