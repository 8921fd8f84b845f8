"""Consents: a citizen (or guardian) lets a facility read a book it has no treatment relationship
with (Luật 91/2025 Đ26: health data is shared with other providers only at the subject's request)."""

from __future__ import annotations

import re

from sqlalchemy import delete, insert, select
from starlette.requests import Request
from starlette.responses import Response

from lienthong.simulators._node import BadRequest, JSONAnswer, json_object
from lienthong.simulators.moh.reads import identify
from lienthong.simulators.moh.schema import consents
from lienthong.simulators.moh.store import MoHStore, aware

FACILITY_CODE = re.compile(r"[0-9A-Z]{5}")


def _citizen_refusal(store: MoHStore, request: Request, patient: str) -> JSONAnswer | None:
    caller = identify(store.config, request)
    if caller is None or caller.kind != "citizen":
        return JSONAnswer({"error": "a valid citizen bearer token is required"}, status_code=401)
    if patient != caller.id and patient not in caller.wards:
        return JSONAnswer(
            {"error": "a citizen manages consents only for themselves and their wards"}, status_code=403
        )
    request.state.caller = caller
    return None


async def list_consents(store: MoHStore, request: Request) -> JSONAnswer:
    caller = identify(store.config, request)
    if caller is None or caller.kind != "citizen":
        return JSONAnswer({"error": "a valid citizen bearer token is required"}, status_code=401)
    mine = sorted({caller.id, *caller.wards})
    with store.engine.connect() as db:
        rows = db.execute(
            select(consents).where(consents.c.cccd.in_(mine)).order_by(consents.c.cccd, consents.c.facility)
        ).all()
    now = store.config.clock.now()
    return JSONAnswer(
        {
            "consents": [
                {
                    "patient": r.cccd,
                    "facility": r.facility,
                    "granted_by": r.granted_by,
                    "granted_at": aware(r.granted_at, now).isoformat(),
                }
                for r in rows
            ]
        }
    )


async def grant(store: MoHStore, request: Request) -> JSONAnswer:
    caller = identify(store.config, request)
    if caller is None or caller.kind != "citizen":
        return JSONAnswer({"error": "a valid citizen bearer token is required"}, status_code=401)
    try:
        body = await json_object(request)
    except BadRequest as exc:
        return JSONAnswer({"error": str(exc)}, status_code=400)
    facility, patient = body.get("facility"), body.get("patient", caller.id)
    if not isinstance(facility, str) or not FACILITY_CODE.fullmatch(facility):
        return JSONAnswer(
            {"error": "facility: must be a 5-character facility code (MA_CSKCB)"}, status_code=400
        )
    if not isinstance(patient, str):
        return JSONAnswer({"error": "patient: must be a CCCD string"}, status_code=400)
    refused = _citizen_refusal(store, request, patient)
    if refused:
        return refused
    now = store.config.clock.now()
    with store.engine.begin() as db:
        db.execute(delete(consents).where(consents.c.cccd == patient, consents.c.facility == facility))
        db.execute(
            insert(consents).values(cccd=patient, facility=facility, granted_by=caller.id, granted_at=now)
        )
    return JSONAnswer(
        {"patient": patient, "facility": facility, "granted_by": caller.id, "granted_at": now.isoformat()},
        status_code=201,
    )


async def revoke(store: MoHStore, request: Request) -> Response:
    patient, facility = request.path_params["patient"], request.path_params["facility"]
    refused = _citizen_refusal(store, request, patient)
    if refused:
        return refused
    with store.engine.begin() as db:
        gone = db.execute(delete(consents).where(consents.c.cccd == patient, consents.c.facility == facility))
    if not gone.rowcount:
        return JSONAnswer({"error": "no such consent"}, status_code=404)
    return Response(status_code=204)


async def access_log(store: MoHStore, request: Request) -> JSONAnswer:
    """``GET /api/access-log``: a citizen sees who read their (and their wards') data."""
    caller = identify(store.config, request)
    if caller is None:
        return JSONAnswer({"error": "a valid bearer token is required"}, status_code=401)
    if caller.kind != "citizen":
        return JSONAnswer(
            {"error": "only the citizen (or guardian) reads the access log of a book"}, status_code=403
        )
    return JSONAnswer({"entries": store.log.entries(frozenset({caller.id, *caller.wards}))})
