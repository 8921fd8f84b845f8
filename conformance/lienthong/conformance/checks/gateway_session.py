"""Gateway sessions: token issue, wrong passwords, submissions without a session (API-01..03),
the passwordHash header (SEC-01)."""

from __future__ import annotations

from lienthong.conformance.context import ServerContext
from lienthong.conformance.failures import CheckFailed, CheckWarned
from lienthong.conformance.gateway_api import Session, open_session, send, take_token
from lienthong.conformance.registry import check

APIKEY_FIELDS = ("access_token", "id_token", "token_type", "username", "expires_in")


@check(verifies=["API-01"], actor="bhxh", direction="server", fault="bhxh:token_missing_fields")
async def token_take_opens_session(ctx: ServerContext) -> None:
    """POST /api/token/take with valid credentials answers 200 and a complete APIKey."""
    _, body = await take_token(ctx.client("bhxh"), ctx.samples.username, ctx.samples.password)
    if body.get("maKetQua") != "200":
        raise CheckFailed(f"maKetQua = {body.get('maKetQua')!r} for valid credentials; expected '200'")
    key = body.get("APIKey")
    if not isinstance(key, dict):
        raise CheckFailed(f"APIKey is missing or not an object: {key!r}")
    missing = [name for name in APIKEY_FIELDS if not key.get(name)]
    if missing:
        raise CheckFailed(f"APIKey lacks {', '.join(missing)} (required: {', '.join(APIKEY_FIELDS)})")


@check(verifies=["API-02"], actor="bhxh", direction="server", fault="bhxh:accepts_any_password")
async def token_take_refuses_wrong_password(ctx: ServerContext) -> None:
    """A wrong password gets no token (maKetQua 401 by the result-code table)."""
    _, body = await take_token(ctx.client("bhxh"), ctx.samples.username, ctx.samples.password + "-wrong")
    if (body.get("APIKey") or {}).get("access_token") or body.get("maKetQua") == "200":
        raise CheckFailed(f"a wrong password opened a session: maKetQua {body.get('maKetQua')!r}")
    if body.get("maKetQua") != "401":
        raise CheckWarned(f"a wrong password was refused with maKetQua {body.get('maKetQua')!r}, not 401")


@check(verifies=["API-03"], actor="bhxh", direction="server", fault="bhxh:skips_token_check")
async def submission_without_session_refused(ctx: ServerContext) -> None:
    """A check-in with no session headers, or with made-up tokens, is not accepted (401)."""
    document = ctx.samples.checkin(40)
    forged = Session("0" * 48, "0" * 32, ctx.samples.username, "")
    odd = []
    for label, session in (("no accessToken/tokenId headers", None), ("forged tokens", forged)):
        answer = await send(
            ctx.client("bhxh"),
            session,
            ctx.samples,
            kind="checkin",
            document=document,
            regulation=ctx.regulation,
        )
        if answer.accepted:
            raise CheckFailed(f"with {label}: the check-in was accepted ({answer.describe()})")
        if answer.code != "401" and answer.status != 401:
            odd.append(f"{label}: {answer.describe()}")
    if odd:
        raise CheckWarned("refused, but not with 401 (unauthenticated): " + "; ".join(odd))


@check(verifies=["SEC-01"], actor="bhxh", direction="server", fault="bhxh:ignores_password_hash")
async def wrong_password_hash_refused(ctx: ServerContext) -> None:
    """A submission whose passwordHash header is not the account's (CV 1245: headers accessToken,
    tokenId and passwordHash) is not accepted, though its tokens are live."""
    client = ctx.client("bhxh")
    session = await open_session(client, ctx.samples)
    wrong = Session(session.access_token, session.id_token, session.username, "0" * 32)
    answer = await send(
        client,
        wrong,
        ctx.samples,
        kind="checkin",
        document=ctx.samples.checkin(39),
        regulation=ctx.regulation,
    )
    if answer.accepted:
        raise CheckFailed(f"a check-in with a wrong passwordHash was accepted ({answer.describe()})")
