"""Locust users per actor, driven by an open model at the plan's arrival rates.

Loaded by Locust (``lienthong load run`` does it; ``locust -f`` works with the same
``LIENTHONG_LOAD_CONFIG``). Each process reads its own pre-generated data (accounts, signed
episodes with a distinct MA_LK each, citizens, patients the facilities treat), so no task
generates anything and no episode is sent twice. When Locust quits, the master (or the single
process) writes the run summary, prints the verdict of the SLO gates and sets the exit code.
"""

from __future__ import annotations

import collections
import hashlib
import itertools
import json
import math
import os
import time
import zlib
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import gevent  # type: ignore[import-untyped]
import orjson
from locust import FastHttpUser, events, task
from locust.runners import MasterRunner, WorkerRunner
from locust.stats import StatsEntry

from lienthong.load import groups as g
from lienthong.load.arrivals import Arrivals
from lienthong.load.gates import default_gates, evaluate, gates_from, passed, verdict_line
from lienthong.load.runconfig import REQUESTS_PER_TICKET, RunConfig
from lienthong.load.shape_classes import shape_class
from lienthong.load.summary import Figures, RunSummary, Stream

_CONFIG = RunConfig.from_environment()
if _CONFIG is None:
    raise SystemExit(
        "LIENTHONG_LOAD_CONFIG is not set: this locustfile runs from a run configuration. Use "
        "`lienthong load run` (it serves the network, prepares the data and runs Locust), or "
        "`lienthong load prepare --out DIR` and then `LIENTHONG_LOAD_CONFIG=DIR/config.json locust -f ...`."
    )
CONFIG: RunConfig = _CONFIG
WORKER = int(os.environ.get("LIENTHONG_WORKER_INDEX", os.environ.get("JOB_COMPLETION_INDEX", "0")))
_DATA: dict[str, Any] = json.loads(CONFIG.data_path(WORKER).read_text(encoding="utf-8"))
_ACCOUNTS = _DATA["accounts"]
_EPISODES: list[dict[str, Any]] = _DATA["episodes"]
_QUEUES: dict[str, collections.deque[dict[str, Any]]] = {}
"""This process's episodes by facility, in order: a HIS terminal sends its own facility's visits."""
for _episode in _EPISODES:
    _QUEUES.setdefault(_episode["facility"], collections.deque()).append(_episode)
_CITIZENS = itertools.cycle(_DATA["citizens"])
_PATIENTS = {a["code"]: itertools.cycle(_DATA["patients"].get(a["code"], [{}])) for a in _ACCOUNTS}
_ACCOUNT_TURN = itertools.count()
_EPISODE_TURN = itertools.count()
_STARTED_AT: list[float] = []
_STOPPED_AT: list[float] = []


_SHARE: dict[str, float] = {}
"""This process's share of each stream's users (Locust may put all of a class's users on one
worker): the share of the stream's arrivals it schedules. Kept from the last claim, so the arrivals
owed at the end are counted with the users the process had, not with none after they stopped."""


def _rate_of(stream: str) -> Callable[[float], float]:
    return lambda elapsed: (
        CONFIG.ticket_rate(stream, elapsed) * max(1, CONFIG.workers) * _SHARE.get(stream, 0.0)
    )


SHARE_REFRESH_S = 1.0
"""Seconds a count of this process's users per class is reused (while their total is unchanged)."""
_COUNTED = [-1.0, -math.inf]
"""The user total of the last count and when it was made."""


def _update_share(user: Any) -> None:
    """Recount the users per class when their total changed or the count is a second old: Locust's
    ``user_classes_count`` walks every user greenlet, and done at every arrival it took a whole core
    at the base peak (≈ 3,600 users, ≈ 1,000 arrivals/s)."""
    runner = user.environment.runner
    if runner is None:
        _SHARE[user.stream] = min(1.0, 1 / CONFIG.pool(user.stream))
        return
    now, total = time.monotonic(), len(runner.user_greenlets)
    if total == _COUNTED[0] and now - _COUNTED[1] < SHARE_REFRESH_S:
        return
    _COUNTED[:] = [total, now]
    counts = runner.user_classes_count
    for stream, kind in USERS.items():
        if stream in CONFIG.streams:
            _SHARE[stream] = min(1.0, counts.get(kind.__name__, 0) / CONFIG.pool(stream))


ARRIVALS = {
    stream: Arrivals(
        _rate_of(stream),
        CONFIG.ticket_ceiling(stream),
        seed=zlib.crc32(f"{CONFIG.seed}:{WORKER}:{stream}".encode()),
    )
    for stream in CONFIG.streams
}
_EXHAUSTED: Counter[str] = Counter()
_FROM_WORKERS: dict[str, dict[str, list[int]]] = {}

