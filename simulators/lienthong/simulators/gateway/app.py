"""The simulated BHXH gateway as an ASGI app: the real BHXH API plus lienthong's journal API."""

from __future__ import annotations

import asyncio
import base64
import contextlib
from collections.abc import AsyncIterator
from datetime import UTC

from sqlalchemy import insert, select
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp

from lienthong.profiles.tables import DEFAULT_VERSION, VERSIONS
from lienthong.simulators._node import BadRequest, JSONAnswer, bearer, body_fields, openapi_route, same_secret
from lienthong.simulators.facilities import md5_upper
from lienthong.simulators.faults import BhxhFault, UnknownFault
from lienthong.simulators.gateway.cards import RESULTS, CardRegister
from lienthong.simulators.gateway.config import GatewayConfig
from lienthong.simulators.gateway.faults import (
    request_faults,
    service_unavailable,
    unknown_fault_answer,
)
from lienthong.simulators.gateway.feedback import FEEDBACK_PATH, feedback
from lienthong.simulators.gateway.forwarding import Links, deliver_due, pending_count
from lienthong.simulators.gateway.intake import MALFORMED, forget_certificates
from lienthong.simulators.gateway.journal import GroupCommit
from lienthong.simulators.gateway.lookup import lookup
from lienthong.simulators.gateway.schema import accounts, certificates, metadata, outbox, staff, submissions
from lienthong.simulators.gateway.sessions import forget_sessions, open_session
from lienthong.simulators.gateway.submission_route import GatewayApp, Submissions
from lienthong.simulators.store import open_database

MAX_ROW_ID = 2**63 - 1
"""Largest row id the journal can hold (64-bit signed, SQLite and PostgreSQL alike)."""
REGULATIONS = ("130", "4750", "3176")
LOOKUP_PATH = "/api/egw/KQNhanLichSuKCB2024"


def profile_for(regulation: str) -> str:
    """The validation profile of an endpoint family (``qd3176`` for ``...QD3176``)."""
    name = f"qd{regulation}"
    return name if name in VERSIONS else DEFAULT_VERSION


class Gateway:
    """State and behaviour of one simulated gateway."""

    def __init__(self, config: GatewayConfig) -> None:
        self.config = config
        self.engine = open_database(config.database_url, metadata, synchronous=config.synchronous)
        self.journal = GroupCommit(self.engine)
        """Journal writes of concurrent submissions, committed together (answers wait for it)."""
        self.links: Links | None = None
        self.cards = CardRegister(config.seed, config.population)

    def register_account(self, username: str, password: str, facility: str) -> None:
        with self.engine.begin() as db:
            if db.execute(select(accounts).where(accounts.c.username == username)).first() is None:
                db.execute(
                    insert(accounts).values(
                        username=username, password_md5=md5_upper(password), facility=facility
                    )
                )
        forget_sessions(self.engine)

    def register_certificate(self, facility: str, cert_pem: bytes) -> None:
        """Accept signatures made with ``cert_pem`` for ``facility`` (idempotent, for restarts)."""
        pem = cert_pem.decode("ascii")
        with self.engine.begin() as db:
            known = db.execute(
                select(certificates.c.id).where(
                    certificates.c.facility == facility, certificates.c.cert_pem == pem
                )
            ).first()
            if known is None:
                db.execute(insert(certificates).values(facility=facility, cert_pem=pem))
        forget_certificates(self.engine)

    def register_staff(self, facility: str, cccd: str, name: str) -> None:
        """Let a staff member of ``facility`` look cards up (idempotent)."""
        with self.engine.begin() as db:
            if (
                db.execute(
                    select(staff.c.cccd).where(staff.c.facility == facility, staff.c.cccd == cccd)
                ).first()
                is None
            ):
                db.execute(insert(staff).values(facility=facility, cccd=cccd, name=name))

    async def drain(self, *, rounds: int = 50) -> int:
        """Deliver everything due now (tests and ``lienthong run``); the number still pending."""
        if self.links is None:
            raise RuntimeError("the gateway has no links to C06 and the MoH store")
        for _ in range(rounds):
            if not await deliver_due(self.engine, self.config, self.links):
                break
        return pending_count(self.engine)


