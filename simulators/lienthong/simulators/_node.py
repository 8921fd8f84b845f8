"""Plumbing shared by the simulated nodes: JSON answers, request bodies, service tokens, OpenAPI."""

from __future__ import annotations

import hmac
from typing import Any

import orjson
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.routing import Route

from lienthong.profiles.openapi import openapi_bytes

MAX_BODY = 32 * 1024 * 1024
"""Bodies above 32 MiB are refused before they are read into memory."""


class JSONAnswer(Response):
    """A JSON response encoded with orjson (UTF-8, Vietnamese kept as is)."""

    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content)


class BadRequest(Exception):
    """A request the node cannot read; ``field`` and ``rule`` say why."""

    def __init__(self, field: str, rule: str) -> None:
        super().__init__(f"{field}: {rule}")
        self.field, self.rule = field, rule


GONE = "the client went away before sending it"
"""The :class:`BadRequest` rule of a body cut short by a disconnect."""


def parse_json_object(body: bytes) -> dict[str, Any]:
    """``body`` as a JSON object, or :class:`BadRequest`."""
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise BadRequest("body", f"is not valid JSON ({exc})") from None
    if not isinstance(data, dict):
        raise BadRequest("body", "must be a JSON object")
    return data


async def json_object(request: Request) -> dict[str, Any]:
    """The request body as a JSON object, or :class:`BadRequest`."""
    try:
        body = await request.body()
    except ClientDisconnect:
        raise BadRequest("body", GONE) from None
    return parse_json_object(body)


def check_length(content_length: str) -> None:
    """:class:`BadRequest` for a declared body above :data:`MAX_BODY` (before it is read)."""
    if content_length.isdigit() and int(content_length) > MAX_BODY:
        raise BadRequest("body", f"is larger than {MAX_BODY} bytes")


def text_fields(data: dict[str, Any]) -> dict[str, str]:
    """A JSON object's members as form-like text fields (null as '')."""
    return {str(k): "" if v is None else str(v) for k, v in data.items()}


async def body_fields(request: Request) -> dict[str, str]:
    """The request's fields, from a JSON object or a form (the BHXH API accepts both)."""
    check_length(request.headers.get("content-length", "0"))
    content_type = request.headers.get("content-type", "")
    if "json" in content_type:
        return text_fields(await json_object(request))
    try:
        form = await request.form()
    except Exception as exc:  # malformed multipart or url-encoding: a client error, never a 500
        raise BadRequest("body", f"is not a readable form ({type(exc).__name__})") from None
    return {k: v for k, v in form.items() if isinstance(v, str)}


def bearer(request: Request) -> str:
    """The token of an ``Authorization: Bearer`` header, or ''."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def same_secret(given: str, expected: str) -> bool:
    """Constant-time comparison of secrets."""
    return bool(given) and hmac.compare_digest(given.encode(), expected.encode())


def openapi_route(node: str) -> Route:
    """``GET /openapi.json``: the node's OpenAPI document from ``lienthong.profiles.openapi``."""
    body = openapi_bytes(node)

    async def document(request: Request) -> Response:
        return Response(body, media_type="application/json")

    return Route("/openapi.json", document, methods=["GET"])
