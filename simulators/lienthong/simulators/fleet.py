"""A fleet of hospitals sending check-ins and dossiers on a schedule of the simulation clock.

Each facility of the fleet (``facilities.fleet_facilities``: national facilities the population
visits most, with gateway accounts and certificates when the network is built with
``NetworkConfig(fleet=N)``) has its own HIS client (``hospital.Hospital``: resends on 5xx and
timeouts, renews sessions, fixes and resends a rule rejection under the same MA_LK). Visits arrive
as a seeded Poisson process per facility (``fleet_visits.Arrivals``); the check-in is sent at the
first cost (the arrival) and the dossier when the visit ends, each when ``network.clock`` reaches it.

Which events are sent in a run depends only on the seed and the bounds, never on how fast the
machine is: events are taken in due order and each is sent by a task of its own (a dossier after
its check-in's answer). A stopped clock (``SimClock(speed=0)``) is stepped from event to event:
the fastest way to run a simulated day. With a running clock, keep the token lifetime (one simulated
hour) well above a request's wall time times ``speed``.
"""

from __future__ import annotations

import asyncio
import heapq
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import httpx

from lienthong.simulators.facilities import Facility, fleet_facilities
from lienthong.simulators.faults import fault_set
from lienthong.simulators.fleet_visits import Arrivals, as_sent, aware
from lienthong.simulators.hospital import Hospital
from lienthong.simulators.network import Network
from lienthong.simulators.visits import Visit

Answer = dict[str, Any]
POLL = 1.0
"""Longest wall-clock wait, in seconds, before looking at the clock again (it can be set or advanced)."""


@dataclass(frozen=True)
class FleetConfig:
    facilities: int = 3
    rate: float = 4.0
    """Visits arriving at each facility per simulated hour (Poisson)."""
    faults: frozenset[str] = frozenset()
    """Hospital faults every HIS of the fleet has (``faults.py``, actor ``hospital``)."""
    fix_rejected: bool = True
    retries: int = 3
    backoff: float = 0.2


@dataclass
class Summary:
    """What the fleet has done since it was made."""

    visits: int = 0
    """Visits that arrived (their check-in is due)."""
    checkins_sent: int = 0
    checkins_accepted: int = 0
    dossiers_sent: int = 0
    """Visits whose dossier was sent (a resend after a fix is not counted again)."""
    accepted: int = 0
    """Visits whose dossier the gateway accepted in the end."""
    rejected: Counter[str] = field(default_factory=Counter)
    """Refusals (check-ins and dossiers, a resend's too) by maKetQua; "" when the HIS gave up."""
    retried: int = 0
    """Resends after a 5xx, a timeout or a broken connection."""
    resent_after_fix: int = 0

    @property
    def pending(self) -> int:
        """Visits still in progress (dossier not sent yet)."""
        return self.visits - self.dossiers_sent


@dataclass(order=True)
class _Event:
    due: datetime
    order: int
    kind: str = field(compare=False)
    """``arrival`` (of ``site``) or ``discharge`` (of ``visit``)."""
    site: str = field(compare=False)
    visit: Visit | None = field(default=None, compare=False)
    checkin: asyncio.Task[None] | None = field(default=None, compare=False)


