"""C06 knows deaths and re-issued numbers (C06-03), called as the gateway and VNeID call it."""

from __future__ import annotations

from lienthong.conformance.context import Identity, ServerContext
from lienthong.conformance.failures import CheckFailed, Skipped
from lienthong.conformance.registry import check


def _asked(person: Identity) -> dict[str, str]:
    return {
        "cccd": person.cccd,
        "ho_ten": person.ho_ten,
        "ngay_sinh": person.ngay_sinh,
        "gioi_tinh": person.gioi_tinh,
    }


@check(verifies=["C06-03"], actor="c06", direction="server", fault="c06:verifies_inactive")
async def inactive_identities_not_matched(ctx: ServerContext) -> None:
    """C06 answers deceased for a dead citizen and cancelled for a replaced number; neither signs in."""
    if not ctx.service_token:
        raise Skipped("no service token for the identity node was given")
    dead = ctx.samples.deceased()
    old_number, current = ctx.samples.reissued()
    cases = [
        ("a deceased citizen", _asked(dead), "deceased"),
        ("a cancelled (re-issued) number", _asked(current) | {"cccd": old_number}, "cancelled"),
        ("the re-issued number", _asked(current), "match"),
    ]
    problems = []
    for label, asked, expected in cases:
        answer = await ctx.client("c06").post(
            "/api/identity/verify", json=asked, headers={"authorization": f"Bearer {ctx.service_token}"}
        )
        got = answer.json().get("result") if answer.status_code == 200 else f"HTTP {answer.status_code}"
        if got != expected:
            problems.append(f"{label} ({asked['cccd']}): result = {got!r}; expected {expected!r}")
    signed_in = await ctx.client("c06").post(
        "/api/vneid/token", json={"cccd": dead.cccd, "password": dead.password}
    )
    if signed_in.status_code == 200:
        problems.append(f"the deceased citizen {dead.cccd} could sign in to VNeID")
    if problems:
        raise CheckFailed("; ".join(problems), problems)
