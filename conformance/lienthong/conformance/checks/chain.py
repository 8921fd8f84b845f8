"""End to end: a visit sent by a hospital shows in the citizen's book (CHAIN-01), and a visit
whose identity does not check out never does (CHAIN-02)."""

from __future__ import annotations

from lienthong.conformance.checks._book import encounters, ma_lk_of, read_book
from lienthong.conformance.context import ServerContext, Tables
from lienthong.conformance.failures import CheckFailed
from lienthong.conformance.gateway_api import deliver, open_session, submit
from lienthong.conformance.registry import check


@check(verifies=["CHAIN-01"], actor="chain", direction="chain", fault="bhxh:drops_forward")
async def visit_reaches_book(ctx: ServerContext) -> None:
    """A visit accepted by the gateway appears in the citizen's book with its MA_LK and facility."""
    session = await open_session(ctx.client("bhxh"), ctx.samples)
    index = 4
    for kind, document in (
        ("checkin", ctx.samples.checkin(index)),
        ("dossier", ctx.samples.dossier(index)),
    ):
        answer = await submit(
            ctx.client("bhxh"),
            session,
            ctx.samples,
            kind=kind,
            document=document,
            regulation=ctx.regulation,
        )
        if answer.get("maKetQua") != "200":
            raise CheckFailed(f"the gateway did not accept the {kind}: {answer}")
    if ctx.settle:
        await ctx.settle()
    status, bundle = await read_book(ctx, ctx.samples.identity(index))
    wanted = ctx.samples.ma_lk(index)
    shown = [e for e in encounters(bundle) if wanted in ma_lk_of(e)]
    if status != 200 or not shown:
        raise CheckFailed(
            f"MA_LK {wanted} is not in the citizen's book after the chain settled "
            f"(HTTP {status}, {len(encounters(bundle))} encounter(s))"
        )
    provider = shown[0].get("serviceProvider", {}).get("identifier", {}).get("value")
    if provider != ctx.samples.facility:
        raise CheckFailed(f"the visit shows facility {provider!r}; it was sent by {ctx.samples.facility}")


def _wrong_name(tables: Tables) -> None:
    tables["XML1"][0]["HO_TEN"] = "Người Không Tồn Tại"


@check(verifies=["CHAIN-02"], actor="chain", direction="chain", fault="bhxh:forwards_unverified")
async def unverified_visit_stays_out(ctx: ServerContext) -> None:
    """A visit whose name does not match C06's record never reaches the book."""
    session = await open_session(ctx.client("bhxh"), ctx.samples)
    index = 5
    answer = await deliver(ctx.client("bhxh"), session, ctx.samples, index, edit=_wrong_name,
                           regulation=ctx.regulation)  # fmt: skip
    if answer.get("maKetQua") != "200":
        # Refusing it at once keeps it out of the book too; nothing more to see.
        return
    if ctx.settle:
        await ctx.settle()
    _, bundle = await read_book(ctx, ctx.samples.identity(index))
    wanted = ctx.samples.ma_lk(index)
    if any(wanted in ma_lk_of(e) for e in encounters(bundle)):
        raise CheckFailed(
            f"MA_LK {wanted}, sent under a name C06 does not know for CCCD "
            f"{ctx.samples.identity(index).cccd}, is shown in that citizen's book"
        )