class Fleet:
    """``config.facilities`` hospitals of ``network`` sending the population's visits on schedule."""

    def __init__(
        self, network: Network, config: FleetConfig | None = None, *, client: httpx.AsyncClient | None = None
    ) -> None:
        self.network = network
        self.config = config or FleetConfig()
        seed, population = network.config.seed, network.config.population
        self.sites: list[Facility] = list(fleet_facilities(seed, population, self.config.facilities))
        missing = [site.code for site in self.sites if site.code not in network.keys]
        if missing:
            raise ValueError(
                f"facilities {', '.join(missing)} have no account: build the network with "
                f"NetworkConfig(fleet={self.config.facilities})"
            )
        faults = fault_set("hospital", self.config.faults)
        self.hospitals = {
            site.code: Hospital(
                site,
                client or network.client("bhxh"),
                network.keys[site.code],
                faults=faults,
                retries=self.config.retries,
                backoff=self.config.backoff,
                fix_rejected=self.config.fix_rejected,
            )
            for site in self.sites
        }
        self.arrivals = {
            site.code: Arrivals(seed, site.code, population, self.config.rate) for site in self.sites
        }
        self.summary = Summary()
        self.accepted: list[Visit] = []
        """Visits whose dossier was accepted, in the order the answers came."""
        self._queue: list[_Event] = []
        self._order = 0
        self._numbers: Counter[str] = Counter()
        self._ma_lks: set[str] = set()
        self._tasks: set[asyncio.Task[None]] = set()

    def _push(self, due: datetime, kind: str, site: str, **extra: Any) -> None:
        self._order += 1
        heapq.heappush(self._queue, _Event(due, self._order, kind, site, **extra))

    def _start(self) -> None:
        if self._order == 0:
            origin = self.network.clock.now()
            for code, arrivals in self.arrivals.items():
                self._push(origin + arrivals.gap(), "arrival", code)

    async def run(self, duration: timedelta) -> Summary:
        """Send everything due in the next ``duration`` of simulated time, then the answers."""
        self._start()
        end = self.network.clock.now() + duration
        await self._loop(lambda event: event.due <= end)
        await self._until(end)
        await self._settle()
        return self.summary

    async def run_until(self, visits: int, *, within: timedelta = timedelta(days=30)) -> Summary:
        """Let ``visits`` more visits arrive, then run until all of them are sent (dossiers too),
        or ``within`` of simulated time has passed."""
        self._start()
        target = self.summary.visits + visits
        end = self.network.clock.now() + within

        def due(event: _Event) -> bool:
            return event.due <= end and (event.kind == "discharge" or self.summary.visits < target)

        await self._loop(due)
        await self._settle()
        return self.summary

    async def _loop(self, wanted: Callable[[_Event], bool]) -> None:
        self._start()
        while True:
            candidates = [event for event in self._queue if wanted(event)]
            if not candidates:
                return
            event = min(candidates)
            await self._until(event.due)
            self._queue.remove(event)
            heapq.heapify(self._queue)
            if event.kind == "arrival":
                self._arrive(event)
            else:
                self._discharge(event)

    def _arrive(self, event: _Event) -> None:
        arrivals = self.arrivals[event.site]
        self._push(event.due + arrivals.gap(), "arrival", event.site)
        while True:
            self._numbers[event.site] += 1
            care = arrivals.visit(event.due, self._numbers[event.site])
            if care.ma_lk not in self._ma_lks:
                break
        self._ma_lks.add(care.ma_lk)
        visit = as_sent(care, self.hospitals[event.site].facility)
        self.summary.visits += 1
        checkin = self._spawn(self._send_checkin(event.site, visit))
        self._push(aware(care.left), "discharge", event.site, visit=visit, checkin=checkin)

    def _discharge(self, event: _Event) -> None:
        assert event.visit is not None
        self._spawn(self._send_dossier(event.site, event.visit, event.checkin))

    def _spawn(self, job: Awaitable[None]) -> asyncio.Task[None]:
        async def run() -> None:
            await job

        task = asyncio.ensure_future(run())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def _send_checkin(self, code: str, visit: Visit) -> None:
        answers = await self.hospitals[code].send_arrival(visit)
        self.summary.checkins_sent += len(answers)
        self.summary.checkins_accepted += sum(a.get("maKetQua") == "200" for a in answers)
        self._count_refusals(answers)

    async def _send_dossier(self, code: str, visit: Visit, checkin: asyncio.Task[None] | None) -> None:
        if checkin is not None:
            await asyncio.shield(checkin)
        answers = await self.hospitals[code].send_discharge(visit)
        self.summary.dossiers_sent += 1
        self.summary.resent_after_fix += len(answers) - 1
        self._count_refusals(answers)
        if answers[-1].get("maKetQua") == "200":
            self.summary.accepted += 1
            self.accepted.append(visit)

    def _count_refusals(self, answers: list[Answer]) -> None:
        self.summary.rejected.update(
            str(a.get("maKetQua", "")) for a in answers if a.get("maKetQua") != "200"
        )

    async def _until(self, moment: datetime) -> None:
        """Wait for the clock to reach ``moment``; a stopped clock (speed 0) is moved there at once."""
        clock = self.network.clock
        if clock.speed == 0:
            if moment > clock.now():
                clock.set(moment)
            return
        while (gap := (moment - clock.now()).total_seconds()) > 0:
            await asyncio.sleep(min(gap / clock.speed, POLL))

    async def _settle(self) -> None:
        while self._tasks:
            await asyncio.gather(*list(self._tasks))
        self.summary.retried = sum(hospital.retried for hospital in self.hospitals.values())
