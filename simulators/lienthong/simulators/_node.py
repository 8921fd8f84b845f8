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


async def json_object(request: Request) -> dict[str, Any]:
    """The request body as a JSON object, or :class:`BadRequest`."""
    try:
        data = orjson.loads(await request.body())
    except orjson.JSONDecodeError as exc:
        raise BadRequest("body", f"is not valid JSON ({exc})") from None
    except ClientDisconnect:
        raise BadRequest("body", "the client went away before sending it") from None
    if not isinstance(data, dict):
        raise BadRequest("body", "must be a JSON object")
    return data


async def body_fields(request: Request) -> dict[str, str]:
    """The request's fields, from a JSON object or a form (the BHXH API accepts both)."""
    length = request.headers.get("content-length", "0")
    if length.isdigit() and int(length) > MAX_BODY:
        raise BadRequest("body", f"is larger than {MAX_BODY} bytes")
    content_type = request.headers.get("content-type", "")
    if "json" in content_type:
        data = await json_object(request)
        return {str(k): "" if v is None else str(v) for k, v in data.items()}
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