globals()[shape_class(CONFIG.shape).__name__] = shape_class(CONFIG.shape)  # the one shape Locust sees


def md5_upper(text: str) -> str:
    """The upper-case hex MD5 the BHXH gateway takes for passwords (CV 1245)."""
    return hashlib.md5(text.encode("utf-8")).hexdigest().upper()


_Task = Callable[[Any], None]


def _arrival(work: _Task) -> _Task:
    """Count the arrival as in progress while its task runs (for the stop: neither made nor missed)."""

    def run(user: Any) -> None:
        arrivals = ARRIVALS[user.stream]
        arrivals.running += 1
        try:
            work(user)
        finally:
            arrivals.running -= 1

    run.__name__, run.__doc__ = work.__name__, work.__doc__
    return run


class _Open(FastHttpUser):
    """A user of one stream: between tasks it waits for the stream's next scheduled arrival."""

    abstract = True
    stream = ""

    def wait_time(self) -> float:
        _update_share(self)
        return ARRIVALS[self.stream].claim(time.monotonic())

    def await_arrival(self) -> None:
        """Hold the user's first task for its scheduled arrival (not all at once at spawn)."""
        gevent.sleep(self.wait_time())


class _Facility(_Open):
    abstract = True
    host = CONFIG.urls.get("bhxh", "http://127.0.0.1")

    def on_start(self) -> None:
        self.account = _ACCOUNTS[next(_ACCOUNT_TURN) % len(_ACCOUNTS)]
        self.gateway = CONFIG.urls["bhxh"]
        self.session: dict[str, str] = {}

    def login(self) -> bool:
        """A session of this user's own (each user is a HIS terminal with its own token)."""
        with self.client.post(
            f"{self.gateway}/api/token/take",
            data={"username": self.account["username"], "password": md5_upper(self.account["password"])},
            name=g.TOKEN,
            catch_response=True,
        ) as response:
            body = _json(response)
            key = body.get("APIKey") or {}
            if body.get("maKetQua") != "200" or not key.get("access_token"):
                response.failure(f"token refused: {str(body)[:160]}")
                return False
            self.session = {
                "accessToken": key["access_token"],
                "tokenId": key.get("id_token", ""),
                "passwordHash": md5_upper(self.account["password"]),
            }
            return True


def _json(response: Any) -> dict[str, Any]:
    raw = response.content or b""
    try:
        body = orjson.loads(raw)  # the stdlib's json is the load generator's largest cost
    except orjson.JSONDecodeError:
        return {"_text": raw[:160].decode("utf-8", "replace"), "_status": response.status_code}
    return body if isinstance(body, dict) else {"_text": str(body)[:160]}


class VisitSender(_Facility):
    """A HIS sending each new episode: the XML0 check-in, then the signed GIAMDINHHS dossier."""

    stream = "write"

    def on_start(self) -> None:
        super().on_start()
        self.login()
        self.await_arrival()

    def _submit(self, path: str, loai: str, payload: str, name: str) -> bool:
        body = {
            "username": self.account["username"],
            "loaiHoSo": loai,
            "maTinh": self.account["code"][:2],
            "maCSKCB": self.account["code"],
            "fileHSBase64": payload,
        }
        with self.client.post(
            f"{self.gateway}{path}", json=body, headers=self.session, name=name, catch_response=True
        ) as response:
            answer = _json(response)
            if answer.get("maKetQua") == "401":
                self.session = {}
            if answer.get("maKetQua") != "200":
                response.failure(f"maKetQua {answer.get('maKetQua')!r}: {str(answer)[:160]}")
                return False
            return True

    @task
    @_arrival
    def visit(self) -> None:
        episode = _next_episode(self.account["code"])
        if episode is None:
            _EXHAUSTED["write"] += 1  # never resend: a resent MA_LK would be a replacement
            return
        turn = next(_EPISODE_TURN)
        if episode["facility"] != self.account["code"]:  # its own facility's episodes ran out
            self.account = next(a for a in _ACCOUNTS if a["code"] == episode["facility"])
            self.session = {}
        if not self.session and not self.login():
            return
        if not self._submit("/api/qd130/checkInKcbQd3176", "0", episode["checkin"], g.CHECKIN):
            return
        if not self._submit("/api/qd130/guiHoSoXmlQD3176", "130", episode["dossier"], g.DOSSIER):
            return
        if turn % CONFIG.sample_every == 0:
            gevent.spawn(self._follow, episode, time.monotonic())

    def _follow(self, episode: dict[str, Any], accepted: float) -> None:
        """Time from the dossier's acceptance until its MA_LK is in the patient's VNeID book."""
        c06, moh = CONFIG.urls["c06"], CONFIG.urls["moh"]
        with self.client.post(
            f"{c06}/api/vneid/token",
            json={"cccd": episode["cccd"], "password": episode["password"]},
            name=g.PROPAGATION_SIGN_IN,
            catch_response=True,
        ) as response:
            token = _json(response).get("access_token", "")
            if not token:
                response.failure("the patient could not sign in")
                return
        headers = {"authorization": f"Bearer {token}"}
        deadline = accepted + CONFIG.propagation_budget_s
        while time.monotonic() < deadline:
            with self.client.get(
                f"{moh}/fhir/Patient/{episode['cccd']}/$everything",
                headers=headers,
                name=g.PROPAGATION_POLL,
                catch_response=True,
            ) as response:
                if response.status_code in (200, 404):
                    response.success()
                found = response.status_code == 200 and episode["ma_lk"].encode() in (response.content or b"")
            if found:
                _fire(g.PROPAGATION, (time.monotonic() - accepted) * 1000)
                return
            gevent.sleep(0.25)
        _fire(
            g.PROPAGATION,
            CONFIG.propagation_budget_s * 1000,
            RuntimeError(f"MA_LK not in the book after {CONFIG.propagation_budget_s:.0f} s"),
        )