def create_gateway(config: GatewayConfig | None = None, *, pump: bool = False) -> Starlette:
    """The gateway app; with ``pump`` it drains its outbox in the background while served."""
    gateway = Gateway(config or GatewayConfig())
    cfg = gateway.config

    async def token_take(request: Request) -> Response:
        try:
            faults = request_faults(cfg, request)
            fields = await body_fields(request)
        except UnknownFault as exc:
            return unknown_fault_answer(exc)
        except BadRequest as exc:
            return JSONAnswer({"maKetQua": MALFORMED, "thongDiep": str(exc)})
        if BhxhFault.SERVER_ERROR in faults:
            return service_unavailable()
        expires = cfg.clock.now() + cfg.token_lifetime
        tokens = open_session(
            gateway.engine,
            fields.get("username", ""),
            fields.get("password", ""),
            expires_at=expires,
            any_password=BhxhFault.ACCEPTS_ANY_PASSWORD in faults,
        )
        if tokens is None:
            return JSONAnswer(
                {
                    "maKetQua": "401",
                    "thongDiep": "Chưa xác thực (unauthenticated): "
                    "wrong username or password (password must be the upper-case MD5 hex)",
                }
            )
        key = {
            "access_token": tokens[0],
            "id_token": tokens[1],
            "token_type": "bearer",
            "username": fields["username"],
            "expires_in": expires.astimezone(UTC).isoformat(),
        }
        if BhxhFault.TOKEN_MISSING_FIELDS in faults:
            del key["id_token"], key["expires_in"]
        return JSONAnswer({"maKetQua": "200", "APIKey": key})

    def admin(request: Request) -> bool:
        return same_secret(bearer(request), cfg.admin_token)

    async def journal(request: Request) -> JSONAnswer:
        if not admin(request):
            return JSONAnswer({"error": "admin bearer token required"}, status_code=401)
        raw = request.query_params.get("after_id", "0") or "0"
        if not raw.isdigit() or int(raw) > MAX_ROW_ID:
            return JSONAnswer(
                {"error": f"after_id = {raw!r}: must be a whole number from 0 to {MAX_ROW_ID}"},
                status_code=400,
            )
        after = int(raw)
        query = select(submissions).where(submissions.c.id > after).order_by(submissions.c.id).limit(1000)
        if facility := request.query_params.get("facility"):
            query = query.where(submissions.c.ma_cskcb == facility)
        with gateway.engine.connect() as db:
            rows = db.execute(query).mappings().all()
        return JSONAnswer(
            {
                "submissions": [
                    {
                        **{str(k): v for k, v in row.items() if k != "payload"},
                        "received_at": row["received_at"].isoformat(),
                        "payload_base64": base64.b64encode(row["payload"]).decode("ascii"),
                    }
                    for row in rows
                ]
            }
        )

    async def transaction(request: Request) -> JSONAnswer:
        if not admin(request):
            return JSONAnswer({"error": "admin bearer token required"}, status_code=401)
        with gateway.engine.connect() as db:
            row = db.execute(
                select(
                    submissions.c.id,
                    submissions.c.result_code,
                    submissions.c.message,
                    submissions.c.ma_lk,
                    submissions.c.kind,
                )
                .where(submissions.c.transaction_id == request.path_params["tx"])
                .order_by(submissions.c.id.desc())
            ).first()
            forward = (
                db.execute(select(outbox.c.status).where(outbox.c.submission_id == row.id)).first()
                if row
                else None
            )
        if row is None:
            return JSONAnswer({"error": "unknown maGiaoDich"}, status_code=404)
        return JSONAnswer(
            {
                "maGiaoDich": request.path_params["tx"],
                "maKetQua": row.result_code,
                "thongDiep": row.message,
                "MA_LK": row.ma_lk,
                "kind": row.kind,
                "forward": forward.status if forward else None,
            }
        )

    async def card_lookup(request: Request) -> Response:
        try:
            faults = request_faults(cfg, request)
            body = await body_fields(request)
        except UnknownFault as exc:
            return unknown_fault_answer(exc)
        except BadRequest as exc:
            return JSONAnswer({"maKetQua": "205", "ghiChu": f"{RESULTS['205']}: {exc}"})
        if BhxhFault.SERVER_ERROR in faults:
            return service_unavailable()
        return JSONAnswer(
            lookup(gateway.engine, cfg, gateway.cards, dict(request.query_params), body, faults)
        )

    async def facility_feedback(request: Request) -> Response:
        try:
            faults = request_faults(cfg, request)
        except UnknownFault as exc:
            return unknown_fault_answer(exc)
        return JSONAnswer(
            feedback(gateway.engine, cfg, dict(request.headers), dict(request.query_params), faults)
        )

    async def health(request: Request) -> JSONAnswer:
        return JSONAnswer({"status": "ok", "node": "bhxh"})

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        task = asyncio.create_task(_pump(gateway)) if pump else None
        yield
        if task:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    routes = [
        Route("/api/token/take", token_take, methods=["POST"]),
        Route(LOOKUP_PATH, card_lookup, methods=["POST"]),
        Route(FEEDBACK_PATH, facility_feedback),
        Route("/lienthong/submissions", journal),
        Route("/lienthong/transactions/{tx}", transaction),
        Route("/health", health),
        openapi_route("bhxh"),
    ]
    submissions_api = Submissions(gateway.journal, cfg)
    fast: dict[str, ASGIApp] = {}
    for regulation in REGULATIONS:
        for kind, path in (
            ("checkin", f"/api/qd130/checkInKcbQd{regulation}"),
            ("dossier", f"/api/qd130/guiHoSoXmlQD{regulation}"),
        ):
            routes.append(submissions_api.route(kind, profile_for(regulation), path))
            fast[path] = submissions_api.raw(kind, profile_for(regulation), path)
    app = GatewayApp(routes=routes, lifespan=lifespan, fast=fast)
    app.state.node = gateway
    return app


async def _pump(gateway: Gateway) -> None:
    while True:
        if gateway.links is not None:
            with contextlib.suppress(Exception):  # a sweep that fails is retried at the next one
                await deliver_due(gateway.engine, gateway.config, gateway.links)
        await asyncio.sleep(gateway.config.forward_interval)
