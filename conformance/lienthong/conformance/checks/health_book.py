"""The MoH store serves the health book as FHIR R4 (MOH-01)."""

from __future__ import annotations

import re

from lienthong.conformance.checks._book import encounters, read_book
from lienthong.conformance.checks._moh_access import send_visit
from lienthong.conformance.context import ServerContext
from lienthong.conformance.failures import CheckFailed
from lienthong.conformance.registry import check

FHIR_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})")


@check(verifies=["MOH-01"], actor="moh", direction="chain", fault="moh:book_not_fhir")
async def book_is_fhir_bundle(ctx: ServerContext) -> None:
    """The book is a FHIR searchset Bundle with the Patient and an Encounter per visit."""
    await send_visit(ctx, 3)
    status, bundle = await read_book(ctx, ctx.samples.identity(3))
    if status != 200:
        raise CheckFailed(f"the book answered HTTP {status}")
    if not isinstance(bundle, dict) or bundle.get("resourceType") != "Bundle":
        raise CheckFailed(
            f"resourceType = {bundle.get('resourceType') if isinstance(bundle, dict) else None!r}; "
            "expected a FHIR Bundle"
        )
    if bundle.get("type") != "searchset":
        raise CheckFailed(f"Bundle.type = {bundle.get('type')!r}; expected 'searchset'")
    kinds = [e.get("resource", {}).get("resourceType") for e in bundle.get("entry", [])]
    if "Patient" not in kinds:
        raise CheckFailed("the Bundle holds no Patient")
    found = encounters(bundle)
    if not found:
        raise CheckFailed("the Bundle holds no Encounter although a visit was sent")
    for encounter in found:
        period = encounter.get("period", {})
        bad = [k for k in ("start", "end") if not FHIR_DATETIME.fullmatch(str(period.get(k, "")))]
        if bad or encounter.get("status") not in {
            "planned",
            "arrived",
            "triaged",
            "in-progress",
            "onleave",
            "finished",
            "cancelled",
            "entered-in-error",
            "unknown",
        }:
            raise CheckFailed(f"Encounter {encounter.get('id')}: invalid status or period {bad}")
