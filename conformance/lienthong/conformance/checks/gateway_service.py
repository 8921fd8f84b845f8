"""The gateway as a service: prompt answers (API-09), sessions that expire (API-03), the card
look-up (LOOKUP-01, LOOKUP-02) of card holders the target knows, and replacement dossiers in the
book (CHAIN-03)."""

from __future__ import annotations

import asyncio
import secrets
from datetime import UTC, datetime
from typing import Any

import httpx

from lienthong.conformance.checks._book import encounters, read_book
from lienthong.conformance.checks._lookup import FOUND, folded, history, known_patients, lookup, lookup_found
from lienthong.conformance.context import ServerContext, Tables, lookup_fields
from lienthong.conformance.failures import CheckFailed, CheckWarned
from lienthong.conformance.gateway_api import (
    Answer,
    open_session,
    profile_of,
    send,
    send_episode,
    submit,
    take_token,
)
from lienthong.conformance.registry import check

ANSWER_BUDGET = 2.0
"""Seconds within which a submission must be answered (API-09)."""


@check(verifies=["API-09"], actor="bhxh", direction="server", fault="bhxh:slow_answer")
async def submission_answered_promptly(ctx: ServerContext) -> None:
    """A valid check-in is answered at once: HTTP 200 and a JSON answer within 2 seconds."""
    session = await open_session(ctx.client("bhxh"), ctx.samples)
    try:
        answer = await asyncio.wait_for(
            submit(
                ctx.client("bhxh"),
                session,
                ctx.samples,
                kind="checkin",
                document=ctx.samples.checkin(46),
                regulation=ctx.regulation,
            ),
            ANSWER_BUDGET,
        )
    except (TimeoutError, httpx.TimeoutException):
        raise CheckFailed(f"a valid check-in got no answer within {ANSWER_BUDGET:.0f} s") from None
    if answer.get("maKetQua") != "200":
        raise CheckFailed(f"a valid signed check-in was not accepted: {answer}")


@check(
    verifies=["API-03", "SEC-01"],
    actor="bhxh",
    direction="server",
    fault="bhxh:accepts_expired_token",
    opt_in="wait-token-expiry",
)
async def expired_session_refused(ctx: ServerContext) -> None:
    """A session past its expires_in is refused (maKetQua 401), like no session at all."""
    client = ctx.client("bhxh")
    session = await open_session(client, ctx.samples)
    expires = await _expiry(client, ctx)
    back = await ctx.outlive(expires)  # moves a simulated clock, or waits when opted in
    try:
        answer = await send(
            client,
            session,
            ctx.samples,
            kind="checkin",
            document=ctx.samples.checkin(47),
            regulation=ctx.regulation,
        )
    finally:
        back()
    if answer.accepted:
        raise CheckFailed(
            f"a session past its expires_in ({expires.isoformat()}) was accepted ({answer.describe()})"
        )
    if answer.code != "401" and answer.status != 401:
        raise CheckWarned(f"a session past its expires_in was refused with {answer.describe()}, not 401")


async def _expiry(client: httpx.AsyncClient, ctx: ServerContext) -> datetime:
    _, body = await take_token(client, ctx.samples.username, ctx.samples.password)
    text = str((body.get("APIKey") or {}).get("expires_in", ""))
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise CheckFailed(f"APIKey.expires_in = {text!r} is not a date-time (UTC)") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _differences(asked: dict[str, str], answer: Answer) -> list[str]:
    """Where the answer describes another card or person than the one asked about."""
    out = []
    for name in ("maThe", "hoTen", "ngaySinh"):
        shown = answer.body.get(name)
        if shown in (None, ""):
            continue
        same = folded(str(shown)) == folded(asked[name]) if name == "hoTen" else str(shown) == asked[name]
        if name == "maThe" and answer.code in ("003", "004"):
            same = same or str(shown) in (answer.body.get("maTheCu"), answer.body.get("maTheMoi"))
        if not same:
            out.append(f"{name} {shown!r} (asked {asked[name]!r})")
    return out


