"""Faults chosen per request: the node's configured faults plus, when the node was started with
header faults enabled, those named in ``X-Lienthong-Fault: name[,name...]``."""

from __future__ import annotations

import asyncio

from starlette.requests import Request
from starlette.responses import Response

from lienthong.simulators._node import JSONAnswer
from lienthong.simulators.faults import BhxhFault, UnknownFault, fault_set
from lienthong.simulators.gateway.config import GatewayConfig

FAULT_HEADER = "x-lienthong-fault"
FORWARD_FAULTS = frozenset({"drops_forward", "forwards_unverified", "reorders_forwards"})
"""Faults that act later, when the outbox forwards; kept with the queued row."""


def request_faults(config: GatewayConfig, request: Request) -> frozenset[str]:
    """The faults for this request; raises ``UnknownFault`` for a misspelt header value."""
    return header_faults(config, request.headers.get(FAULT_HEADER, "") if config.header_faults else "")


def header_faults(config: GatewayConfig, named: str) -> frozenset[str]:
    """:func:`request_faults` given the value of the fault header ('' when absent)."""
    if not config.header_faults or not named:
        return config.faults
    return config.faults | fault_set("bhxh", (n.strip() for n in named.split(",") if n.strip()))


def unknown_fault_answer(exc: UnknownFault) -> JSONAnswer:
    return JSONAnswer(
        {
            "maKetQua": "400",
            "maGiaoDich": "",
            "thoiGianTiepNhan": "",
            "thongDiep": f"header {FAULT_HEADER}: {exc}",
        },
        status_code=400,
    )


def service_unavailable() -> Response:
    """The ``server_error`` fault: an HTTP 503 with an HTML body, as an overloaded proxy answers."""
    return Response(
        b"<html><body><h1>503 Service Unavailable</h1></body></html>", status_code=503, media_type="text/html"
    )


async def delay_answer(config: GatewayConfig, faults: frozenset[str]) -> None:
    """``slow_answer`` waits before answering; ``hangs_after_commit`` waits past client timeouts."""
    if BhxhFault.HANGS_AFTER_COMMIT in faults:
        await asyncio.sleep(config.hang_seconds)
    elif BhxhFault.SLOW_ANSWER in faults:
        await asyncio.sleep(config.slow_seconds)
    elif "slower" in config.variants:
        await asyncio.sleep(config.variant_delay)
