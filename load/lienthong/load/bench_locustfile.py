"""``lienthong bench load``: lienthong's citizen user against a bare FastHttpUser making the same
requests (sign in once, then read the book), both with no wait, one class per Locust run."""

from __future__ import annotations

from typing import Any

from locust import FastHttpUser, constant, task

from lienthong.load import groups as g
from lienthong.load import locustfile as lienthong_users


class LienthongCitizen(lienthong_users.Citizen):
    """The load's own citizen, every check and the session cycle included, without waiting."""

    wait_time = constant(0)


class BareCitizen(FastHttpUser):
    """The same requests with nothing around them: no checks, no schedule."""

    host = lienthong_users.CONFIG.urls.get("moh", "http://127.0.0.1")
    wait_time = constant(0)

    def on_start(self) -> None:
        person: dict[str, Any] = next(lienthong_users._CITIZENS)
        answer = self.client.post(
            f"{lienthong_users.CONFIG.urls['c06']}/api/vneid/token",
            json={"cccd": person["cccd"], "password": person["password"]},
            name=g.SIGN_IN,
        ).json()
        self.path = f"/fhir/Patient/{person['cccd']}/$everything"
        self.auth = {"authorization": f"Bearer {answer.get('access_token', '')}"}

    @task
    def read(self) -> None:
        self.client.get(self.path, headers=self.auth, name=g.BOOK)
