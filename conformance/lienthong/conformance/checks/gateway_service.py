"""The gateway as a service: prompt answers (API-09), sessions that expire (API-03), the card
lookup (LOOKUP-01, LOOKUP-02) and replacement dossiers in the book (CHAIN-03)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import httpx

from lienthong.conformance.checks._book import encounters, read_book
from lienthong.conformance.context import ServerContext, Tables
from lienthong.conformance.failures import CheckFailed, Skipped
from lienthong.conformance.gateway_api import Session, json_of, open_session, submit
from lienthong.conformance.registry import check

ANSWER_BUDGET = 2.0
"""Seconds within which a submission must be answered (API-09)."""
LOOKUP_PATH = "/api/egw/KQNhanLichSuKCB2024"


@check(verifies=["API-09"], actor="bhxh", direction="server", fault="bhxh:slow_answer")
async def submission_answered_promptly(ctx: ServerContext) -> None:
    """A valid check-in is answered at once: HTTP 200 and a JSON answer within 2 seconds."""
    session = await open_session(ctx.client("bhxh"), ctx.samples)
    try:
        answer = await asyncio.wait_for(
            submit(ctx.client("bhxh"), session, ctx.samples, kind="checkin", document=ctx.samples.checkin(46),
                   regulation=ctx.regulation), ANSWER_BUDGET)  # fmt: skip
    except (TimeoutError, httpx.TimeoutException):
        raise CheckFailed(f"a valid check-in got no answer within {ANSWER_BUDGET:.0f} s") from None
    if answer.get("maKetQua") != "200":
        raise CheckFailed(f"a valid signed check-in was not accepted: {answer}")


@check(verifies=["API-03"], actor="bhxh", direction="server", fault="bhxh:accepts_expired_token")
async def expired_session_refused(ctx: ServerContext) -> None:
    """A session past its expires_in is refused (maKetQua 401), like no session at all."""
    client = ctx.client("bhxh")
    session = await open_session(client, ctx.samples)
    expires = await _expiry(client, ctx)
    back = await ctx.outlive(expires)
    try:
        answer = await submit(client, session, ctx.samples, kind="checkin", document=ctx.samples.checkin(47),
                              regulation=ctx.regulation)  # fmt: skip
    finally:
        back()
    if answer.get("maKetQua") != "401":
        raise CheckFailed(f"a session past its expires_in ({expires.isoformat()}) got maKetQua "
                          f"{answer.get('maKetQua')!r}; expected '401'")  # fmt: skip


async def _expiry(client: httpx.AsyncClient, ctx: ServerContext) -> datetime:
    from lienthong.conformance.gateway_api import take_token

    _, body = await take_token(client, ctx.samples.username, ctx.samples.password)
    text = str((body.get("APIKey") or {}).get("expires_in", ""))
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise CheckFailed(f"APIKey.expires_in = {text!r} is not a date-time") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


async def _lookup(ctx: ServerContext, session: Session, index: int, **changes: str) -> dict[str, Any]:
    card, staff = getattr(ctx.samples, "card", None), getattr(ctx.samples, "staff", None)
    if card is None or staff is None:
        raise Skipped("the samples name no card and no lookup staff member for this facility")
    body = {**card(index), "hoTenCb": staff[0], "cccdCb": staff[1], **changes}
    response = await ctx.client("bhxh").post(LOOKUP_PATH, json=body, params={
        "token": session.access_token, "id_token": session.id_token, "username": session.username,
        "password": session.password_md5})  # fmt: skip
    return json_of(response)


@check(verifies=["LOOKUP-01"], actor="bhxh", direction="server", fault="bhxh:lookup_other_patient")
async def card_lookup_answers_for_the_card_asked(ctx: ServerContext) -> None:
    """A card lookup answers maKetQua and, when the card is found, that card's code, holder and birth date."""
    session = await open_session(ctx.client("bhxh"), ctx.samples)
    index = 48
    answer = await _lookup(ctx, session, index)
    code = str(answer.get("maKetQua", ""))
    if len(code) != 3 or not code.isdigit() or code in {"205", "401", "054", "055", "050", "051"}:
        raise CheckFailed(f"a lookup of a valid card by its holder's name and birth date got {answer}")
    asked = getattr(ctx.samples, "card")(index)  # noqa: B009 (checked in _lookup)
    shown = {name: answer.get(name) for name in asked}
    if shown != asked:
        raise CheckFailed(f"asked about {asked}; the answer describes {shown}: another person's data")


@check(verifies=["LOOKUP-02"], actor="bhxh", direction="server", fault="bhxh:lookup_always_valid")
async def card_lookup_codes_name_the_mismatch(ctx: ServerContext) -> None:
    """A wrong birth date gets 070, a wrong name 060, a malformed card code 205."""
    session = await open_session(ctx.client("bhxh"), ctx.samples)
    problems = []
    for change, expected in (({"ngaySinh": "01/01/1900"}, "070"), ({"hoTen": "Zzz Không Có"}, "060"),
                             ({"maThe": "XX123"}, "205")):  # fmt: skip
        answer = await _lookup(ctx, session, 49, **change)
        if answer.get("maKetQua") != expected:
            problems.append(f"{change}: maKetQua {answer.get('maKetQua')!r}, expected {expected!r}")
    if problems:
        raise CheckFailed("; ".join(problems), problems)


def _diagnosis(text: str) -> Any:
    def edit(tables: Tables) -> None:
        tables["XML1"][0]["CHAN_DOAN_RV"] = text

    return edit


@check(verifies=["CHAIN-03"], actor="chain", direction="chain", fault="bhxh:reorders_forwards")
async def replacement_dossier_replaces_the_visit(ctx: ServerContext) -> None:
    """A replacement dossier (same MA_LK, sent later) replaces the visit in the book: one encounter,
    the later content."""
    session = await open_session(ctx.client("bhxh"), ctx.samples)
    index, final = 6, "Chẩn đoán sau khi có kết quả xét nghiệm (bản thay thế)"
    for text in ("Chẩn đoán ban đầu (bản gốc)", final):
        answer = await submit(
            ctx.client("bhxh"),
            session,
            ctx.samples,
            kind="dossier",
            document=ctx.samples.dossier(index, edit=_diagnosis(text)),
            regulation=ctx.regulation,
        )
        if answer.get("maKetQua") != "200":
            raise CheckFailed(f"the gateway did not accept the dossier: {answer}")
    if ctx.settle:
        await ctx.settle()
    status, bundle = await read_book(ctx, ctx.samples.identity(index))
    wanted = ctx.samples.ma_lk(index)
    shown = [e for e in encounters(bundle) if wanted in str(e.get("identifier", ""))]
    if status != 200 or len(shown) != 1:
        raise CheckFailed(
            f"MA_LK {wanted} shows {len(shown)} time(s) in the book (HTTP {status}); expected once"
        )
    texts = [
        str(entry.get("resource", {}).get("code", {}).get("text", ""))
        for entry in bundle.get("entry", [])
        if entry.get("resource", {}).get("resourceType") == "Condition"
    ]
    if final not in texts:
        raise CheckFailed(f"the book shows diagnoses {texts}, not the replacement's {final!r}")
