"""Every rule the gateway must enforce, sent to it: one generated server check per requirement
whose catalogue duty (``gateway_duty``) is ``refuse`` or ``flag`` and which a mutation of
``profiles.mutations`` can break.

Each check sends, as a HIS would (session, check-in at the first cost, then the dossier), an
otherwise valid signed submission breaking exactly that rule, and its unmutated twin in the same
session (carrying, valid, any table the mutation had to add to break its rule):

- the broken one must not be accepted (``refuse``: a maKetQua other than 200 in the answer;
  ``flag``: refused, or flagged as rejected in the target's feedback within a bounded wait);
- the twin must be accepted, so a gateway that refuses everything fails;
- a refusal that does not name the broken field is a warning (naming it is what TT 48 Đ7 k3 c
  asks of the portal's feedback [S]; the wording is the implementer's).

A duty resting only on inference (``duty_mark`` I) gives a warning, never a failure.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from lienthong.conformance.context import ServerContext, Tables
from lienthong.conformance.failures import CheckFailed, CheckWarned, Skipped
from lienthong.conformance.gateway_api import Answer, Session, check_in, open_session, profile_of, send
from lienthong.conformance.registry import check
from lienthong.profiles import mutations, validate_checkin, validate_dossier
from lienthong.profiles.catalogue import Requirement, requirement
from lienthong.profiles.samples import EXTRA_TABLES, VARIANTS, checkins_of, extra_record

FEEDBACK_PATH = "/api/lienthong/ketQuaHoSo"
"""lienthong's feedback API (the portal shows per-record results but publishes no API for them)."""
NO_CHECKIN = mutations.NO_CHECKIN


def fault_of(req_id: str) -> str:
    """The simulated gateway's fault that skips exactly ``req_id``."""
    return "bhxh:ignores_" + req_id.lower().replace("-", "_")


def check_name(req: Requirement) -> str:
    verb = "flags" if req.gateway_duty == "flag" else "refuses"
    return f"gateway_{verb}_{req.id.lower().replace('-', '_')}"


@dataclass
class Case:
    """What one check sends: the broken submission and, after it, the twin's valid traffic."""

    what: str
    kind: str
    """Kind of the broken submission: ``checkin`` or ``dossier``."""
    broken: bytes
    twin: Tables
    twin_checkins: bool = True
    """Whether the twin's check-ins still have to be sent after the broken submission."""
    fields: tuple[str, ...] = ()
    """Fields the broken submission gets wrong (what a refusal should name)."""


def _fields_broken(document: bytes, kind: str, profile: str, req_id: str) -> tuple[str, ...] | None:
    """The fields through which ``document`` breaks ``req_id`` (as lienthong's validator reads the
    profile), or None when it does not break it (a rule that depends on the date, say)."""
    problems = (
        validate_checkin(document, profile)[1]
        if kind == "checkin"
        else validate_dossier(document, profile)[1]
    )
    mine = [v for v in problems if v.requirement == req_id]
    if not mine:
        return None
    return tuple(sorted({v.field for v in mine if not v.field.startswith("(")}))


def _case(ctx: ServerContext, req_id: str, number: int) -> Case:
    samples, profile = ctx.samples, profile_of(ctx.regulation)
    if req_id in mutations.MUTATIONS:
        # enough samples that a rule needing a rare shape (an outpatient visit without referral,
        # appointment or record summary, say) always finds one, whatever the random start
        for variant in (v for _ in range(16) for v in range(len(VARIANTS))):
            number += 1  # another sample of the shape: some lack the record a mutation needs
            twin = samples.episode(number, variant=variant, version=profile)
            broken = mutations.apply(twin, req_id)
            if broken is None:
                continue
            document = samples.seal(broken)
            fields = _fields_broken(document, "dossier", profile, req_id)
            if fields is not None:
                # A table the mutation added (valid, then broken) is in the twin too, valid: a
                # gateway that refuses every dossier carrying it does not pass.
                added = [kind for kind in broken if kind not in twin and kind in EXTRA_TABLES]
                twin |= {kind: [extra_record(kind, twin)] for kind in added}
                return Case("a dossier", "dossier", document, twin, False, fields)
        raise Skipped(f"no sample episode can be made to break {req_id} on this date")
    twin = samples.episode(number, version=profile)
    if req_id in mutations.DOSSIER_MUTATIONS:
        document = samples.seal(twin, envelope_edit=mutations.DOSSIER_MUTATIONS[req_id])
        fields = _fields_broken(document, "dossier", profile, req_id) or ()
        return Case("a dossier", "dossier", document, twin, False, fields)
    first = checkins_of(twin)[0]
    if req_id in mutations.CHECKIN_MUTATIONS:
        record = mutations.apply_checkin(first, req_id)
        if record is None:
            raise Skipped(f"no sample check-in can be made to break {req_id}")
        document = samples.checkin_document(record)
    elif req_id in mutations.CHECKIN_DOCUMENT_MUTATIONS:
        document = samples.checkin_document(first, edit=mutations.CHECKIN_DOCUMENT_MUTATIONS[req_id])
    elif req_id == NO_CHECKIN:
        return Case(
            "a non-emergency dossier sent without any check-in",
            "dossier",
            samples.seal(twin),
            twin,
            True,
            ("MA_LK",),
        )
    else:
        raise Skipped(f"no mutation breaks {req_id}")
    fields = _fields_broken(document, "checkin", profile, req_id) or ()
    return Case("a check-in", "checkin", document, twin, True, fields)


