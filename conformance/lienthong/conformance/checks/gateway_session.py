"""Gateway sessions: token issue, wrong passwords, submissions without a session or without the
password hash (API-01..03, API-10)."""

from __future__ import annotations

from dataclasses import replace

from lienthong.conformance.context import ServerContext
from lienthong.conformance.failures import CheckFailed
from lienthong.conformance.gateway_api import Session, md5_upper, open_session, submit, take_token
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
    """A wrong password gets maKetQua 401 and no token."""
    _, body = await take_token(ctx.client("bhxh"), ctx.samples.username, ctx.samples.password + "-wrong")
    if body.get("maKetQua") != "401":
        raise CheckFailed(f"maKetQua = {body.get('maKetQua')!r} for a wrong password; expected '401'")
    if (body.get("APIKey") or {}).get("access_token"):
        raise CheckFailed("a token was issued for a wrong password")


@check(verifies=["API-03"], actor="bhxh", direction="server", fault="bhxh:skips_token_check")
async def submission_without_session_refused(ctx: ServerContext) -> None:
    """A check-in with no session headers, or with made-up tokens, gets maKetQua 401."""
    document = ctx.samples.checkin(40)
    forged = Session("0" * 48, "0" * 32, ctx.samples.username, "")
    for label, session in (("no accessToken/tokenId headers", None), ("forged tokens", forged)):
        answer = await submit(
            ctx.client("bhxh"),
            session,
            ctx.samples,
            kind="checkin",
            document=document,
            regulation=ctx.regulation,
        )
        if answer.get("maKetQua") != "401":
            raise CheckFailed(f"with {label}: maKetQua = {answer.get('maKetQua')!r}; expected '401'")


@check(verifies=["API-10"], actor="bhxh", direction="server", fault="bhxh:ignores_password_hash")
async def submission_without_password_hash_refused(ctx: ServerContext) -> None:
    """A check-in on a live session but without the passwordHash header, or with a wrong one,
    gets maKetQua 401."""
    session = await open_session(ctx.client("bhxh"), ctx.samples)
    document = ctx.samples.checkin(41)
    for label, password_md5 in (
        ("no passwordHash header", ""),
        ("the passwordHash of another password", md5_upper(ctx.samples.password + "-wrong")),
    ):
        answer = await submit(
            ctx.client("bhxh"),
            replace(session, password_md5=password_md5),
            ctx.samples,
            kind="checkin",
            document=document,
            regulation=ctx.regulation,
        )
        if answer.get("maKetQua") != "401":
            raise CheckFailed(f"with {label}: maKetQua = {answer.get('maKetQua')!r}; expected '401'")
