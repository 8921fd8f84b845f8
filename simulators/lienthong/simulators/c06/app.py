"""C06's reference API as an ASGI app (documented in ``profiles/openapi/c06.json``).

``POST /api/identity/verify`` answers only match / mismatch / unknown / deceased / cancelled and the
names of mismatched fields, never personal data the caller did not send (data minimisation).
"""

from __future__ import annotations

import secrets

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.routing import Route

from lienthong.simulators import citizen_tokens
from lienthong.simulators._node import BadRequest, JSONAnswer, bearer, body_fields, openapi_route, same_secret
from lienthong.simulators.c06.registry import C06, C06Config, sha256
from lienthong.simulators.faults import C06Fault

_INACTIVE = {"deceased", "cancelled"}


def _error(text: str, status: int) -> JSONAnswer:
    return JSONAnswer({"error": text}, status_code=status)


def create_c06(config: C06Config | None = None) -> Starlette:
    node = C06(config or C06Config())
    cfg = node.config

    async def service_fields(request: Request) -> dict[str, str] | JSONAnswer:
        """The body of a call from the gateway, or the error answer (no service token, bad body)."""
        if not same_secret(bearer(request), cfg.service_token):
            return _error("service bearer token required", 401)
        try:
            return await body_fields(request)
        except BadRequest as exc:
            return _error(str(exc), 400)

    async def verify(request: Request) -> JSONAnswer:
        asked = await service_fields(request)
        if isinstance(asked, JSONAnswer):
            return asked
        person = node.record(asked.get("cccd", ""))
        if C06Fault.ALWAYS_MATCH in cfg.faults:
            return JSONAnswer({"result": "match", "mismatched": []})
        if person is None:
            return JSONAnswer({"result": "unknown", "mismatched": []})
        if person.status in _INACTIVE and C06Fault.VERIFIES_INACTIVE not in cfg.faults:
            return JSONAnswer({"result": person.status, "mismatched": []})
        mismatched = [
            name
            for name, mine in (
                ("ho_ten", person.name),
                ("ngay_sinh", person.dob),
                ("gioi_tinh", str(person.sex)),
            )
            if asked.get(name, "") != mine
        ]
        answer: dict[str, object] = {
            "result": "mismatch" if mismatched else "match",
            "mismatched": mismatched,
        }
        if C06Fault.LEAKS_PERSONAL_DATA in cfg.faults:
            answer |= {"dia_chi": person.address, "dien_thoai": person.phone}
        return JSONAnswer(answer)

    async def guardianship(request: Request) -> JSONAnswer:
        asked = await service_fields(request)
        if isinstance(asked, JSONAnswer):
            return asked
        wards = {w["cccd"] for w in node.wards(asked.get("guardian", ""))}
        return JSONAnswer({"result": "guardian" if asked.get("ward", "") in wards else "not-guardian"})

    async def sign_in(request: Request) -> JSONAnswer:
        try:
            asked = await body_fields(request)
        except BadRequest as exc:
            return _error(str(exc), 400)
        person = node.record(asked.get("cccd", ""))
        if (
            person is None
            or person.status != "alive"
            or not person.password_sha256
            or not secrets.compare_digest(person.password_sha256, sha256(asked.get("password", "")))
        ):
            return _error("wrong CCCD or password", 401)
        wards = [w["cccd"] for w in node.wards(person.cccd)]
        lifetime = cfg.token_lifetime
        token = citizen_tokens.issue(
            cfg.citizen_token_secret,
            person.cccd,
            now=cfg.clock.now(),
            lifetime=lifetime,
            level=person.level,
            wards=wards,
        )
        return JSONAnswer(
            {
                "access_token": token,
                "token_type": "bearer",
                "expires_in": int(lifetime.total_seconds()),
                "level": person.level,
                "wards": wards,
            }
        )

    async def account(request: Request) -> JSONAnswer:
        who = citizen_tokens.claims(cfg.citizen_token_secret, bearer(request), now=cfg.clock.now())
        if who is None:
            return _error("a valid citizen bearer token is required", 401)
        return JSONAnswer({"cccd": who.cccd, "level": who.level, "wards": node.wards(who.cccd)})

    async def health(request: Request) -> JSONAnswer:
        return JSONAnswer({"status": "ok", "node": "c06"})

    app = Starlette(
        routes=[
            Route("/api/identity/verify", verify, methods=["POST"]),
            Route("/api/guardianship/verify", guardianship, methods=["POST"]),
            Route("/api/vneid/token", sign_in, methods=["POST"]),
            Route("/api/vneid/account", account, methods=["GET"]),
            Route("/health", health, methods=["GET"]),
            openapi_route("c06"),
        ]
    )
    app.state.node = node
    return app
