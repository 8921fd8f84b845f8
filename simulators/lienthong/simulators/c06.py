"""The simulated C06 node (national population database): identity checks and VNeID sign-in.

C06 publishes no API; lienthong defines a small reference JSON API (``profiles`` documents it):
``POST /api/identity/verify`` answers only match / mismatch / unknown and the names of the
mismatched fields, never personal data the caller did not send (data minimisation).
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import Column, Integer, MetaData, String, Table, insert, select
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.routing import Route

from lienthong.simulators import citizen_tokens
from lienthong.simulators._node import BadRequest, JSONAnswer, bearer, body_fields, same_secret
from lienthong.simulators.clock import SimClock
from lienthong.simulators.population import Citizen
from lienthong.simulators.store import open_database

metadata = MetaData()
citizens = Table(
    "c06_citizens", metadata,
    Column("cccd", String(12), primary_key=True),
    Column("name", String(255), nullable=False),
    Column("dob", String(10), nullable=False),
    Column("sex", Integer, nullable=False),
    Column("address", String(1024), nullable=False),
    Column("phone", String(15), nullable=False),
    Column("password_sha256", String(64), nullable=False),
    Column("status", String(20), nullable=False, default="alive"),
)


@dataclass
class C06Config:
    database_url: str = "sqlite://"
    faults: frozenset[str] = frozenset()
    clock: SimClock = field(default_factory=SimClock)
    service_token: str = field(default_factory=lambda: secrets.token_urlsafe(16))
    citizen_token_secret: str = field(default_factory=lambda: secrets.token_urlsafe(32))


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class C06:
    def __init__(self, config: C06Config) -> None:
        self.config = config
        self.engine = open_database(config.database_url, metadata)

    def load_citizens(self, people: Iterable[Citizen]) -> int:
        """Register synthetic citizens (skipping ones already known); the number added."""
        rows = [{"cccd": p.cccd, "name": p.name, "dob": p.dob.isoformat(), "sex": p.sex,
                 "address": p.address, "phone": p.phone, "password_sha256": _sha256(p.password),
                 "status": "alive"} for p in people]
        with self.engine.begin() as db:
            known = {r.cccd for r in db.execute(select(citizens.c.cccd))}
            fresh = [row for row in rows if row["cccd"] not in known]
            if fresh:
                db.execute(insert(citizens), fresh)
        return len(fresh)


def create_c06(config: C06Config | None = None) -> Starlette:
    node = C06(config or C06Config())
    cfg = node.config

    async def verify(request: Request) -> JSONAnswer:
        if not same_secret(bearer(request), cfg.service_token):
            return JSONAnswer({"error": "service bearer token required"}, status_code=401)
        try:
            asked = await body_fields(request)
        except BadRequest as exc:
            return JSONAnswer({"error": str(exc)}, status_code=400)
        with node.engine.connect() as db:
            person = db.execute(select(citizens).where(citizens.c.cccd == asked.get("cccd", ""))).first()
        if person is None:
            return JSONAnswer({"result": "match" if "always_match" in cfg.faults else "unknown"})
        mismatched = [name for name, mine in (("ho_ten", person.name), ("ngay_sinh", person.dob),
                                              ("gioi_tinh", str(person.sex)))
                      if asked.get(name, "") != mine]
        answer: dict[str, object] = {"result": "mismatch" if mismatched else "match", "mismatched": mismatched}
        if "always_match" in cfg.faults:
            answer = {"result": "match", "mismatched": []}
        if "leaks_personal_data" in cfg.faults:
            answer |= {"dia_chi": person.address, "dien_thoai": person.phone}
        return JSONAnswer(answer)

    async def sign_in(request: Request) -> JSONAnswer:
        try:
            asked = await body_fields(request)
        except BadRequest as exc:
            return JSONAnswer({"error": str(exc)}, status_code=400)
        with node.engine.connect() as db:
            person = db.execute(select(citizens).where(citizens.c.cccd == asked.get("cccd", ""))).first()
        if person is None or not secrets.compare_digest(person.password_sha256, _sha256(asked.get("password", ""))):
            return JSONAnswer({"error": "wrong CCCD or password"}, status_code=401)
        token = citizen_tokens.issue(cfg.citizen_token_secret, person.cccd, now=cfg.clock.now())
        return JSONAnswer({"access_token": token, "token_type": "bearer", "expires_in": 3600})

    async def health(request: Request) -> JSONAnswer:
        return JSONAnswer({"status": "ok", "node": "c06"})

    app = Starlette(routes=[Route("/api/identity/verify", verify, methods=["POST"]),
                            Route("/api/vneid/token", sign_in, methods=["POST"]),
                            Route("/health", health)])
    app.state.node = node
    return app
