"""Locust users per actor: a hospital sending check-ins and dossiers, a citizen reading the book.

Test data is made beforehand (``lienthong load`` writes it; ``LIENTHONG_LOAD_DATA`` points at it)
so no generation happens inside a task. Hosts come from ``LIENTHONG_GATEWAY``, ``LIENTHONG_C06``
and ``LIENTHONG_MOH``. SLOs are checked when Locust quits and set its exit code.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
from pathlib import Path
from typing import Any

from locust import FastHttpUser, between, events, tag, task

from lienthong.load.slo import SLO, Observed, breaches

_DATA: dict[str, Any] = (
    json.loads(Path(os.environ["LIENTHONG_LOAD_DATA"]).read_text(encoding="utf-8"))
    if os.environ.get("LIENTHONG_LOAD_DATA")
    else {"accounts": [], "dossiers": [], "citizens": []}
)
_DOSSIERS = itertools.cycle(range(max(1, len(_DATA.get("dossiers", [])))))
_CITIZENS = itertools.cycle(range(max(1, len(_DATA["citizens"]))))


class HospitalUser(FastHttpUser):
    """A facility's HIS: one session, then check-in + dossier per visit (gateway write path)."""

    host = os.environ.get("LIENTHONG_GATEWAY", "http://127.0.0.1:8080")
    wait_time = between(0.05, 0.2)
    weight = 1

    def on_start(self) -> None:
        account = _DATA["accounts"][0]
        self.account = account
        password_md5 = hashlib.md5(account["password"].encode()).hexdigest().upper()
        answer = self.client.post(
            "/api/token/take", data={"username": account["username"], "password": password_md5}
        ).json()
        key = answer.get("APIKey", {})
        self.headers = {
            "accessToken": key.get("access_token", ""),
            "tokenId": key.get("id_token", ""),
            "passwordHash": password_md5,
        }

    def _send(self, path: str, loai: str, payload: str, name: str) -> None:
        body = {
            "username": self.account["username"],
            "loaiHoSo": loai,
            "maTinh": self.account["code"][:2],
            "maCSKCB": self.account["code"],
            "fileHSBase64": payload,
        }
        with self.client.post(
            path, json=body, headers=self.headers, name=name, catch_response=True
        ) as response:
            code = response.json().get("maKetQua") if response.status_code == 200 else None
            if code != "200":
                response.failure(f"maKetQua {code}: {response.text[:200]}")

    @tag("gateway")
    @task
    def visit(self) -> None:
        item = _DATA["dossiers"][next(_DOSSIERS)]
        self._send("/api/qd130/checkInKcbQd3176", "0", item["checkin"], "checkInKcbQd3176")
        self._send("/api/qd130/guiHoSoXmlQD3176", "130", item["dossier"], "guiHoSoXmlQD3176")


class CitizenUser(FastHttpUser):
    """A citizen on VNeID: sign in (C06), then read the health book a few times (MoH)."""

    host = os.environ.get("LIENTHONG_MOH", "http://127.0.0.1:8082")
    wait_time = between(0.05, 0.2)
    weight = 3

    def on_start(self) -> None:
        person = _DATA["citizens"][next(_CITIZENS)]
        c06 = os.environ.get("LIENTHONG_C06", "http://127.0.0.1:8081")
        token = (
            self.client.post(
                f"{c06}/api/vneid/token",
                json={"cccd": person["cccd"], "password": person["password"]},
                name="vneid sign-in",
            )
            .json()
            .get("access_token", "")
        )
        self.cccd, self.auth = person["cccd"], {"authorization": f"Bearer {token}"}

    @tag("book")
    @task
    def read_book(self) -> None:
        with self.client.get(
            f"/fhir/Patient/{self.cccd}/$everything",
            headers=self.auth,
            name="/fhir/Patient/[cccd]/$everything",
            catch_response=True,
        ) as response:
            if response.status_code in (
                200,
                404,
            ):  # 404: a book with no visit yet is a valid answer
                response.success()
            else:
                response.failure(f"HTTP {response.status_code}")


@events.quitting.add_listener
def _gate(environment: Any, **_: Any) -> None:
    total = environment.stats.total
    slo = SLO(
        max_failure_ratio=float(os.environ.get("LIENTHONG_SLO_FAILURES", "0.01")),
        max_p95_ms=float(os.environ.get("LIENTHONG_SLO_P95_MS", "500")),
    )
    missed = breaches(
        slo,
        Observed(total.num_requests, total.num_failures, total.get_response_time_percentile(0.95) or 0.0),
    )
    for line in missed:
        print(f"SLO breached: {line}")
    if missed:
        environment.process_exit_code = 1