async def _flagged_later(ctx: ServerContext, session: Session, answer: Answer) -> bool | None:
    """Whether the target's feedback shows the accepted submission as rejected within
    ``ctx.feedback_wait`` seconds; None when the target offers no feedback to read."""
    client = ctx.client("bhxh")
    deadline = asyncio.get_running_loop().time() + ctx.feedback_wait
    transaction = str(answer.body.get("maGiaoDich", ""))
    while True:
        response = await client.get(
            FEEDBACK_PATH, headers=session.headers(), params={"maGiaoDich": transaction}
        )
        try:
            results = response.json().get("dsKetQua") if response.status_code == 200 else None
        except (ValueError, AttributeError):
            results = None
        if not isinstance(results, list):
            return None
        if any(r.get("trangThai") == "rejected" for r in results if isinstance(r, dict)):
            return True
        if asyncio.get_running_loop().time() >= deadline:
            return False
        await asyncio.sleep(0.2)


def _breach(req: Requirement, message: str) -> Exception:
    if req.duty_mark == "I":
        return CheckWarned(
            f"{message} (the gateway's duty to refuse it rests on inference: {req.duty_source})"
        )
    return CheckFailed(message)


def _make(req: Requirement) -> Callable[[ServerContext], Awaitable[None]]:
    async def run(ctx: ServerContext) -> None:
        if not ctx.samples.can_sign:
            raise Skipped(
                "no facility signing key was given (--key/--cert): valid submissions cannot be made"
            )
        client = ctx.client("bhxh")
        session = await open_session(client, ctx.samples)
        case = _case(ctx, req.id, secrets.randbelow(10**7))
        ma_lk = case.twin["XML1"][0]["MA_LK"]
        if case.kind == "dossier" and not case.twin_checkins:
            await check_in(client, session, ctx.samples, case.twin, ctx.regulation)
        broken = await send(
            client, session, ctx.samples, kind=case.kind, document=case.broken, regulation=ctx.regulation
        )
        if case.twin_checkins:
            await check_in(client, session, ctx.samples, case.twin, ctx.regulation)
        twin = await send(
            client,
            session,
            ctx.samples,
            kind="dossier",
            document=ctx.samples.seal(case.twin),
            regulation=ctx.regulation,
        )
        if not twin.accepted:
            raise CheckFailed(
                f"the valid twin (MA_LK {ma_lk}) of {case.what} breaking {req.id}, sent after its check-in, "
                f"was refused: {twin.describe()}; a gateway must accept valid submissions"
            )
        if broken.accepted:
            if req.gateway_duty == "flag":
                flagged = await _flagged_later(ctx, session, broken)
                if flagged:
                    return
                if flagged is None:
                    raise CheckWarned(
                        f"{case.what} breaking {req.id} ({req.title}) was accepted (MA_LK {ma_lk}); the "
                        f"portal may flag it later ({req.duty_source}), but this target offers no feedback"
                    )
            raise _breach(
                req,
                f"{case.what} breaking {req.id} ({req.title}; wrong: {', '.join(case.fields) or 'the rule'}) "
                f"was accepted: {broken.describe()}",
            )
        named = [f for f in case.fields if f.lower() in (broken.message + broken.text).lower()]
        if case.fields and not named:
            raise CheckWarned(
                f"{case.what} breaking {req.id} was refused ({broken.describe()}) but the answer does "
                f"not name the field ({', '.join(case.fields)}); the portal answers errors per field "
                "(TT 48 Đ7 k3 c)"
            )

    run.__name__ = check_name(req)
    run.__doc__ = (
        f"{'Flags' if req.gateway_duty == 'flag' else 'Refuses'} a submission breaking {req.id} "
        f"({req.title}); accepts its valid twin."
    )
    return run


GENERATED: dict[str, str] = {}
"""Check name -> requirement ID of every generated check."""
for _req in (requirement(r) for r in mutations.enforced_rules()):
    check(
        verifies=[_req.id], actor="bhxh", direction="server", fault=fault_of(_req.id), name=check_name(_req)
    )(_make(_req))
    GENERATED[check_name(_req)] = _req.id
