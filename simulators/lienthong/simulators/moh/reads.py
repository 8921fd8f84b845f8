"""The FHIR read API: who is asking, may they, what they see, and the log line of every read.

The hot path (a citizen reading their book) touches no model and no database: the book's
resources are cached per patient (``MoHStore.view``), the encoded answer per audience and
visibility stage, verified tokens per token, and the log line is written later in a batch.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable

import orjson
from starlette.requests import Request
from starlette.responses import Response

from lienthong.simulators import citizen_tokens
from lienthong.simulators._node import JSONAnswer, bearer, same_secret
from lienthong.simulators.faults import MohFault
from lienthong.simulators.moh import fhir, fhir_more, tokens
from lienthong.simulators.moh.access import PURPOSES, Caller, refusal
from lienthong.simulators.moh.config import MoHConfig
from lienthong.simulators.moh.store import MoHStore

FHIR_JSON = "application/fhir+json"


class FHIRAnswer(JSONAnswer):
    media_type = FHIR_JSON


def identify(config: MoHConfig, request: Request) -> Caller | None:
    """The caller a bearer token speaks for: a citizen, a facility or the gateway's service."""
    token = bearer(request)
    if not token:
        return None
    if same_secret(token, config.service_token):
        return Caller("service", "bhxh")
    accept = MohFault.ACCEPTS_EXPIRED_TOKENS in config.faults
    now = config.clock.now()
    found = citizen_tokens.claims(config.citizen_token_secret, token, now=now, accept_expired=accept)
    if found is not None:
        return Caller("citizen", found.cccd, wards=found.wards)
    return tokens.facility(config.token_secret, token, now=now, accept_expired=accept)


def _audience(store: MoHStore, caller: Caller) -> tuple[bool, bool]:
    """(citizen view, restricted data shown)."""
    citizen = caller.kind == "citizen"
    if citizen:
        return True, MohFault.SHOWS_RESTRICTED in store.config.faults
    return False, "system/restricted.read" in caller.scopes


def shown(store: MoHStore, caller: Caller, cccd: str) -> list[fhir.Resource]:
    """What ``caller`` sees of ``cccd``'s book: citizens never see restricted data (XML6) nor visits
    before their VNeID visibility time; facilities see restricted data only with its scope."""
    view = store.view(cccd)
    citizen, restricted_ok = _audience(store, caller)
    now = store.config.clock.now().timestamp()
    out = [
        e.resource
        for e in view.entries
        if (restricted_ok or not e.restricted) and (not citizen or e.visible_at <= now)
    ]
    if out and view.patient is not None:
        out.insert(0, view.patient)
    return out


def _refused(
    store: MoHStore,
    actor: str,
    cccd: str,
    purpose: str,
    path: str,
    outcome: str,
    status: int,
    code: str,
    text: str,
) -> FHIRAnswer:
    store.log.record(actor, cccd, purpose, path, outcome)
    headers = {"www-authenticate": 'Bearer realm="moh"'} if status == 401 else None
    return FHIRAnswer(fhir_more.outcome(code, text), status_code=status, headers=headers)


async def read(store: MoHStore, request: Request, kind: str, cccd: str) -> Caller | FHIRAnswer:
    """Authorise and log a read of ``kind`` data of ``cccd``: the caller, or the refusal."""
    config, path = store.config, request.scope["path"]
    caller = identify(config, request)
    if caller is None:
        return _refused(
            store,
            "anonymous",
            cccd,
            "",
            path,
            "unauthenticated",
            401,
            "login",
            "a valid bearer token is required (a facility token from POST /oauth/token, "
            "or a citizen token from C06)",
        )
    purpose = request.headers.get("x-purpose-of-use", "") or caller.default_purpose(cccd)
    if purpose not in PURPOSES:
        return _refused(
            store,
            caller.actor,
            cccd,
            purpose[:40],
            path,
            "bad-request",
            400,
            "invalid",
            f"X-Purpose-Of-Use {purpose[:40]!r} is not one of {', '.join(sorted(PURPOSES))}",
        )
    if (
        caller.kind == "facility"
        and not caller.has_scope(kind)
        and MohFault.IGNORES_SCOPES not in config.faults
    ):
        return _refused(
            store,
            caller.actor,
            cccd,
            purpose,
            path,
            "forbidden",
            403,
            "forbidden",
            f"the token lacks scope system/{kind}.read" + (" for every type" if kind == "*" else ""),
        )
    why = refusal(store.engine, caller, cccd, config.faults)
    if why:
        return _refused(store, caller.actor, cccd, purpose, path, "forbidden", 403, "forbidden", why)
    if MohFault.READS_NOT_LOGGED not in config.faults:
        store.log.record(caller.actor, cccd, purpose, path, "ok")
    return caller