def _next_episode(facility: str) -> dict[str, Any] | None:
    """The next unsent episode of ``facility``, else of the facility with the most left (the user
    then changes account and opens a session), or None when all were sent. Users took the run's
    next episode whatever its facility before, so with 3 facilities two visits in three changed
    account and began with a token request the plan does not count."""
    queue = _QUEUES.get(facility)
    if not queue:
        queue = max(_QUEUES.values(), key=len, default=None)
    return queue.popleft() if queue else None


def _fire(name: str, elapsed_ms: float, exception: Exception | None = None) -> None:
    events.request.fire(  # type: ignore[no-untyped-call]
        request_type="E2E",
        name=name,
        response_time=elapsed_ms,
        response_length=0,
        exception=exception,
        context={},
    )


REFUSED_LOOKUP = frozenset({None, "", "401", "205"})
"""Look-up answers that judge no card: no answer, no session, a malformed request."""


class CardLookup(_Facility):
    """Reception looking a patient's BHYT card up at the gateway (KQNhanLichSuKCB2024)."""

    stream = "lookup"

    def on_start(self) -> None:
        super().on_start()
        self.login()
        self.await_arrival()

    @task
    @_arrival
    def look_up(self) -> None:
        if not self.session and not self.login():
            return
        patient = next(_PATIENTS[self.account["code"]])
        if not patient:
            return
        staff = self.account["staff"]
        params = {
            "token": self.session["accessToken"],
            "id_token": self.session["tokenId"],
            "username": self.account["username"],
            "password": self.session["passwordHash"],
        }
        with self.client.post(
            f"{self.gateway}/api/egw/KQNhanLichSuKCB2024",
            params=params,
            json={**patient["card"], "hoTenCb": staff[0], "cccdCb": staff[1]},
            name=g.LOOKUP,
            catch_response=True,
        ) as response:
            answer = _json(response)
            code = answer.get("maKetQua")
            if code == "401":
                self.session = {}
            # The gateway judged the card asked about (valid 000, expired 010 ...), not another one
            if code in REFUSED_LOOKUP or answer.get("maThe") != patient["card"]["maThe"]:
                response.failure(f"maKetQua {code!r}: {str(answer)[:160]}")


class TreatmentReader(_Facility):
    """A clinician reading the book of a patient the facility treats (MoH store, client credentials)."""

    stream = "facility_read"
    host = CONFIG.urls.get("moh", "http://127.0.0.1")

    def on_start(self) -> None:
        super().on_start()
        self.moh, self.token = CONFIG.urls["moh"], ""
        self.take_token()
        self.await_arrival()

    def take_token(self) -> None:
        with self.client.post(
            f"{self.moh}/oauth/token",
            data={
                "grant_type": "client_credentials",
                "client_id": self.account["code"],
                "client_secret": self.account["moh_secret"],
            },
            name=g.FACILITY_TOKEN,
            catch_response=True,
        ) as response:
            self.token = _json(response).get("access_token", "")
            if not self.token:
                response.failure(f"no facility token: {(response.text or '')[:160]}")

    @task
    @_arrival
    def read_book(self) -> None:
        if not self.token:
            self.take_token()
            return
        patient = next(_PATIENTS[self.account["code"]])
        if not patient:
            return
        with self.client.get(
            f"{self.moh}/fhir/Patient/{patient['cccd']}/$everything",
            headers={"authorization": f"Bearer {self.token}", "x-purpose-of-use": "TREAT"},
            name=g.FACILITY_BOOK,
            catch_response=True,
        ) as response:
            if response.status_code == 401:
                self.token = ""
            content = response.content or b""  # bytes: Locust's .text guesses the whole book's charset
            if response.status_code != 200 or b'"Encounter"' not in content:
                response.failure(f"HTTP {response.status_code}: {content[:160].decode('utf-8', 'replace')}")


