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
    """The same requests in the same order (sign in, then the views, a new session every
    calls_per_session calls) with nothing around them: no answer checks, no arrival schedule.
    Locust itself counts a 404 (a book with no visit yet) as a failure here."""

    host = lienthong_users.CONFIG.urls.get("moh", "http://127.0.0.1")
    wait_time = constant(0)

    def on_start(self) -> None:
        self.calls, self.cccd, self.ward, self.auth = 0, "", "", {"authorization": ""}

    @task
    def next_call(self) -> None:
        config = lienthong_users.CONFIG
        step, self.calls = self.calls % config.calls_per_session, self.calls + 1
        if step == 0:
            person: dict[str, Any] = next(lienthong_users._CITIZENS)
            answer = self.client.post(
                f"{config.urls['c06']}/api/vneid/token",
                json={"cccd": person["cccd"], "password": person["password"]},
                name=g.SIGN_IN,
            ).json()
            self.cccd, self.ward = person["cccd"], (answer.get("wards") or [""])[0]
            self.auth = {"authorization": f"Bearer {answer.get('access_token', '')}"}
            return
        name, path = lienthong_users._VIEWS[(step - 1) % len(lienthong_users._VIEWS)]
        if name == g.VACCINATIONS and not self.ward:
            name, path = lienthong_users._VIEWS[0]
        self.client.get(path.format(cccd=self.cccd, ward=self.ward), headers=self.auth, name=name)
