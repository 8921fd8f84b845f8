"""The card and visit-history look-up (``POST /api/egw/KQNhanLichSuKCB2024``, S-API1923 [V]) as
the server checks use it, and the card holders the target knows."""

from __future__ import annotations

import unicodedata
from typing import Any

from lienthong.conformance.context import NEEDS_PATIENTS, Patient, ServerContext, lookup_fields
from lienthong.conformance.failures import CheckFailed, CheckWarned, Skipped
from lienthong.conformance.gateway_api import Answer, Session, answer_of

LOOKUP_PATH = "/api/egw/KQNhanLichSuKCB2024"
FOUND = frozenset({"000", "001", "002", "003", "004"})
"""Result codes of a card the look-up found and whose holder matched (S-API1923 [V])."""
STAFF_CODES = frozenset({"054", "055"})
"""The look-up staff member is not registered for the facility: the suite's data, not the target."""


def folded(name: str) -> str:
    return " ".join(unicodedata.normalize("NFC", name).casefold().split())


def known_patients(
    ctx: ServerContext, count: int = 1, *, valid: bool = True, at_most: int = 0
) -> list[Patient]:
    """``count`` (or up to ``at_most``) card holders the target knows whose card is (``valid``) or
    is not valid today; skips when the run has fewer than ``count`` (a real gateway knows none of
    lienthong's population unless a patients file names them)."""
    today = ctx.samples.today()

    def ok(p: Patient) -> bool:
        current = (p.gt_the_tu is None or p.gt_the_tu <= today) and (
            p.gt_the_den is None or p.gt_the_den >= today
        )
        return current if valid else p.gt_the_den is not None and p.gt_the_den < today

    chosen = [p for p in ctx.samples.patients if ok(p)]
    if len(chosen) < count:
        what = "valid card" if valid else "card past its gt_the_den"
        raise Skipped(
            f"needs {count} card holder(s) with a {what} card that the target knows; this run has "
            f"{len(chosen)} ({NEEDS_PATIENTS})"
        )
    return chosen[: max(count, at_most)]


async def lookup(
    ctx: ServerContext, session: Session | None, fields: dict[str, str], *, auth: dict[str, str] | None = None
) -> Answer:
    """One look-up with the run's staff member; ``auth`` replaces the session's query parameters."""
    staff = ctx.samples.staff
    if staff is None:
        raise Skipped("no staff member (name and CCCD) registered for card look-ups was given")
    params = auth
    if params is None and session is not None:
        params = {
            "token": session.access_token,
            "id_token": session.id_token,
            "username": session.username,
            "password": session.password_md5,
        }
    body = {**fields, "hoTenCb": staff[0], "cccdCb": staff[1]}
    return answer_of(await ctx.client("bhxh").post(LOOKUP_PATH, json=body, params=params or {}))


async def lookup_found(ctx: ServerContext, session: Session, patient: Patient) -> Answer:
    """The look-up of a known card holder; skips or warns when the target does not find them."""
    answer = await lookup(ctx, session, lookup_fields(patient))
    code = answer.code
    if answer.status != 200 or not answer.body:
        raise CheckFailed(f"the look-up of a card holder answered {answer.describe()}, not the JSON answer")
    if code in STAFF_CODES:
        raise Skipped(f"the target does not know the look-up staff member ({code}): give one it knows")
    if code == "401":
        raise CheckFailed(f"the look-up with a live session answered 401: {answer.body.get('ghiChu', '')}")
    if code not in FOUND and code != "010":
        raise CheckWarned(
            f"card {patient.bhyt} of the patients data is not found as given (maKetQua {code}, "
            f"{answer.body.get('ghiChu', '')!r}): check the patients file"
        )
    return answer


def history(answer: Answer) -> list[dict[str, Any]]:
    visits = answer.body.get("dsLichSuKCB2018") or []
    return [v for v in visits if isinstance(v, dict)] if isinstance(visits, list) else []
