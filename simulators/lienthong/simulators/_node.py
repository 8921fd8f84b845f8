"""Plumbing shared by the simulated nodes: JSON answers, request bodies, service tokens, OpenAPI."""

from __future__ import annotations

import hmac
from collections.abc import Callable, Collection
from typing import Any

import orjson
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from lienthong.profiles.openapi import openapi_bytes

MAX_BODY = 32 * 1024 * 1024
"""Bodies above 32 MiB are refused: at once when ``Content-Length`` says so, else as soon as the
bytes received pass it (a chunked upload), so no node ever holds more than this of one body."""
MAX_FIELD = 1024 * 1024
"""A form or JSON field above 1 MiB is refused (Starlette's own form limit), except the fields a
route names as large (the gateway's ``fileHSBase64``, which the body limit bounds)."""
FORM_TYPES = ("application/json", "application/x-www-form-urlencoded", "multipart/form-data")
"""The request bodies the nodes read: the BHXH API takes its fields as JSON or as a form
(CV 1245 §1.3 of the regulation notes: "JSON / form"; the token call is form-encoded)."""


def mib(size: int) -> str:
    """``size`` bytes in MiB for a message (``32 MiB``)."""
    return f"{size / (1024 * 1024):g} MiB"


class BodyTooLarge(Exception):
    """A request body above :data:`MAX_BODY`; raised while it streams in (see :func:`limited`)."""

    def __init__(self, limit: int = MAX_BODY) -> None:
        super().__init__(
            f"nội dung yêu cầu vượt quá giới hạn {mib(limit)} "
            f"(request body larger than the {mib(limit)} limit, {limit} bytes): send a smaller file"
        )
        self.limit = limit


def limited(receive: Receive, limit: int = MAX_BODY) -> Receive:
    """``receive`` that raises :class:`BodyTooLarge` once the body received passes ``limit``, so a
    reader (Starlette's ``body``, ``form``, ``stream``) stops before it has buffered more."""
    seen = 0

    async def counted() -> Message:
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > limit:
                raise BodyTooLarge(limit)
        return message

    return counted


def check_length(content_length: str, limit: int = MAX_BODY) -> None:
    """:class:`BodyTooLarge` for a declared body above ``limit`` (before any of it is read)."""
    if content_length.isdigit() and int(content_length) > limit:
        raise BodyTooLarge(limit)


def too_large_answer(exc: BodyTooLarge) -> JSONAnswer:
    """The HTTP 413 of C06 and the MoH store (``{"error": ...}``, as their other refusals)."""
    return JSONAnswer({"error": str(exc)}, status_code=413)


class BodyLimit:
    """ASGI middleware: every route's body is limited to ``limit`` bytes, chunked or not.

    A declared ``Content-Length`` above the limit is answered before the app runs; otherwise the
    app's ``receive`` counts the bytes and raises :class:`BodyTooLarge` past the limit, answered
    here with ``answer`` (unless the app had started its response). Use it inside Starlette's
    error middleware (``Starlette(middleware=[Middleware(BodyLimit, ...)])``)."""

    def __init__(
        self,
        app: ASGIApp,
        answer: Callable[[BodyTooLarge], Response] = too_large_answer,
        limit: int = MAX_BODY,
    ) -> None:
        self.app, self.answer, self.limit = app, answer, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watched(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            for name, value in scope["headers"]:
                if name == b"content-length":
                    check_length(value.decode("latin-1"), self.limit)
            await self.app(scope, limited(receive, self.limit), watched)
        except BodyTooLarge as exc:
            if started:
                raise
            await self.answer(exc)(scope, receive, send)


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
    check_length(request.headers.get("content-length", "0"))
    try:
        body = await request.body()
    except ClientDisconnect:
        raise BadRequest("body", GONE) from None
    return parse_json_object(body)


def text_fields(data: dict[str, Any], large: Collection[str] = ()) -> dict[str, str]:
    """A JSON object's members as form-like text fields (null as ''), each but ``large`` at most
    :data:`MAX_FIELD` long."""
    fields = {str(k): "" if v is None else str(v) for k, v in data.items()}
    for name, value in fields.items():
        if len(value) > MAX_FIELD and name not in large:
            raise BadRequest(f"field {name}", field_too_large(len(value)))
    return fields


def field_too_large(size: int) -> str:
    """The rule of a field of ``size`` characters, above :data:`MAX_FIELD`."""
    return (
        f"dài quá giới hạn {mib(MAX_FIELD)} (is longer than the {mib(MAX_FIELD)} limit: {size} "
        "characters); only the document field may be larger"
    )


def content_type_problem(content_type: str) -> BadRequest | None:
    """:class:`BadRequest` for a body whose Content-Type is none of :data:`FORM_TYPES`."""
    media = content_type.partition(";")[0].strip().lower()
    if media in FORM_TYPES or media.endswith("+json"):
        return None
    return BadRequest(
        "header Content-Type",
        f"{content_type or '(missing)'} is not accepted: send the fields as "
        f"{', '.join(FORM_TYPES[:-1])} or {FORM_TYPES[-1]}",
    )


async def body_fields(request: Request, large: Collection[str] = ()) -> dict[str, str]:
    """The request's fields, from a JSON object or a form (the BHXH API accepts both); every field
    but ``large`` at most :data:`MAX_FIELD` long, the body at most :data:`MAX_BODY`."""
    check_length(request.headers.get("content-length", "0"))
    content_type = request.headers.get("content-type", "")
    problem = content_type_problem(content_type)
    if problem is not None:
        raise problem
    if "json" in content_type:
        return text_fields(await json_object(request), large)
    return await read_form(request, large)


async def read_form(request: Request, large: Collection[str] = ()) -> dict[str, str]:
    """The text fields of a url-encoded or multipart form, each but ``large`` at most
    :data:`MAX_FIELD` long; file parts are refused (the BHXH API sends text fields only)."""
    try:
        # Starlette's own 1 MiB part limit would refuse the document field and not say which
        # field was too long: the body limit bounds every part, the sizes are checked below.
        form = await request.form(max_part_size=MAX_BODY, max_files=0)
    except BodyTooLarge:
        raise
    except HTTPException as exc:  # Starlette's words for a malformed multipart body
        if "files" in str(exc.detail):
            raise BadRequest("body", "holds a file part: send every field as a text part") from None
        raise BadRequest("body", f"is not a readable form ({exc.detail})") from None
    except Exception as exc:  # malformed multipart or url-encoding: a client error, never a 500
        raise BadRequest("body", f"is not a readable form ({type(exc).__name__})") from None
    fields: dict[str, str] = {}
    for name, value in form.items():
        if isinstance(value, str):
            if len(value) > MAX_FIELD and name not in large:
                raise BadRequest(f"field {name}", field_too_large(len(value)))
            fields[name] = value
    return fields


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
