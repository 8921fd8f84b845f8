"""Reading a citizen's health book the way VNeID does: sign in at C06, then ask the MoH store."""

from __future__ import annotations

from typing import Any

from lienthong.conformance.context import Identity, ServerContext
from lienthong.conformance.failures import CheckFailed, Skipped


def signed_in_refused(person: Identity, status: int) -> str:
    """Why a check that needs a citizen's token cannot run (C06 is not what it judges)."""
    return (
        f"VNeID sign-in of citizen {person.cccd} at C06 answered HTTP {status}; the check needs a "
        "citizen who can sign in (--patients with their vneid_password)"
    )


async def read_book(ctx: ServerContext, person: Identity) -> tuple[int, Any]:
    """(HTTP status, parsed body) of the citizen's own book."""
    signed_in = await ctx.client("c06").post(
        "/api/vneid/token", json={"cccd": person.cccd, "password": person.password}
    )
    if signed_in.status_code != 200:
        raise Skipped(signed_in_refused(person, signed_in.status_code))
    token = signed_in.json().get("access_token", "")
    response = await ctx.client("moh").get(
        f"/fhir/Patient/{person.cccd}/$everything", headers={"authorization": f"Bearer {token}"}
    )
    try:
        return response.status_code, response.json()
    except ValueError:
        raise CheckFailed(f"the book is not JSON: {response.text[:200]!r}") from None


def encounters(bundle: Any) -> list[dict[str, Any]]:
    if not isinstance(bundle, dict):
        return []
    return [
        e["resource"]
        for e in bundle.get("entry", []) or []
        if isinstance(e, dict)
        and isinstance(e.get("resource"), dict)
        and e["resource"].get("resourceType") == "Encounter"
    ]


def ma_lk_of(encounter: dict[str, Any]) -> set[str]:
    return {str(i.get("value")) for i in encounter.get("identifier", []) if isinstance(i, dict)}
