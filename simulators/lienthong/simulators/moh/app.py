"""The simulated MoH health-book store as an ASGI app (``profiles/openapi/moh.json``): the FHIR R4
sharing API, client-credentials tokens, consents, the access log, the KSK push, and the
``/internal`` endpoints the gateway delivers verified visits to."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from functools import partial

import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from lienthong.simulators._node import JSONAnswer, bearer, openapi_route, same_secret
from lienthong.simulators.faults import MohFault
from lienthong.simulators.moh import consents, ksk, reads
from lienthong.simulators.moh.clients import token_endpoint
from lienthong.simulators.moh.config import MoHConfig
from lienthong.simulators.moh.fhir_more import SEARCHABLE, capability_statement
from lienthong.simulators.moh.reads import FHIRAnswer
from lienthong.simulators.moh.store import MoHStore

Handler = Callable[[MoHStore, Request], Awaitable[Response]]


def _internal(store: MoHStore, request: Request) -> JSONAnswer | None:
    if same_secret(bearer(request), store.config.service_token):
        return None
    return JSONAnswer({"error": "service bearer token required"}, status_code=401)


async def receive_visit(store: MoHStore, request: Request) -> Response:
    refused = _internal(store, request)
    if refused:
        return refused
    try:
        visit = orjson.loads(await request.body())
        if not isinstance(visit, dict):
            raise ValueError("body: must be a JSON object")
        if MohFault.DROPS_VISITS in store.config.faults:
            return JSONAnswer({"stored": True}, status_code=201)
        created = store.store_visit(visit)
    except (orjson.JSONDecodeError, ValueError) as exc:
        return JSONAnswer({"error": str(exc)}, status_code=400)
    return JSONAnswer({"stored": True, "created": created}, status_code=201 if created else 200)


async def visit_status(store: MoHStore, request: Request) -> Response:
    refused = _internal(store, request)
    if refused:
        return refused
    found = store.visit_status(request.path_params["facility"], request.path_params["ma_lk"])
    if found is None:
        return JSONAnswer({"error": "no such visit"}, status_code=404)
    return JSONAnswer(found)


def create_moh(config: MoHConfig | None = None) -> Starlette:
    store = MoHStore(config or MoHConfig())

    def bind(handler: Handler) -> Callable[[Request], Awaitable[Response]]:
        return partial(handler, store)

    def search(kind: str) -> Route:
        return Route(f"/fhir/{kind}", partial(reads.search, store, kind=kind), methods=["GET"])

    async def metadata(request: Request) -> FHIRAnswer:
        return FHIRAnswer(capability_statement())

    async def token(request: Request) -> JSONAnswer:
        return await token_endpoint(store.engine, store.config, request)

    async def health(request: Request) -> JSONAnswer:
        return JSONAnswer({"status": "ok", "node": "moh"})

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        store.log.flush()

    routes = [
        Route("/internal/visits", bind(receive_visit), methods=["POST"]),
        Route("/internal/visits/{facility}/{ma_lk}", bind(visit_status), methods=["GET"]),
        Route("/oauth/token", token, methods=["POST"]),
        Route("/fhir/metadata", metadata, methods=["GET"]),
        Route("/fhir/Patient/{cccd}/$everything", bind(reads.everything), methods=["GET"]),
        Route("/fhir/Patient/{cccd}", bind(reads.patient_read), methods=["GET"]),
        *(search(kind) for kind in SEARCHABLE),
        Route("/api/consents", bind(consents.list_consents), methods=["GET"]),
        Route("/api/consents", bind(consents.grant), methods=["POST"]),
        Route("/api/consents/{patient}/{facility}", bind(consents.revoke), methods=["DELETE"]),
        Route("/api/access-log", bind(consents.access_log), methods=["GET"]),
        Route("/api/auth/login", bind(ksk.login), methods=["POST"]),
        Route("/api/platform/data-sync/push", bind(ksk.push), methods=["POST"]),
        Route("/health", health, methods=["GET"]),
        openapi_route("moh"),
    ]
    app = Starlette(routes=routes, lifespan=lifespan)
    app.state.node = store
    return app