_VIEWS = (
    (g.BOOK, "/fhir/Patient/{cccd}/$everything"),
    (g.APPOINTMENTS, "/fhir/Appointment?patient={cccd}"),
    (g.REFERRALS, "/fhir/ServiceRequest?patient={cccd}"),
    (g.LABS, "/fhir/Observation?patient={cccd}"),
    (g.VACCINATIONS, "/fhir/Immunization?patient={ward}"),
)


_VIEW_TURN = itertools.count()
_SESSION_PHASE = itertools.count()


class Citizen(_Open):
    """A citizen on VNeID: signs in at C06, then reads the book, appointments, referrals, labs and,
    as a guardian, a child's vaccinations; a new session (another citizen) every calls_per_session."""

    stream = "citizen_read"
    host = CONFIG.urls.get("moh", "http://127.0.0.1")

    def on_start(self) -> None:
        # Users begin at different points of a session (its first call still signs in), so the
        # sessions that all began at the spawn do not end together: in step, every user signed in
        # again in the same second, a wave of sign-ins each calls_per_session calls.
        self.c06, self.moh = CONFIG.urls["c06"], CONFIG.urls["moh"]
        self.calls = next(_SESSION_PHASE) % CONFIG.calls_per_session
        self.auth: dict[str, str] = {}
        self.person: dict[str, Any] = {}
        self.wards: list[str] = []
        self.first_view = 0
        self.await_arrival()

    def sign_in(self) -> None:
        self.person = next(_CITIZENS)
        self.first_view = next(_VIEW_TURN) % len(_VIEWS)  # short sessions still cover every view
        with self.client.post(
            f"{self.c06}/api/vneid/token",
            json={"cccd": self.person["cccd"], "password": self.person["password"]},
            name=g.SIGN_IN,
            catch_response=True,
        ) as response:
            answer = _json(response)
            token = answer.get("access_token", "")
            self.auth = {"authorization": f"Bearer {token}"} if token else {}
            self.wards = list(answer.get("wards", []))
            if not token:
                response.failure(f"sign-in refused: HTTP {response.status_code} {str(answer)[:160]}")

    @task
    @_arrival
    def next_call(self) -> None:
        step, self.calls = self.calls % CONFIG.calls_per_session, self.calls + 1
        if step == 0 or not self.auth:
            self.sign_in()
            return
        name, path = _VIEWS[(self.first_view + step - 1) % len(_VIEWS)]
        if name == g.VACCINATIONS and not self.wards:
            name, path = _VIEWS[0]
        url = self.moh + path.format(cccd=self.person["cccd"], ward=(self.wards or [""])[0])
        with self.client.get(url, headers=self.auth, name=name, catch_response=True) as response:
            content = response.content or b""  # looked at as bytes: no decoding of the whole book
            if response.status_code == 200 and b'"Bundle"' in content:
                response.success()
            elif name == g.BOOK and response.status_code == 404 and b"OperationOutcome" in content:
                response.success()  # a book with no visit yet is a valid answer
            else:
                if response.status_code == 401:
                    self.auth = {}
                response.failure(f"HTTP {response.status_code}: {content[:160].decode('utf-8', 'replace')}")


USERS = {
    "write": VisitSender,
    "lookup": CardLookup,
    "facility_read": TreatmentReader,
    "citizen_read": Citizen,
}
for _stream, _user in USERS.items():
    _user.weight = CONFIG.pool(_stream) if _stream in CONFIG.streams else 0
    if _stream not in CONFIG.streams:
        _user.abstract = True  # not part of this run: Locust does not start it
del _stream, _user  # Locust collects every User class bound to a module name


@events.test_start.add_listener
def _started(environment: Any, **_: Any) -> None:
    _STARTED_AT[:] = [time.monotonic()]
    _STOPPED_AT.clear()
    now = time.monotonic()
    for arrivals in ARRIVALS.values():
        arrivals.begin(now)