@check(verifies=["LOOKUP-01"], actor="bhxh", direction="server", fault="bhxh:lookup_other_patient")
async def card_lookup_answers_for_the_card_asked(ctx: ServerContext) -> None:
    """A look-up of a card holder the target knows answers that card's code, holder and birth date,
    and its visit history never lists another person's visit."""
    patients = known_patients(ctx, 2) if len(ctx.samples.patients) >= 2 else known_patients(ctx, 1)
    client = ctx.client("bhxh")
    session = await open_session(client, ctx.samples)
    other_visit = None
    if len(patients) == 2:  # a visit of someone else, which must not show in the first one's history
        tables = ctx.samples.episode(
            secrets.randbelow(10**7), version=profile_of(ctx.regulation), holder=patients[1]
        )
        await send_episode(client, session, ctx.samples, tables, ctx.regulation)
        other_visit = tables["XML1"][0]["MA_LK"]
    asked = lookup_fields(patients[0])
    answer = await lookup_found(ctx, session, patients[0])
    wrong = _differences(asked, answer)
    if wrong:
        raise CheckFailed(
            f"asked about card {asked['maThe']}; the answer describes {', '.join(wrong)}: "
            "another person's data"
        )
    if other_visit and any(v.get("maHoSo") == other_visit for v in history(answer)):
        raise CheckFailed(
            f"the visit history of card {asked['maThe']} lists MA_LK {other_visit}, a visit of "
            f"card {patients[1].bhyt}: another person's visit"
        )


SUCCESS_ANSWERS = FOUND
NAME_CODES, BIRTH_CODES = frozenset({"060", "061"}), frozenset({"070"})
MALFORMED_CARD_CODES = frozenset({"205", "050", "051", "052", "053"})
"""What the code table allows for a card code that is not one: a format error (205), no card (050)
or a wrong card code (051) or part of it (052, 053) [V] S-API1923."""


@check(verifies=["LOOKUP-02"], actor="bhxh", direction="server", fault="bhxh:lookup_always_valid")
async def card_lookup_codes_name_the_mismatch(ctx: ServerContext) -> None:
    """A wrong birth date, a wrong name or a malformed card code never gets a card answer (000);
    the code names the mismatch (070; 060 or 061; 205 or 051)."""
    patient = known_patients(ctx)[0]
    session = await open_session(ctx.client("bhxh"), ctx.samples)
    await lookup_found(ctx, session, patient)
    asked = lookup_fields(patient)
    found, other = [], []
    for change, expected in (
        ({"ngaySinh": "01/01/1900"}, BIRTH_CODES),
        ({"hoTen": "Zzz Không Có"}, NAME_CODES),
        ({"maThe": "XX123"}, MALFORMED_CARD_CODES),
    ):
        answer = await lookup(ctx, session, {**asked, **change})
        if answer.code in SUCCESS_ANSWERS:
            found.append(f"{change}: {answer.describe()}")
        elif answer.code not in expected:
            other.append(f"{change}: maKetQua {answer.code!r}, expected one of {', '.join(sorted(expected))}")
        elif any(answer.body.get(k) for k in ("diaChi", "maSoBHXH")):  # no source forbids it: a warning
            other.append(f"{change}: answered {answer.code} with the holder's address or BHXH number")
    if found:
        raise CheckFailed("a look-up with a wrong detail was answered as a match: " + "; ".join(found), found)
    if other:
        raise CheckWarned("; ".join(other), other)


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
    checked = await send(
        ctx.client("bhxh"),
        session,
        ctx.samples,
        kind="checkin",
        document=ctx.samples.checkin(index),
        regulation=ctx.regulation,
    )
    if not checked.accepted:
        raise CheckFailed(f"the gateway refused a valid check-in: {checked.describe()}")
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
