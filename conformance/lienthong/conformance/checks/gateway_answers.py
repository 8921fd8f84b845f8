"""The gateway's immediate answers (API-04, API-05, API-07, API-08)."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta, timezone

from lienthong.conformance.checks.gateway_rules import FEEDBACK_PATH
from lienthong.conformance.context import NEEDS_SECOND_ACCOUNT, ServerContext
from lienthong.conformance.failures import CheckFailed, CheckWarned, Skipped
from lienthong.conformance.gateway_api import (
    ANSWER_FIELDS,
    answer_of,
    check_in,
    open_session,
    profile_of,
    send,
    send_episode,
    submit,
)
from lienthong.conformance.registry import check

VN = timezone(timedelta(hours=7))
CLOCK_TOLERANCE = timedelta(minutes=15)


def _received_at(value: object) -> datetime:
    try:
        return datetime.strptime(str(value), "%Y%m%d%H%M%S").replace(tzinfo=VN)
    except ValueError:
        raise CheckFailed(f"thoiGianTiepNhan = {value!r} is not yyyyMMddHHmmss") from None


@check(verifies=["API-04"], actor="bhxh", direction="server", fault="bhxh:wrong_success_code")
async def answers_carry_receipt_fields(ctx: ServerContext) -> None:
    """Accepted and rejected submissions both answer maKetQua, maGiaoDich, thoiGianTiepNhan
    (yyyyMMddHHmmss) and thongDiep; an accepted one maKetQua 200 and its own maGiaoDich."""
    session = await open_session(ctx.client("bhxh"), ctx.samples)
    accepted = await submit(
        ctx.client("bhxh"),
        session,
        ctx.samples,
        kind="checkin",
        document=ctx.samples.checkin(41),
        regulation=ctx.regulation,
    )
    rejected = await submit(
        ctx.client("bhxh"),
        session,
        ctx.samples,
        kind="checkin",
        file_base64="@@not-base64@@",
        regulation=ctx.regulation,
    )
    for label, answer in (("accepted check-in", accepted), ("rejected check-in", rejected)):
        missing = [name for name in ANSWER_FIELDS if name not in answer]
        if missing:
            raise CheckFailed(f"the answer to a {label} lacks {', '.join(missing)}: {answer}")
    if accepted.get("maKetQua") != "200":
        raise CheckFailed(f"a valid signed check-in was not accepted: {accepted}")
    if not accepted.get("maGiaoDich"):
        raise CheckFailed("an accepted check-in got an empty maGiaoDich")
    _received_at(accepted["thoiGianTiepNhan"])


@check(verifies=["API-11"], actor="bhxh", direction="server", fault="bhxh:answer_time_utc")
async def receipt_time_is_vietnam_time(ctx: ServerContext) -> None:
    """thoiGianTiepNhan of an accepted check-in is Vietnam local time (UTC+7), within 15 minutes
    of now."""
    session = await open_session(ctx.client("bhxh"), ctx.samples)
    accepted = await submit(
        ctx.client("bhxh"),
        session,
        ctx.samples,
        kind="checkin",
        document=ctx.samples.checkin(38),
        regulation=ctx.regulation,
    )
    if accepted.get("maKetQua") != "200":
        raise CheckFailed(f"a valid signed check-in was not accepted: {accepted}")
    drift = abs(_received_at(accepted.get("thoiGianTiepNhan")) - datetime.now(VN))
    if drift > CLOCK_TOLERANCE:
        raise CheckFailed(
            f"thoiGianTiepNhan = {accepted['thoiGianTiepNhan']} is {drift} away from Vietnam time now (UTC+7)"
        )


@check(verifies=["API-05"], actor="bhxh", direction="server", fault="bhxh:no_facility_check")
async def other_facility_account_cannot_submit(ctx: ServerContext) -> None:
    """A second facility's own account cannot send a visit of the first facility (its check-in
    and dossier under the first facility's maCSKCB are refused), nor read the first facility's
    results where the target offers a feedback API."""
    if ctx.other is None:
        raise Skipped(NEEDS_SECOND_ACCOUNT)
    client = ctx.client("bhxh")
    theirs = await open_session(client, ctx.other)
    tables = ctx.samples.episode(secrets.randbelow(10**7), version=profile_of(ctx.regulation))
    mine = {"maCSKCB": ctx.samples.facility, "maTinh": ctx.samples.province}
    for kind, document in (
        ("checkin", ctx.samples.checkins(tables)[0]),
        ("dossier", ctx.samples.seal(tables)),
    ):
        answer = await send(
            client, theirs, ctx.other, kind=kind, document=document, regulation=ctx.regulation, overrides=mine
        )
        if answer.accepted:
            raise CheckFailed(
                f"facility {ctx.other.facility}'s account sent a {kind} of {ctx.samples.facility} "
                f"and it was accepted ({answer.describe()})"
            )
    mine_session = await open_session(client, ctx.samples)
    sent = await send_episode(client, mine_session, ctx.samples, tables, ctx.regulation)
    transaction = str(sent.body.get("maGiaoDich", ""))
    read = answer_of(
        await client.get(FEEDBACK_PATH, headers=theirs.headers(), params={"maGiaoDich": transaction})
    )
    shown = read.body.get("dsKetQua") if read.status == 200 else None
    if isinstance(shown, list) and shown:
        raise CheckFailed(
            f"facility {ctx.other.facility}'s account read {len(shown)} result(s) of "
            f"{ctx.samples.facility}'s submission {transaction} from {FEEDBACK_PATH}"
        )


@check(verifies=["API-07"], actor="bhxh", direction="server", fault="bhxh:reuses_transaction_id")
async def accepted_submissions_kept(ctx: ServerContext) -> None:
    """Two accepted dossiers, each sent after its check-in, get two different maGiaoDich."""
    client = ctx.client("bhxh")
    session = await open_session(client, ctx.samples)
    ids = []
    for number in (secrets.randbelow(10**7), secrets.randbelow(10**7)):
        tables = ctx.samples.episode(number, version=profile_of(ctx.regulation))
        answer = await send_episode(client, session, ctx.samples, tables, ctx.regulation)
        ids.append(answer.body.get("maGiaoDich"))
    if not all(ids) or ids[0] == ids[1]:
        raise CheckFailed(
            f"two accepted dossiers got maGiaoDich {ids[0]!r} and {ids[1]!r}; each must be "
            "its own, kept for reconciliation"
        )


@check(verifies=["API-08"], actor="bhxh", direction="server", fault="bhxh:ignores_loaihoso")
async def loaihoso_must_match_endpoint(ctx: ServerContext) -> None:
    """A dossier sent with loaiHoSo=0 (the check-in value) is not accepted; the refusal should
    name loaiHoSo."""
    client = ctx.client("bhxh")
    session = await open_session(client, ctx.samples)
    tables = ctx.samples.episode(secrets.randbelow(10**7), version=profile_of(ctx.regulation))
    await check_in(client, session, ctx.samples, tables, ctx.regulation)
    answer = await send(
        client,
        session,
        ctx.samples,
        kind="dossier",
        document=ctx.samples.seal(tables),
        regulation=ctx.regulation,
        overrides={"loaiHoSo": "0"},
    )
    if answer.accepted:
        raise CheckFailed("a dossier with loaiHoSo=0 was accepted; dossiers are loaiHoSo=130")
    if "loaihoso" not in (answer.message + answer.text).lower():
        raise CheckWarned(f"the refusal does not name the field loaiHoSo: {answer.describe()}")
