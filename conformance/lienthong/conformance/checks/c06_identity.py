"""C06 identity verification (C06-01, C06-02), called as the gateway calls it."""

from __future__ import annotations

from typing import Any

from lienthong.conformance.context import ServerContext
from lienthong.conformance.failures import CheckFailed, Skipped
from lienthong.conformance.registry import check

ALLOWED_KEYS = {"result", "mismatched"}


async def _verify(ctx: ServerContext, asked: dict[str, str]) -> dict[str, Any]:
    if not ctx.service_token:
        raise Skipped("no service token for the identity node was given")
    response = await ctx.client("c06").post(
        "/api/identity/verify", json=asked, headers={"authorization": f"Bearer {ctx.service_token}"}
    )
    if response.status_code != 200:
        raise CheckFailed(f"POST /api/identity/verify answered HTTP {response.status_code}")
    body: dict[str, Any] = response.json()
    return body


def _asked(ctx: ServerContext, index: int) -> dict[str, str]:
    person = ctx.samples.identity(index)
    return {
        "cccd": person.cccd,
        "ho_ten": person.ho_ten,
        "ngay_sinh": person.ngay_sinh,
        "gioi_tinh": person.gioi_tinh,
    }


@check(verifies=["C06-01"], actor="c06", direction="server", fault="c06:always_match")
async def identity_verified_exactly(ctx: ServerContext) -> None:
    """C06 answers match only when CCCD, name, date of birth and sex all agree."""
    exact = _asked(ctx, 1)
    cases = [
        ("the exact identity", exact, "match"),
        ("another name", exact | {"ho_ten": exact["ho_ten"] + " Giả"}, "mismatch"),
        ("another date of birth", exact | {"ngay_sinh": "1900-01-01"}, "mismatch"),
        ("an unknown CCCD", exact | {"cccd": ctx.samples.unknown_cccd()}, "unknown"),
    ]
    problems = []
    for label, asked, expected in cases:
        got = (await _verify(ctx, asked)).get("result")
        if got != expected:
            problems.append(f"{label}: result = {got!r}; expected {expected!r}")
    if problems:
        raise CheckFailed("; ".join(problems), problems)


@check(verifies=["C06-02"], actor="c06", direction="server", fault="c06:leaks_personal_data")
async def identity_answer_minimal(ctx: ServerContext) -> None:
    """An identity answer holds only the result and the names of mismatched fields."""
    for asked in (_asked(ctx, 2), _asked(ctx, 2) | {"ho_ten": "Không Phải Tên"}):
        extra = set(await _verify(ctx, asked)) - ALLOWED_KEYS
        if extra:
            raise CheckFailed(
                f"the answer carries {', '.join(sorted(extra))}: personal data the caller "
                f"did not send (allowed: {', '.join(sorted(ALLOWED_KEYS))})"
            )
