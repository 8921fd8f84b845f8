"""The gateway's immediate answers (API-04, API-05, API-07, API-08)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from lienthong.conformance.context import ServerContext
from lienthong.conformance.failures import CheckFailed
from lienthong.conformance.gateway_api import ANSWER_FIELDS, open_session, submit
from lienthong.conformance.registry import check

VN = timezone(timedelta(hours=7))
CLOCK_TOLERANCE = timedelta(minutes=15)


def _received_at(value: object) -> datetime:
    try:
        return datetime.strptime(str(value), "%Y%m%d%H%M%S").replace(tzinfo=VN)
    except ValueError:
        raise CheckFailed(f"thoiGianTiepNhan = {value!r} is not yyyyMMddHHmmss") from None


@check(verifies=["API-04"], actor="bhxh", direction="server", fault="bhxh:answer_time_utc")
async def answers_carry_receipt_fields(ctx: ServerContext) -> None:
    """Accepted and rejected submissions both answer maKetQua, maGiaoDich, thoiGianTiepNhan
    (Vietnam time) and thongDiep."""
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
    drift = abs(_received_at(accepted["thoiGianTiepNhan"]) - datetime.now(VN))
    if drift > CLOCK_TOLERANCE:
        raise CheckFailed(
            f"thoiGianTiepNhan = {accepted['thoiGianTiepNhan']} is {drift} away from Vietnam "
            f"time now (UTC+7); answers must be in Vietnam local time"
        )


@check(verifies=["API-05"], actor="bhxh", direction="server", fault="bhxh:no_facility_check")
async def other_facility_refused(ctx: ServerContext) -> None:
    """A facility's session cannot submit under another facility's maCSKCB (maKetQua 403)."""
    session = await open_session(ctx.client("bhxh"), ctx.samples)
    other = ctx.samples.facility[:2] + ("998" if ctx.samples.facility[2:] != "998" else "997")
    answer = await submit(
        ctx.client("bhxh"),
        session,
        ctx.samples,
        kind="checkin",
        document=ctx.samples.checkin(42),
        regulation=ctx.regulation,
        overrides={"maCSKCB": other},
    )
    if answer.get("maKetQua") != "403":
        raise CheckFailed(
            f"maCSKCB {other} with a session of {ctx.samples.facility}: "
            f"maKetQua = {answer.get('maKetQua')!r}; expected '403'"
        )


@check(verifies=["API-07"], actor="bhxh", direction="server", fault="bhxh:reuses_transaction_id")
async def accepted_submissions_kept(ctx: ServerContext) -> None:
    """Two accepted dossiers get two different maGiaoDich."""
    session = await open_session(ctx.client("bhxh"), ctx.samples)
    ids = []
    for index in (43, 44):
        answer = await submit(
            ctx.client("bhxh"),
            session,
            ctx.samples,
            kind="dossier",
            document=ctx.samples.dossier(index),
            regulation=ctx.regulation,
        )
        if answer.get("maKetQua") != "200":
            raise CheckFailed(f"a valid signed dossier was not accepted: {answer}")
        ids.append(answer.get("maGiaoDich"))
    if not all(ids) or ids[0] == ids[1]:
        raise CheckFailed(
            f"two accepted dossiers got maGiaoDich {ids[0]!r} and {ids[1]!r}; each must be "
            "its own, kept for reconciliation"
        )


@check(verifies=["API-08"], actor="bhxh", direction="server", fault="bhxh:ignores_loaihoso")
async def loaihoso_must_match_endpoint(ctx: ServerContext) -> None:
    """A dossier sent with loaiHoSo=0 (the check-in value) is refused, naming loaiHoSo."""
    session = await open_session(ctx.client("bhxh"), ctx.samples)
    answer = await submit(
        ctx.client("bhxh"),
        session,
        ctx.samples,
        kind="dossier",
        document=ctx.samples.dossier(45),
        regulation=ctx.regulation,
        overrides={"loaiHoSo": "0"},
    )
    if answer.get("maKetQua") == "200":
        raise CheckFailed("a dossier with loaiHoSo=0 was accepted; dossiers are loaiHoSo=130")
    if "loaiHoSo" not in str(answer.get("thongDiep", "")):
        raise CheckFailed(f"the rejection does not name the field loaiHoSo: {answer.get('thongDiep')!r}")
