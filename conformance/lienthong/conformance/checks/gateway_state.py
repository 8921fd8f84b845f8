"""Stateful and security promises of the gateway: a resend replaces (KEY-01), acknowledged visits
of card holders are in their visit history (API-07), an expired card answers its code
(LOOKUP-02), the look-up needs a session (SEC-01), an oversized body is refused (API-10)."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Mapping

from lienthong.conformance.checks._lookup import FOUND, history, known_patients, lookup, lookup_found
from lienthong.conformance.context import Patient, ServerContext, Tables, lookup_fields
from lienthong.conformance.failures import CheckFailed, CheckWarned, Skipped
from lienthong.conformance.gateway_api import Session, check_in, open_session, profile_of, send, send_episode
from lienthong.conformance.registry import check

HISTORY_VISITS = 10
"""Acknowledged dossiers whose presence in the visit history is checked."""


def _ma_lk(tables: Tables) -> str:
    return tables["XML1"][0]["MA_LK"]


async def _histories(
    ctx: ServerContext, session: Session, wanted: dict[str, set[str]], holders: Mapping[str, Patient]
) -> dict[str, list[str]]:
    """Card -> MA_LKs of ``wanted`` its look-up's history lists, polled for ``ctx.feedback_wait``."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + ctx.feedback_wait
    while True:
        seen: dict[str, list[str]] = {}
        for card, patient in holders.items():
            answer = await lookup_found(ctx, session, patient)
            seen[card] = [str(v.get("maHoSo", "")) for v in history(answer)]
        if all(wanted[c] <= set(seen[c]) for c in wanted) or loop.time() >= deadline:
            return seen
        await asyncio.sleep(0.5)


@check(verifies=["API-07"], actor="bhxh", direction="server", fault="bhxh:history_drops_visits")
async def acknowledged_visits_in_history(ctx: ServerContext) -> None:
    """Ten dossiers of card holders the target knows, each acknowledged (maKetQua 200), all appear
    in their holder's visit history (dsLichSuKCB2018) of the card look-up."""
    patients = known_patients(ctx, 1, at_most=HISTORY_VISITS)
    client = ctx.client("bhxh")
    session = await open_session(client, ctx.samples)
    wanted: dict[str, set[str]] = {}
    holders: dict[str, Patient] = {}
    for number in range(HISTORY_VISITS):
        patient = patients[number % len(patients)]
        tables = ctx.samples.episode(
            secrets.randbelow(10**7), version=profile_of(ctx.regulation), holder=patient
        )
        await send_episode(client, session, ctx.samples, tables, ctx.regulation)
        wanted.setdefault(patient.bhyt, set()).add(_ma_lk(tables))
        holders[patient.bhyt] = patient
    seen = await _histories(ctx, session, wanted, holders)
    missing = [f"{m} (card {c})" for c, ms in wanted.items() for m in sorted(ms - set(seen[c]))]
    if len(missing) == HISTORY_VISITS:
        raise CheckFailed(
            f"none of {HISTORY_VISITS} acknowledged dossiers is in its holder's visit history "
            f"(dsLichSuKCB2018) after {ctx.feedback_wait:.0f} s: {', '.join(missing[:5])}",
            missing,
        )
    if missing:  # the history may lag behind the journal; how long it may take is not published
        raise CheckWarned(
            f"{len(missing)} of {HISTORY_VISITS} acknowledged dossiers are not yet in their holder's visit "
            f"history after {ctx.feedback_wait:.0f} s: {', '.join(missing[:5])}",
            missing,
        )


@check(verifies=["KEY-01"], actor="bhxh", direction="server", fault="bhxh:refuses_resend")
async def resend_replaces(ctx: ServerContext) -> None:
    """A dossier sent again for the same MA_LK (the payment time added, TT 48) is accepted and
    replaces the first: the holder's visit history lists the MA_LK once."""
    holder = known_patients(ctx)[0] if ctx.samples.patients else None
    client = ctx.client("bhxh")
    session = await open_session(client, ctx.samples)
    tables = ctx.samples.episode(secrets.randbelow(10**7), version=profile_of(ctx.regulation), holder=holder)
    summary = tables["XML1"][0]
    paid, summary["NGAY_TTOAN"] = summary.get("NGAY_TTOAN", ""), ""
    await send_episode(client, session, ctx.samples, tables, ctx.regulation)
    summary["NGAY_TTOAN"] = paid or summary["NGAY_RA"]
    again = await send(
        client,
        session,
        ctx.samples,
        kind="dossier",
        document=ctx.samples.seal(tables),
        regulation=ctx.regulation,
    )
    if not again.accepted:
        raise CheckFailed(
            f"the replacement dossier of MA_LK {_ma_lk(tables)} (NGAY_TTOAN added) was refused: "
            f"{again.describe()}; a resend replaces the record"
        )
    if holder is None or ctx.samples.staff is None:
        return  # the replacement was accepted; whether it was kept once needs a known card holder
    answer = await lookup_found(ctx, session, holder)
    times = [v.get("maHoSo") for v in history(answer)].count(_ma_lk(tables))
    if times > 1:
        raise CheckFailed(f"MA_LK {_ma_lk(tables)}, sent twice, is listed {times} times in the visit history")


