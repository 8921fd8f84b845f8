"""Who may read a health book: citizens their own and their wards' (SEC-02), facilities the
patients they treat (SEC-02) within their token's scopes (MOH-02), never with an expired token
(SEC-01)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from lienthong.conformance.checks._moh_access import (
    bearer,
    citizen_token,
    facility_token,
    resources,
    send_visit,
)
from lienthong.conformance.context import ServerContext
from lienthong.conformance.failures import CheckFailed
from lienthong.conformance.registry import check

REFUSED = {401, 403}
TREATED, STRANGER, OTHER_CITIZEN = 12, 13, 14
"""Citizens of the suite's samples: one the suite facility treats, one it never saw, one reader."""
TOKEN_LIFETIME = timedelta(hours=1)
"""The longest lifetime the expiry check waits out (both tokens the simulated nodes issue live 1 h).
[I]: no source states the lifetime; a real node whose tokens live longer is still judged after it."""


@check(verifies=["SEC-02"], actor="moh", direction="chain", fault="moh:cross_patient_read")
async def citizen_reads_only_own_book(ctx: ServerContext) -> None:
    """A citizen's token reads their own book and is refused another citizen's."""
    await send_visit(ctx, TREATED)
    owner, reader = ctx.samples.identity(TREATED), ctx.samples.identity(OTHER_CITIZEN)
    moh = ctx.client("moh")
    own = await moh.get(
        f"/fhir/Patient/{owner.cccd}/$everything", headers=bearer(await citizen_token(ctx, owner))
    )
    if own.status_code != 200:
        raise CheckFailed(f"citizen {owner.cccd} could not read their own book: HTTP {own.status_code}")
    token = await citizen_token(ctx, reader)
    for path in (f"/fhir/Patient/{owner.cccd}/$everything", f"/fhir/Encounter?patient={owner.cccd}"):
        other = await moh.get(path, headers=bearer(token))
        if other.status_code not in REFUSED or owner.cccd in other.text.replace(path, ""):
            raise CheckFailed(
                f"citizen {reader.cccd} asked {path} of citizen {owner.cccd}: HTTP {other.status_code} "
                "(expected 403, with none of that citizen's data)"
            )


@check(verifies=["SEC-02"], actor="moh", direction="chain", fault="moh:no_treatment_check")
async def facility_reads_only_treated_patients(ctx: ServerContext) -> None:
    """A facility reads the visits of a patient it treated and is refused a patient it never saw."""
    await send_visit(ctx, TREATED)
    token = await facility_token(ctx)
    moh = ctx.client("moh")
    treated, stranger = ctx.samples.identity(TREATED), ctx.samples.identity(STRANGER)
    mine = await moh.get("/fhir/Encounter", params={"patient": treated.cccd}, headers=bearer(token))
    if mine.status_code != 200 or not resources(mine.json()):
        raise CheckFailed(
            f"facility {ctx.samples.facility} could not read the visit it sent for {treated.cccd}: "
            f"HTTP {mine.status_code}"
        )
    theirs = await moh.get("/fhir/Encounter", params={"patient": stranger.cccd}, headers=bearer(token))
    if theirs.status_code not in REFUSED:
        raise CheckFailed(
            f"facility {ctx.samples.facility} read Encounter?patient={stranger.cccd}, a patient it has "
            f"no treatment relationship with and no consent from: HTTP {theirs.status_code}"
        )


@check(verifies=["MOH-02"], actor="moh", direction="chain", fault="moh:ignores_scopes")
async def facility_token_scopes_enforced(ctx: ServerContext) -> None:
    """A facility token scoped to Encounter reads encounters; observations and the whole book are refused."""
    await send_visit(ctx, TREATED)
    token = await facility_token(ctx, scope="system/Encounter.read")
    cccd = ctx.samples.identity(TREATED).cccd
    moh = ctx.client("moh")
    allowed = await moh.get("/fhir/Encounter", params={"patient": cccd}, headers=bearer(token))
    if allowed.status_code != 200:
        raise CheckFailed(
            f"Encounter search with scope system/Encounter.read answered HTTP {allowed.status_code}"
        )
    for path in (f"/fhir/Observation?patient={cccd}", f"/fhir/Patient/{cccd}/$everything"):
        answer = await moh.get(path, headers=bearer(token))
        if answer.status_code != 403:
            raise CheckFailed(
                f"GET {path} with a token scoped to system/Encounter.read answered HTTP "
                f"{answer.status_code}; expected 403"
            )


@check(
    verifies=["SEC-01"],
    actor="moh",
    direction="chain",
    fault="moh:accepts_expired_tokens",
    opt_in="wait-token-expiry",
)
async def expired_tokens_refused(ctx: ServerContext) -> None:
    """Citizen and facility tokens are refused once expired (the clock is moved past their lifetime)."""
    await send_visit(ctx, TREATED)
    person = ctx.samples.identity(TREATED)
    issued = datetime.now(UTC)
    tokens = {"citizen": await citizen_token(ctx, person), "facility": await facility_token(ctx)}
    back = await ctx.outlive(issued + TOKEN_LIFETIME)
    problems = []
    try:
        for kind, token in tokens.items():
            answer = await ctx.client("moh").get(
                "/fhir/Encounter", params={"patient": person.cccd}, headers=bearer(token)
            )
            if answer.status_code != 401:
                problems.append(f"an expired {kind} token got HTTP {answer.status_code}; expected 401")
    finally:
        back()  # other checks compare the node's clock with the wall clock
    if problems:
        raise CheckFailed("; ".join(problems), problems)
