"""Bad input is refused with a message naming the field and the rule (API-06, SIG-02)."""

from __future__ import annotations

import base64

from lienthong.conformance.context import ServerContext, Tables
from lienthong.conformance.failures import CheckFailed, Skipped
from lienthong.conformance.gateway_api import open_session, submit
from lienthong.conformance.registry import check


def _drop_ma_lk(tables: Tables) -> None:
    tables["XML1"][0]["MA_LK"] = ""


def _loaihoso_xml99(document: bytes) -> bytes:
    return document.replace(b"<LOAIHOSO>XML1</LOAIHOSO>", b"<LOAIHOSO>XML99</LOAIHOSO>", 1)


@check(verifies=["API-06"], actor="bhxh", direction="server", fault="bhxh:accepts_malformed")
async def malformed_submissions_rejected(ctx: ServerContext) -> None:
    """Not base64, not XML, a wrong LOAIHOSO and a missing MA_LK are each refused, and the
    thongDiep names the field and the rule."""
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
    problems = []
    for label, payload, words in cases:
        answer = await submit(
            ctx.client("bhxh"),
            session,
            ctx.samples,
            kind="dossier",
            regulation=ctx.regulation,
            **payload,
        )  # type: ignore[arg-type]
        message = str(answer.get("thongDiep", ""))
        if answer.get("maKetQua") == "200":
            problems.append(f"{label}: accepted (maKetQua 200)")
        elif not all(word.lower() in message.lower() for word in words):
            problems.append(f"{label}: thongDiep {message[:160]!r} does not name {', '.join(words)}")
    if problems:
        raise CheckFailed(f"{len(problems)} of {len(cases)} bad submissions handled wrongly", problems)


@check(verifies=["SIG-02"], actor="bhxh", direction="server", fault="bhxh:signature_not_checked")
async def bad_signature_refused(ctx: ServerContext) -> None:
    """A dossier altered after signing, and one with no signature, are refused with maKetQua 125."""
    if not ctx.samples.can_sign:
        raise Skipped("no facility signing key was given (--key/--cert), so a valid signature cannot be made")
    session = await open_session(ctx.client("bhxh"), ctx.samples)
    signed = ctx.samples.dossier(48)
    tampered = signed.replace(b"<NGAYLAP>", b"<NGAYLAP>1", 1)
    problems = []
    for label, document in (
        ("altered after signing", tampered),
        ("unsigned", ctx.samples.dossier(49, signed=False)),
    ):
        answer = await submit(
            ctx.client("bhxh"),
            session,
            ctx.samples,
            kind="dossier",
            document=document,
            regulation=ctx.regulation,
        )
        if answer.get("maKetQua") != "125":
            problems.append(f"a dossier {label}: maKetQua = {answer.get('maKetQua')!r}; expected '125'")
    if problems:
        raise CheckFailed("; ".join(problems), problems)