@check(verifies=["LOOKUP-02"], actor="bhxh", direction="server", fault="bhxh:lookup_ignores_expiry")
async def expired_card_answers_its_code(ctx: ServerContext) -> None:
    """A card past its validity answers 010 (card expired) or 003 (expired, new card issued), never
    a valid card's 000 or 004."""
    patient = known_patients(ctx, valid=False)[0]
    session = await open_session(ctx.client("bhxh"), ctx.samples)
    answer = await lookup(ctx, session, lookup_fields(patient))
    if answer.code in ("000", "004"):
        raise CheckFailed(
            f"card {patient.bhyt}, valid until {patient.gt_the_den}, answered {answer.describe()} "
            "as a valid card"
        )
    if answer.code not in ("010", "003"):
        raise CheckWarned(
            f"card {patient.bhyt}, valid until {patient.gt_the_den}, answered {answer.describe()}; "
            "expected 010 (card expired) or 003"
        )


@check(verifies=["SEC-01"], actor="bhxh", direction="server", fault="bhxh:lookup_skips_token")
async def lookup_without_session_refused(ctx: ServerContext) -> None:
    """A card look-up without a session, or with forged tokens, is refused (401) and answers no
    personal data."""
    patients = ctx.samples.patients
    asked = (
        lookup_fields(patients[0])
        if patients
        else {"maThe": "DN4010000000001", "hoTen": "Nguyễn Văn An", "ngaySinh": "01/01/1980"}
    )
    forged = {"token": "0" * 48, "id_token": "0" * 32, "username": ctx.samples.username, "password": "0" * 32}
    problems: list[str] = []
    other: list[str] = []
    for label, auth in (("no token", {}), ("forged tokens", forged)):
        answer = await lookup(ctx, None, asked, auth=auth)
        personal = [k for k in ("hoTen", "ngaySinh", "diaChi", "maSoBHXH") if answer.body.get(k)]
        if answer.code in FOUND or personal:
            problems.append(f"{label}: {answer.describe()}, personal data {', '.join(personal) or 'none'}")
        elif answer.code != "401" and answer.status != 401:
            # A format (205) or staff (054, 055) check may come before authentication; any other
            # card code means it looked the card up.
            (other if answer.code in ("205", "054", "055") else problems).append(
                f"{label}: {answer.describe()}"
            )
    if problems:
        raise CheckFailed("a look-up without a valid session was answered: " + "; ".join(problems), problems)
    if other:
        raise CheckWarned("; ".join(other), other)


@check(verifies=["API-10"], actor="bhxh", direction="server", fault="bhxh:no_body_limit")
async def oversized_body_refused(ctx: ServerContext) -> None:
    """A valid signed dossier padded far above any real one (``max_body``, 10 MiB by default) is
    refused, and a valid check-in is still accepted afterwards."""
    if not ctx.samples.can_sign:
        raise Skipped("no facility signing key was given (--key/--cert)")
    client = ctx.client("bhxh")
    session = await open_session(client, ctx.samples)
    tables = ctx.samples.episode(secrets.randbelow(10**7), version=profile_of(ctx.regulation))
    await check_in(client, session, ctx.samples, tables, ctx.regulation)
    # The dossier is valid; the body carries one more JSON member, of max_body bytes: a gateway
    # without a limit reads it all and accepts.
    padding = {"ghiChu": "Dặn dò " * (ctx.max_body // 9 + 1)}
    answer = await send(
        client,
        session,
        ctx.samples,
        kind="dossier",
        document=ctx.samples.seal(tables),
        regulation=ctx.regulation,
        overrides=padding,
    )
    after = ctx.samples.episode(secrets.randbelow(10**7), version=profile_of(ctx.regulation))
    fine = await send(
        client,
        session,
        ctx.samples,
        kind="checkin",
        document=ctx.samples.checkins(after)[0],
        regulation=ctx.regulation,
    )
    if not fine.accepted:
        raise CheckFailed(f"after an oversized request, a valid check-in was refused: {fine.describe()}")
    if answer.accepted:
        message = f"a {ctx.max_body / 2**20:.0f} MiB dossier was accepted ({answer.describe()})"
        if ctx.max_body_stated:
            raise CheckFailed(message + "; the stated body limit is not enforced")
        raise CheckWarned(message + "; state the gateway's limit (--max-body) to make this a requirement")
