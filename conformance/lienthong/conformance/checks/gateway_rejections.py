"""Bad input is refused with a message naming the field and the rule (API-06, SIG-02)."""

from __future__ import annotations

import base64

from lienthong.conformance.context import ServerContext, Tables
from lienthong.conformance.failures import CheckFailed, CheckWarned, Skipped
from lienthong.conformance.gateway_api import open_session, send
from lienthong.conformance.registry import check


def _drop_ma_lk(tables: Tables) -> None:
    tables["XML1"][0]["MA_LK"] = ""


def _loaihoso_xml99(document: bytes) -> bytes:
    return document.replace(b"<LOAIHOSO>XML1</LOAIHOSO>", b"<LOAIHOSO>XML99</LOAIHOSO>", 1)


@check(verifies=["API-06"], actor="bhxh", direction="server", fault="bhxh:accepts_malformed")
async def malformed_submissions_rejected(ctx: ServerContext) -> None:
    """Not base64, not XML, a wrong LOAIHOSO and a missing MA_LK are each refused; the thongDiep
    should name the field and the rule."""
    session = await open_session(ctx.client("bhxh"), ctx.samples)
    cases = [
        ("fileHSBase64 that is not base64", {"file_base64": "đây không phải base64"}, ("base64",)),
        (
            "a file that is not XML",
            {"file_base64": base64.b64encode("Hồ sơ không phải XML".encode()).decode()},
            ("XML",),
        ),
        (
            "LOAIHOSO XML99",
            {"document": ctx.samples.dossier(46, envelope_edit=_loaihoso_xml99)},
            ("LOAIHOSO",),
        ),
        ("XML1 without MA_LK", {"document": ctx.samples.dossier(47, edit=_drop_ma_lk)}, ("MA_LK",)),
    ]
    accepted, unnamed = [], []
    for label, payload, words in cases:
        answer = await send(
            ctx.client("bhxh"),
            session,
            ctx.samples,
            kind="dossier",
            regulation=ctx.regulation,
            **payload,
        )  # type: ignore[arg-type]
        said = (answer.message + " " + answer.text).lower()
        if answer.accepted:
            accepted.append(f"{label}: accepted ({answer.describe()})")
        elif not all(word.lower() in said for word in words):
            unnamed.append(f"{label}: {answer.describe()} does not name {', '.join(words)}")
    if accepted:
        raise CheckFailed(f"{len(accepted)} of {len(cases)} bad submissions were accepted", accepted)
    if unnamed:  # the wording is the implementer's: naming the field is what TT 48 Đ7 k3 c asks
        raise CheckWarned(f"{len(unnamed)} refusal(s) do not name the field and the rule", unnamed)


@check(verifies=["SIG-02"], actor="bhxh", direction="server", fault="bhxh:signature_not_checked")
async def bad_signature_refused(ctx: ServerContext) -> None:
    """A dossier altered after signing, and one with no signature, are refused (maKetQua 125 as
    vendors report the portal answers)."""
    if not ctx.samples.can_sign:
        raise Skipped("no facility signing key was given (--key/--cert), so a valid signature cannot be made")
    session = await open_session(ctx.client("bhxh"), ctx.samples)
    for index in (48, 49):  # the visits are checked in, as a HIS does: only the signature is wrong
        checked = await send(
            ctx.client("bhxh"),
            session,
            ctx.samples,
            kind="checkin",
            document=ctx.samples.checkin(index),
            regulation=ctx.regulation,
        )
        if not checked.accepted:
            raise CheckFailed(f"a valid signed check-in was refused: {checked.describe()}")
    signed = ctx.samples.dossier(48)
    tampered = signed.replace(b"<NGAYLAP>", b"<NGAYLAP>1", 1)
    accepted, other_code = [], []
    for label, document in (
        ("altered after signing", tampered),
        ("unsigned", ctx.samples.dossier(49, signed=False)),
    ):
        answer = await send(
            ctx.client("bhxh"),
            session,
            ctx.samples,
            kind="dossier",
            document=document,
            regulation=ctx.regulation,
        )
        if answer.accepted:
            accepted.append(f"a dossier {label} was accepted ({answer.describe()})")
        elif answer.code != "125":
            other_code.append(f"a dossier {label}: {answer.describe()}, not 125")
    if accepted:
        raise CheckFailed("; ".join(accepted), accepted)
    if other_code:  # 125 is what vendors report the portal answers [S]; a refusal is what counts
        raise CheckWarned("; ".join(other_code), other_code)