_bases: dict[tuple[str, str], str] = {}


def base_of(request: Request) -> str:
    """``scheme://host/fhir`` without building URL objects (cached per host)."""
    scope = request.scope
    key = (scope.get("scheme", "http"), request.headers.get("host", ""))
    found = _bases.get(key)
    if found is None:
        found = _bases[key] = str(request.base_url).rstrip("/") + "/fhir"
    return found


def _bundle(
    store: MoHStore,
    caller: Caller,
    cccd: str,
    request: Request,
    key: tuple[object, ...],
    pick: Callable[[list[fhir.Resource]], list[fhir.Resource] | None],
    everything: bool = False,
) -> Response:
    """The encoded searchset of what ``pick`` keeps of the caller's view, cached per audience."""
    view = store.view(cccd)
    citizen, restricted_ok = _audience(store, caller)
    stage = bisect_right(view.moments, store.config.clock.now().timestamp()) if citizen else -1
    base = base_of(request)
    full_key = (*key, base, citizen, restricted_ok, stage)
    body = view.encoded.get(full_key)
    if body is None:
        found = pick(shown(store, caller, cccd))
        if found is None:
            return FHIRAnswer(fhir_more.outcome("not-found", "no visit in this book yet"), status_code=404)
        body = orjson.dumps(fhir_more.searchset(found, base, everything=everything))
        view.encoded[full_key] = body
    return Response(body, media_type=FHIR_JSON)


def patient_param(request: Request, kind: str) -> str:
    """The CCCD a search is about (``patient``/``subject``, or ``_id``/``identifier`` for Patient)."""
    params = request.query_params
    for name in ("_id", "identifier") if kind == "Patient" else ("patient", "subject"):
        value = params.get(name, "")
        if value:
            return value.rpartition("|")[2].rpartition("/")[2]
    return ""


async def search(store: MoHStore, request: Request, kind: str) -> Response:
    cccd = patient_param(request, kind)
    if not cccd:
        wanted = "_id or identifier" if kind == "Patient" else "patient"
        return FHIRAnswer(
            fhir_more.outcome(
                "required", f"searching {kind} needs the {wanted} parameter (no system-wide searches)"
            ),
            status_code=400,
        )
    caller = await read(store, request, kind, cccd)
    if isinstance(caller, Response):
        return caller
    category = request.query_params.get("category", "").rpartition("|")[2] if kind == "Observation" else ""

    def pick(found: list[fhir.Resource]) -> list[fhir.Resource]:
        out = [r for r in found if r["resourceType"] == kind]
        if category:
            out = [
                r
                for r in out
                if any(
                    c.get("code") == category for cat in r.get("category", []) for c in cat.get("coding", [])
                )
            ]
        return out

    return _bundle(store, caller, cccd, request, ("search", kind, category), pick)


async def patient_read(store: MoHStore, request: Request) -> Response:
    cccd = request.path_params["cccd"]
    caller = await read(store, request, "Patient", cccd)
    if isinstance(caller, Response):
        return caller
    found = shown(store, caller, cccd)
    if not found:
        return FHIRAnswer(fhir_more.outcome("not-found", f"no Patient/{cccd[:20]}"), status_code=404)
    return FHIRAnswer(found[0])


async def everything(store: MoHStore, request: Request) -> Response:
    cccd = request.path_params["cccd"]
    caller = await read(store, request, "*", cccd)
    if isinstance(caller, Response):
        return caller
    if MohFault.BOOK_NOT_FHIR in store.config.faults:
        found = shown(store, caller, cccd)
        if not found:
            return FHIRAnswer(fhir_more.outcome("not-found", "no visit in this book yet"), status_code=404)
        return JSONAnswer({"visits": found})
    return _bundle(
        store, caller, cccd, request, ("everything",), lambda found: found or None, everything=True
    )
