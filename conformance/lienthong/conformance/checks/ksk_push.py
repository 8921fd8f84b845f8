"""The KSK data-sync push refuses unsigned and wrongly signed health-check files (KSK-01)."""

from __future__ import annotations

import base64
import uuid
from typing import Any

from lienthong.conformance.context import ServerContext
from lienthong.conformance.failures import CheckFailed, Skipped
from lienthong.conformance.registry import check

SENDER = "8930000010010"


def _push(signature: str | None) -> dict[str, Any]:
    message = f"{SENDER}261122{uuid.uuid4().hex}"
    data = base64.b64encode(b"<?xml version='1.0' encoding='utf-8'?><KHAMSUCKHOE/>").decode()
    body: dict[str, Any] = {
        "header": {"sender_id": SENDER, "msg_id": message, "send_datetime": 1_795_000_000_000},
        "data": data,
    }
    if signature is not None:
        body["signature"] = signature
    return body


@check(verifies=["KSK-01"], actor="moh", direction="server", fault="moh:ksk_accepts_unsigned")
async def ksk_push_needs_signature(ctx: ServerContext) -> None:
    """A KSK push without a signature, or with one that does not verify, is refused with its PS_DS code."""
    if ctx.moh_client is None:
        raise Skipped("no KSK credentials for the suite's facility were given")
    moh = ctx.client("moh")
    login = await moh.post(
        "/api/auth/login", json={"username": ctx.moh_client[0], "password": ctx.moh_client[1]}
    )
    token = (login.json().get("data") or {}).get("access_token") if login.status_code == 200 else None
    if not token:
        raise CheckFailed(f"POST /api/auth/login refused the suite's credentials: HTTP {login.status_code}")
    headers = {"authorization": f"Bearer {token}", "service-type": "100"}
    cases = [
        ("no signature", None, "PS_DS_RSA_SIGNATURE_MISSING"),
        (
            "a signature that does not verify",
            base64.b64encode(b"\x00" * 256).decode(),
            "PS_DS_RSA_SIGNATURE_INVALID",
        ),
    ]
    problems = []
    for label, signature, expected in cases:
        answer = await moh.post("/api/platform/data-sync/push", json=_push(signature), headers=headers)
        code = (
            answer.json().get("code")
            if answer.headers.get("content-type", "").startswith("application/json")
            else None
        )
        if answer.status_code < 400 or code != expected:
            problems.append(
                f"a push with {label}: HTTP {answer.status_code}, code {code!r}; expected {expected}"
            )
    if problems:
        raise CheckFailed("; ".join(problems), problems)
