"""Reading what a sender submitted from a simulated gateway's journal (lienthong's own API)."""

from __future__ import annotations

import base64

import httpx

from lienthong.conformance.context import Sent


async def fetch_sent(
    client: httpx.AsyncClient, admin_token: str, *, facility: str | None = None
) -> list[Sent]:
    """Every journaled submission (of ``facility`` when given), oldest first."""
    out: list[Sent] = []
    after = 0
    while True:
        params = {"after_id": str(after)} | ({"facility": facility} if facility else {})
        response = await client.get(
            "/lienthong/submissions",
            params=params,
            headers={"authorization": f"Bearer {admin_token}"},
        )
        response.raise_for_status()
        rows = response.json()["submissions"]
        if not rows:
            return out
        for row in rows:
            out.append(
                Sent(
                    row["id"],
                    row["kind"],
                    row["endpoint"],
                    row["profile"],
                    row["loai_ho_so"],
                    row["ma_cskcb"],
                    row["ma_lk"],
                    row["result_code"],
                    row["received_at"],
                    base64.b64decode(row["payload_base64"]),
                )
            )
        after = rows[-1]["id"]
