"""Plumbing shared by the simulated nodes: JSON answers, request bodies, service tokens."""

from __future__ import annotations

import hmac
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response


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


async def body_fields(request: Request) -> dict[str, str]:
    """The request's fields, from a JSON object or a form (the BHXH API accepts both)."""
    content_type = request.headers.get("content-type", "")
    if "json" in content_type:
        try:
            data = orjson.loads(await request.body())
        except orjson.JSONDecodeError as exc:
            raise BadRequest("body", f"is not valid JSON ({exc})") from None
        if not isinstance(data, dict):
            raise BadRequest("body", "must be a JSON object")
        return {str(k): "" if v is None else str(v) for k, v in data.items()}
    form = await request.form()
    return {k: v for k, v in form.items() if isinstance(v, str)}


def bearer(request: Request) -> str:
    """The token of an ``Authorization: Bearer`` header, or ''."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def same_secret(given: str, expected: str) -> bool:
    """Constant-time comparison of secrets."""
    return bool(given) and hmac.compare_digest(given.encode(), expected.encode())