@events.test_stopping.add_listener
def _stopped(environment: Any, **_: Any) -> None:
    _STOPPED_AT[:] = [time.monotonic()]
    for arrivals in ARRIVALS.values():
        arrivals.in_flight_at_stop = arrivals.running


@events.test_stop.add_listener
def _final_report(environment: Any, **_: Any) -> None:
    """A worker reports its last statistics and arrival counts as soon as its users have stopped:
    Locust's master fires ``quitting`` before a worker's own final report, which would lose up to
    one report interval of requests from the summary."""
    if isinstance(environment.runner, WorkerRunner):
        environment.runner._send_stats()


def _end() -> float:
    """When the run began to stop: arrivals after it are not owed (waiting users are stopped at
    once; a request in flight then still completes and counts)."""
    return _STOPPED_AT[0] if _STOPPED_AT else time.monotonic()


@events.report_to_master.add_listener
def _report(client_id: str, data: dict[str, Any]) -> None:
    now = _end()
    data["lienthong_arrivals"] = {
        s: [a.started, a.late, _EXHAUSTED[s], a.due(now) - a.in_flight_at_stop] for s, a in ARRIVALS.items()
    }


@events.worker_report.add_listener
def _worker_report(client_id: str, data: dict[str, Any]) -> None:
    if "lienthong_arrivals" in data:
        _FROM_WORKERS[client_id] = data["lienthong_arrivals"]


def _figures(entry: StatsEntry, duration: float) -> Figures:
    return Figures(
        entry.num_requests,
        entry.num_failures,
        float(entry.get_response_time_percentile(0.5) or 0),
        float(entry.get_response_time_percentile(0.95) or 0),
        float(entry.get_response_time_percentile(0.99) or 0),
        entry.num_requests / duration if duration else 0.0,
    )


def summarise(environment: Any) -> RunSummary:
    """The run's statistics: per request name, per endpoint group, per stream (achieved vs target)."""
    duration = _end() - _STARTED_AT[0] if _STARTED_AT else 0.0
    stats = environment.stats
    grouped: dict[str, StatsEntry] = {}
    requests = {}
    for (name, _method), entry in sorted(stats.entries.items()):
        requests[name] = _figures(entry, duration)
        group = g.group_of(name)
        if group not in grouped:
            grouped[group] = StatsEntry(stats, group, "", use_response_times_cache=False)
        grouped[group].extend(entry)
    groups = {name: _figures(entry, duration) for name, entry in grouped.items()}
    now = _end()
    counts = {
        s: [a.started, a.late, _EXHAUSTED[s], a.due(now) - a.in_flight_at_stop] for s, a in ARRIVALS.items()
    }
    if isinstance(environment.runner, MasterRunner):
        counts = {s: [0, 0, 0, 0] for s in CONFIG.streams}
        for reported in _FROM_WORKERS.values():
            for s, values in reported.items():
                counts[s] = [x + y for x, y in zip(counts.get(s, [0, 0, 0, 0]), values, strict=True)]
    streams = {}
    notes = []
    for stream in CONFIG.streams:
        made = sum(groups[grp].requests for grp in g.STREAM_GROUPS[stream] if grp in groups)
        started, late, exhausted, due = counts.get(stream, [0, 0, 0, 0])
        per = REQUESTS_PER_TICKET[stream] / duration if duration else 0.0
        streams[stream] = Stream(
            CONFIG.target_rps(stream),
            made / duration if duration else 0.0,
            started,
            late,
            slack_rps=per,
            scheduled_rps=due * per,
        )
        if exhausted:
            notes.append(
                f"{stream}: the pre-generated episodes ran out; {exhausted} arrivals were not sent "
                "(no episode is ever resent as new)"
            )
        if late:
            notes.append(
                f"{stream}: {late} of {started} arrivals started over a second late (all users busy)"
            )
    errors = Counter({f"{e.name}: {e.error}"[:240]: e.occurrences for e in stats.errors.values()})
    return RunSummary(
        CONFIG.scenario,
        CONFIG.shape,
        CONFIG.scale,
        CONFIG.workers,
        duration,
        groups,
        requests,
        streams,
        dict(errors.most_common(10)),
        notes,
    )


@events.quitting.add_listener
def _gate(environment: Any, **_: Any) -> None:
    if isinstance(environment.runner, WorkerRunner):
        return
    run = summarise(environment)
    if CONFIG.summary:
        run.write(Path(CONFIG.summary))
    results = evaluate(gates_from(Path(CONFIG.gates)) if CONFIG.gates else default_gates(), run)
    print(verdict_line(results))
    environment.process_exit_code = 0 if passed(results) else 1
