"""Getting credentials for the MoH store the way its clients do: a citizen token from C06, a
facility token by OAuth2 client credentials; and sending a visit through the chain."""

from __future__ import annotations

from typing import Any

from lienthong.conformance.context import Identity, ServerContext, Tables
from lienthong.conformance.failures import CheckFailed, Skipped
from lienthong.conformance.gateway_api import deliver, open_session


async def citizen_token(ctx: ServerContext, person: Identity) -> str:
    signed_in = await ctx.client("c06").post(
        "/api/vneid/token", json={"cccd": person.cccd, "password": person.password}
    )
    if signed_in.status_code != 200:
        raise CheckFailed(f"VNeID sign-in of citizen {person.cccd} failed: HTTP {signed_in.status_code}")
    return str(signed_in.json().get("access_token", ""))


async def facility_token(ctx: ServerContext, scope: str = "") -> str:
    if ctx.moh_client is None:
        raise Skipped("no MoH client credentials for the suite's facility were given")
    client_id, secret = ctx.moh_client
    form = {"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret}
    if scope:
        form["scope"] = scope
    answer = await ctx.client("moh").post("/oauth/token", data=form)
    if answer.status_code != 200:
        raise CheckFailed(
            f"POST /oauth/token refused the suite's facility credentials: HTTP {answer.status_code} "
            f"{answer.text[:200]}"
        )
    return str(answer.json().get("access_token", ""))


def bearer(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


async def send_visit(ctx: ServerContext, index: int, *, edit: Any = None) -> None:
    """The suite's facility sends a dossier for citizen ``index``; the chain settles."""
    session = await open_session(ctx.client("bhxh"), ctx.samples)
    answer = await deliver(
        ctx.client("bhxh"), session, ctx.samples, index, edit=edit, regulation=ctx.regulation
    )
    if answer.get("maKetQua") != "200":
        raise CheckFailed(f"the gateway did not accept the dossier for citizen {index}: {answer}")
    if ctx.settle:
        await ctx.settle()


def resources(body: Any) -> list[dict[str, Any]]:
    if not isinstance(body, dict):
        return []
    return [
        e["resource"]
        for e in body.get("entry", []) or []
        if isinstance(e, dict) and isinstance(e.get("resource"), dict)
    ]


def no_edit(tables: Tables) -> None:
    """Leave the dossier as generated."""
