"""The check-in and dossier submission endpoints: the gateway's hot path, served two ways.

:meth:`Submissions.route` is the Starlette route, used for whatever Starlette has to decide itself
(another method, a root path). :class:`GatewayApp` first hands a plain ``POST`` to the exact path to
:meth:`Submissions.raw`, a bare ASGI handler that skips the middleware stack, the router's walk over
every route and the Request/Headers objects: at ~1,500 requests a second that plumbing cost as much
as the signature check. Both call :meth:`Submissions.answer`, so the answers are the same; the raw
handler reads the body and answers a crash with a 500 as Starlette would.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from lienthong.simulators._node import (
    GONE,
    BadRequest,
    JSONAnswer,
    body_fields,
    check_length,
    parse_json_object,
    text_fields,
)
from lienthong.simulators.faults import BhxhFault, UnknownFault
from lienthong.simulators.gateway.config import GatewayConfig
from lienthong.simulators.gateway.faults import (
    FAULT_HEADER,
    delay_answer,
    header_faults,
    service_unavailable,
    unknown_fault_answer,
)
from lienthong.simulators.gateway.intake import MALFORMED, Submission, receive_grouped
from lienthong.simulators.gateway.journal import GroupCommit

Header = Callable[[str], str]
"""A request header's value by its lower-case name ('' when absent)."""


class Submissions:
    """The submission endpoints of one gateway."""

    def __init__(self, journal: GroupCommit, config: GatewayConfig) -> None:
        self.journal = journal
        self.config = config

    async def answer(
        self,
        kind: str,
        profile: str,
        path: str,
        header: Header,
        read_fields: Callable[[], Awaitable[dict[str, str]]],
    ) -> Response:
        """The answer to one submission to ``path``."""
        cfg = self.config
        try:
            faults = header_faults(cfg, header(FAULT_HEADER))
            fields = await read_fields()
        except UnknownFault as exc:
            return unknown_fault_answer(exc)
        except BadRequest as exc:
            return JSONAnswer(
                {
                    "maKetQua": MALFORMED,
                    "maGiaoDich": "",
                    "thoiGianTiepNhan": "",
                    "thongDiep": f"Từ chối (rejected): {exc}",
                }
            )
        if BhxhFault.SERVER_ERROR in faults:
            return service_unavailable()
        sub = Submission(
            path, kind, profile, fields, header("accesstoken"), header("tokenid"), header("passwordhash")
        )
        answer = await receive_grouped(self.journal, cfg, sub, faults)
        await delay_answer(cfg, faults)
        return JSONAnswer(answer)

    def route(self, kind: str, profile: str, path: str) -> Route:
        """The endpoint as a Starlette route."""

        async def endpoint(request: Request) -> Response:
            headers = request.headers
            return await self.answer(
                kind, profile, path, lambda name: headers.get(name, ""), lambda: body_fields(request)
            )

        return Route(path, endpoint, methods=["POST"])

    def raw(self, kind: str, profile: str, path: str) -> ASGIApp:
        """The endpoint as a bare ASGI handler of ``POST path`` (see the module's docstring)."""

        async def handler(scope: Scope, receive: Receive, send: Send) -> None:
            headers: dict[str, str] = {}
            for key, value in scope["headers"]:
                name = key.decode("latin-1")
                if name not in headers:  # the first of repeated headers, as Starlette's Headers.get
                    headers[name] = value.decode("latin-1")
            try:
                response = await self.answer(
                    kind,
                    profile,
                    path,
                    lambda name: headers.get(name, ""),
                    lambda: _fields(scope, receive, headers),
                )
            except Exception:
                # Starlette's ServerErrorMiddleware: a plain 500, and the error goes on to the server.
                await PlainTextResponse("Internal Server Error", status_code=500)(scope, receive, send)
                raise
            await response(scope, receive, send)

        return handler


async def _fields(scope: Scope, receive: Receive, headers: Mapping[str, str]) -> dict[str, str]:
    """:func:`lienthong.simulators._node.body_fields` without a Request (forms still go through it)."""
    check_length(headers.get("content-length", "0"))
    if "json" not in headers.get("content-type", ""):
        return await body_fields(Request(scope, receive))
    return text_fields(parse_json_object(await _body(receive)))


async def _body(receive: Receive) -> bytes:
    """The whole request body, read as Starlette's ``Request.body`` reads it."""
    chunks = []
    while True:
        message = await receive()
        if message["type"] == "http.request":
            chunk = message.get("body", b"")
            if chunk:
                chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks)
        elif message["type"] == "http.disconnect":
            raise BadRequest("body", GONE)


class GatewayApp(Starlette):
    """Starlette, with the submission endpoints' ``POST``s taken straight to their raw handlers."""

    def __init__(self, *, fast: dict[str, ASGIApp], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.fast = fast
        """Exact path -> raw handler of its ``POST``."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "POST" and not scope.get("root_path"):
            handler = self.fast.get(scope["path"])
            if handler is not None:
                scope["app"] = self
                await handler(scope, receive, send)
                return
        await super().__call__(scope, receive, send)
