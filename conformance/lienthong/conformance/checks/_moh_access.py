"""Getting credentials for the MoH store the way its clients do: a citizen token from C06, a
facility token by OAuth2 client credentials; and sending a visit through the chain."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from lienthong.conformance.checks._book import signed_in_refused
from lienthong.conformance.context import Identity, ServerContext, Tables
from lienthong.conformance.failures import CheckFailed, Skipped
from lienthong.conformance.gateway_api import deliver, open_session
from lienthong.profiles.validation import parse_dossier


async def citizen_token(ctx: ServerContext, person: Identity) -> str:
    signed_in = await ctx.client("c06").post(
        "/api/vneid/token", json={"cccd": person.cccd, "password": person.password}
    )
    if signed_in.status_code != 200:
        raise Skipped(signed_in_refused(person, signed_in.status_code))
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
    """A visit of citizen ``index`` reaches the MoH store. With a gateway in the run, the suite's
    facility sends the dossier and the chain settles; with the MoH store alone, the suite plays the
    gateway and delivers the verified visit to ``POST /internal/visits`` with the service token."""
    if "bhxh" not in ctx.clients:
        await deliver_to_store(ctx, ctx.samples.dossier(index, edit=edit))
        return
    session = await open_session(ctx.client("bhxh"), ctx.samples)
    answer = await deliver(
        ctx.client("bhxh"), session, ctx.samples, index, edit=edit, regulation=ctx.regulation
    )
    if answer.get("maKetQua") != "200":
        raise CheckFailed(f"the gateway did not accept the dossier for citizen {index}: {answer}")
    if ctx.settle:
        await ctx.settle()


async def deliver_to_store(ctx: ServerContext, document: bytes) -> None:
    """Deliver a dossier's visit to the MoH store as the gateway does after C06 verified it."""
    if not ctx.service_token:
        raise Skipped(
            "no gateway in this run and no --service-token: the suite cannot deliver a visit to "
            "the MoH store (POST /internal/visits)"
        )
    dossier, problems = parse_dossier(document)
    if dossier is None or not dossier.tables.get("XML1"):
        raise RuntimeError(f"the suite's own sample dossier does not parse: {problems[:1]}")
    answer = await ctx.client("moh").post(
        "/internal/visits",
        headers=bearer(ctx.service_token),
        json={
            "facility": dossier.facility,
            "ma_lk": dossier.ma_lk,
            "transaction_id": uuid.uuid4().hex,
            "received_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "summary": dossier.tables["XML1"][0],
            "labs": dossier.tables.get("XML4", []),
            "tables": dossier.tables,
        },
    )
    if answer.status_code not in (200, 201):
        raise CheckFailed(
            f"POST /internal/visits refused a verified visit ({dossier.ma_lk}): HTTP {answer.status_code} "
            f"{answer.text[:200]}"
        )


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
