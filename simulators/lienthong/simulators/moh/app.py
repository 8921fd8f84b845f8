"""The simulated MoH health-book store: keeps verified visits and serves the book as FHIR R4."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import timedelta

import orjson
from sqlalchemy import insert, select, update
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.routing import Route

from lienthong.simulators import citizen_tokens
from lienthong.simulators._node import JSONAnswer, bearer, same_secret
from lienthong.simulators.clock import SimClock
from lienthong.simulators.moh import fhir
from lienthong.simulators.moh.schema import access_log, metadata, visits
from lienthong.simulators.store import open_database


@dataclass
class MoHConfig:
    database_url: str = "sqlite://"
    faults: frozenset[str] = frozenset()
    clock: SimClock = field(default_factory=SimClock)
    service_token: str = field(default_factory=lambda: secrets.token_urlsafe(16))
    citizen_token_secret: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    visibility_delay: timedelta = timedelta(0)
    """How long after storage a visit becomes visible on VNeID (must be within 24 h, QĐ 2733)."""


class FHIRAnswer(JSONAnswer):
    media_type = "application/fhir+json"


class MoHStore:
    def __init__(self, config: MoHConfig) -> None:
        self.config = config
        self.engine = open_database(config.database_url, metadata)

    def store_visit(self, visit: dict[str, object]) -> bool:
        """Insert or replace one verified visit; True when it was new."""
        summary = visit.get("summary")
        if not isinstance(summary, dict):
            raise ValueError("summary: must be the XML1 record as an object")
        now = self.config.clock.now()
        row = {"facility": str(visit.get("facility", "")), "ma_lk": str(visit.get("ma_lk", "")),
               "cccd": str(summary.get("SO_CCCD", "")), "transaction_id": str(visit.get("transaction_id", "")),
               "received_at": str(visit.get("received_at", "")), "stored_at": now,
               "visible_at": now + self.config.visibility_delay,
               "document": orjson.dumps({"summary": summary, "labs": visit.get("labs", [])}).decode()}
        with self.engine.begin() as db:
            existing = db.execute(select(visits.c.id).where(visits.c.facility == row["facility"],
                                                            visits.c.ma_lk == row["ma_lk"])).first()
            if existing is None:
                db.execute(insert(visits).values(**row, versions=1))
                return True
            db.execute(update(visits).where(visits.c.id == existing.id)
                       .values(**row, versions=visits.c.versions + 1))
        return False

    def log_read(self, actor: str, subject: str, purpose: str, path: str, outcome: str) -> None:
        with self.engine.begin() as db:
            db.execute(insert(access_log).values(at=self.config.clock.now(), actor=actor, subject=subject,
                                                 purpose=purpose, path=path, outcome=outcome))

    def book(self, cccd: str, base: str) -> dict[str, object] | None:
        """The citizen's visible visits as a searchset Bundle, or None when there is none."""
        now = self.config.clock.now()
        with self.engine.connect() as db:
            rows = db.execute(select(visits).where(visits.c.cccd == cccd).order_by(visits.c.id)).all()
        shown = [row for row in rows if _aware(row.visible_at, now) <= now]
        if not shown:
            return None
        first = orjson.loads(shown[0].document)["summary"]
        resources = [fhir.patient(cccd, first)]
        for row in shown:
            doc = orjson.loads(row.document)
            resources += fhir.visit_resources(cccd, row.id, doc["summary"], doc["labs"])
        return fhir.searchset(resources, base)


def _aware(moment, now):  # type: ignore[no-untyped-def]
    return moment if moment.tzinfo else moment.replace(tzinfo=now.tzinfo)


def create_moh(config: MoHConfig | None = None) -> Starlette:
    store = MoHStore(config or MoHConfig())
    cfg = store.config

    async def receive_visit(request: Request) -> JSONAnswer:
        if not same_secret(bearer(request), cfg.service_token):
            return JSONAnswer({"error": "service bearer token required"}, status_code=401)
        try:
            visit = orjson.loads(await request.body())
            if not isinstance(visit, dict):
                raise ValueError("body: must be a JSON object")
            if "drops_visits" in cfg.faults:
                return JSONAnswer({"stored": True}, status_code=201)
            created = store.store_visit(visit)
        except (orjson.JSONDecodeError, ValueError) as exc:
            return JSONAnswer({"error": str(exc)}, status_code=400)
        return JSONAnswer({"stored": True, "created": created}, status_code=201 if created else 200)

    async def everything(request: Request) -> JSONAnswer:
        cccd = request.path_params["cccd"]
        who = citizen_tokens.subject(cfg.citizen_token_secret, bearer(request), now=cfg.clock.now())
        path = request.url.path
        if who is None:
            store.log_read("anonymous", cccd, "citizen-book", path, "unauthenticated")
            return FHIRAnswer(_outcome("login", "a valid citizen bearer token is required"), status_code=401)
        if who != cccd:
            store.log_read(f"citizen:{who}", cccd, "citizen-book", path, "forbidden")
            return FHIRAnswer(_outcome("forbidden", "a citizen may read only their own book"), status_code=403)
        bundle = store.book(cccd, str(request.base_url).rstrip("/") + "/fhir")
        store.log_read(f"citizen:{who}", cccd, "citizen-book", path, "ok" if bundle else "not-found")
        if bundle is None:
            return FHIRAnswer(_outcome("not-found", "no visit in this book yet"), status_code=404)
        if "book_not_fhir" in cfg.faults:
            return JSONAnswer({"visits": [e["resource"] for e in bundle["entry"]]})  # type: ignore[index,union-attr]
        return FHIRAnswer(bundle)

    async def metadata_(request: Request) -> FHIRAnswer:
        return FHIRAnswer(fhir.capability_statement())

    async def health(request: Request) -> JSONAnswer:
        return JSONAnswer({"status": "ok", "node": "moh"})

    app = Starlette(routes=[Route("/internal/visits", receive_visit, methods=["POST"]),
                            Route("/fhir/Patient/{cccd}/$everything", everything),
                            Route("/fhir/metadata", metadata_), Route("/health", health)])
    app.state.node = store
    return app


def _outcome(code: str, text: str) -> dict[str, object]:
    return {"resourceType": "OperationOutcome",
            "issue": [{"severity": "error", "code": code, "diagnostics": text}]}
