"""Privacy of the health book: restricted data never on citizen views (PRIV-01), every read
logged (LOG-01), and each visit's VNeID visibility time recorded within 24 h (MOH-03)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from lienthong.conformance.checks._moh_access import bearer, citizen_token, facility_token, send_visit
from lienthong.conformance.context import ServerContext, Tables
from lienthong.conformance.failures import CheckFailed, Skipped
from lienthong.conformance.registry import check

HIV_PATIENT, LOGGED, TIMED = 15, 16, 17
REGIMEN = "TDF+3TC+DTG"
HIV_CODE = re.compile(r'"B2[0-4](\.\d)?"')


def _with_hiv_record(tables: Tables) -> None:
    summary = tables["XML1"][0]
    tables["XML6"] = [
        {
            "MA_LK": summary["MA_LK"],
            "NGAYKD_HIV": summary["NGAY_VAO"][:8],
            "BDDT_ARV": summary["NGAY_VAO"][:8],
            "MA_PHAC_DO_DIEU_TRI_BD": REGIMEN,
        }
    ]


@check(verifies=["PRIV-01"], actor="moh", direction="chain", fault="moh:shows_restricted")
async def restricted_data_not_on_citizen_views(ctx: ServerContext) -> None:
    """The HIV care record (XML6) of a visit never shows on the citizen's own views of the book."""
    await send_visit(ctx, HIV_PATIENT, edit=_with_hiv_record)
    person = ctx.samples.identity(HIV_PATIENT)
    token = await citizen_token(ctx, person)
    for path in (f"/fhir/Patient/{person.cccd}/$everything", f"/fhir/Condition?patient={person.cccd}"):
        answer = await ctx.client("moh").get(path, headers=bearer(token))
        if answer.status_code != 200:
            raise CheckFailed(f"the citizen could not read {path}: HTTP {answer.status_code}")
        found = [
            label
            for label, hit in (
                ("the ARV regimen", REGIMEN in answer.text),
                ("an HIV diagnosis code (B20-B24)", HIV_CODE.search(answer.text)),
                ("a restricted security label", '"code":"R"' in answer.text.replace(" ", "")),
            )
            if hit
        ]
        if found:
            raise CheckFailed(f"GET {path} as the citizen shows restricted XML6 data: {', '.join(found)}")


@check(verifies=["LOG-01"], actor="moh", direction="chain", fault="moh:reads_not_logged")
async def reads_are_logged(ctx: ServerContext) -> None:
    """A citizen's and a facility's reads of a book appear in its access log: who, whose, why, when."""
    await send_visit(ctx, LOGGED)
    person = ctx.samples.identity(LOGGED)
    token = await citizen_token(ctx, person)
    moh = ctx.client("moh")
    await moh.get(f"/fhir/Patient/{person.cccd}/$everything", headers=bearer(token))
    await moh.get(
        "/fhir/Encounter", params={"patient": person.cccd}, headers=bearer(await facility_token(ctx))
    )
    answer = await moh.get("/api/access-log", headers=bearer(token))
    if answer.status_code != 200:
        raise CheckFailed(f"GET /api/access-log as the citizen answered HTTP {answer.status_code}")
    entries = [
        e
        for e in answer.json().get("entries", [])
        if e.get("subject") == person.cccd and e.get("outcome") == "ok"
    ]
    wanted = {"citizen": person.cccd, "facility": ctx.samples.facility}
    missing = [
        kind
        for kind, who in wanted.items()
        if not any(who in str(e.get("actor")) and e.get("purpose") and e.get("at") for e in entries)
    ]
    if missing:
        raise CheckFailed(
            f"the access log of {person.cccd} has no entry (actor, purpose, time) for the "
            f"{' and the '.join(missing)} read just made ({len(entries)} entries)"
        )


@check(verifies=["MOH-03"], actor="moh", direction="chain", fault="moh:late_visibility")
async def visibility_recorded_within_a_day(ctx: ServerContext) -> None:
    """The store records when a verified visit becomes visible on VNeID, within 24 h of receipt."""
    if not ctx.service_token:
        raise Skipped("no service token for the MoH store's internal API was given")
    await send_visit(ctx, TIMED)
    ma_lk = ctx.samples.ma_lk(TIMED)
    answer = await ctx.client("moh").get(
        f"/internal/visits/{ctx.samples.facility}/{ma_lk}", headers=bearer(ctx.service_token)
    )
    if answer.status_code != 200:
        raise CheckFailed(f"the store has no record of visit {ma_lk}: HTTP {answer.status_code}")
    times = answer.json()
    try:
        received = datetime.fromisoformat(times["received_at"])
        visible = datetime.fromisoformat(times["visible_at"])
    except (KeyError, TypeError, ValueError):
        raise CheckFailed(f"the visit's times are missing or unreadable: {times}") from None
    if visible - received > timedelta(hours=24):
        raise CheckFailed(
            f"visit {ma_lk} becomes visible on VNeID at {visible.isoformat()}, "
            f"{visible - received} after the gateway received it (at most 24 h)"
        )
