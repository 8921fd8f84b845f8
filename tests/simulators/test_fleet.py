"""The fleet: hospitals of the population's facilities sending its visits on the simulation clock's
schedule, through gateway errors, without duplicating an episode."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import datetime, timedelta

import httpx
import pytest
from sqlalchemy import select

from lienthong.simulators.clock import VN_TZ
from lienthong.simulators.facilities import fleet_facilities
from lienthong.simulators.fleet import Fleet, FleetConfig, Summary
from lienthong.simulators.fleet_visits import Arrivals
from lienthong.simulators.gateway.schema import episodes
from lienthong.simulators.network import Network, NetworkConfig, build_network

START = datetime(2026, 3, 2, 7, 30, tzinfo=VN_TZ)
SEED, POPULATION, RATE = 7, 60, 3.0


def _network(speed: float = 0.0) -> Network:
    return build_network(NetworkConfig(seed=SEED, population=POPULATION, fleet=3, start=START, speed=speed))


def _expected_arrivals(duration: timedelta) -> int:
    """Arrivals within ``duration``, from the same seeded streams the fleet uses."""
    total = 0
    for site in fleet_facilities(SEED, POPULATION, 3):
        stream, elapsed = Arrivals(SEED, site.code, POPULATION, RATE), timedelta(0)
        while (elapsed := elapsed + stream.gap()) <= duration:
            total += 1
    return total


def _run(network: Network, duration: timedelta, config: FleetConfig | None = None) -> tuple[Fleet, Summary]:
    fleet = Fleet(network, config or FleetConfig(facilities=3, rate=RATE))

    async def go() -> Summary:
        summary = await fleet.run(duration)
        await network.drain()
        return summary

    return fleet, asyncio.run(go())


def _episodes(network: Network) -> list[str]:
    with network.gateway.engine.connect() as db:
        return [row.ma_lk for row in db.execute(select(episodes.c.ma_lk))]


def test_a_fleet_sends_the_scheduled_visits_deterministically() -> None:
    duration = timedelta(hours=3)
    runs = []
    for _ in range(2):
        network = _network()
        fleet, summary = _run(network, duration)
        asyncio.run(network.aclose())
        runs.append(([v.ma_lk for v in fleet.accepted], summary))
    (first, summary), (second, again) = runs
    assert summary.visits == _expected_arrivals(duration) > 0
    assert summary.checkins_sent == summary.checkins_accepted == summary.visits
    assert summary.dossiers_sent + summary.pending == summary.visits
    assert summary.accepted == summary.dossiers_sent > 0  # the population's dossiers pass validation
    assert summary.rejected == Counter()
    assert summary.resent_after_fix == 0
    assert sorted(first) == sorted(second)
    assert summary == again


def test_a_sped_up_clock_sends_the_same_number_of_visits() -> None:
    network = _network(speed=3600.0)  # one simulated hour a second
    duration = timedelta(minutes=40)
    _, summary = _run(network, duration)
    asyncio.run(network.aclose())
    assert summary.visits == _expected_arrivals(duration)


def test_accepted_visits_reach_the_citizens_book() -> None:
    network = _network()
    fleet, _ = _run(network, timedelta(hours=6))
    kinds = Counter(kind for visit in fleet.accepted for kind in visit.tables)
    assert kinds["XML4"] > 0, "lab results from the care model flow through the chain"
    assert set(_episodes(network)) == {visit.ma_lk for visit in fleet.accepted}

    async def books() -> dict[str, set[str]]:
        app, seen = network.vneid(), {}
        try:
            for visit in fleet.accepted[:: max(1, len(fleet.accepted) // 4)]:
                await app.sign_in(visit.citizen.cccd, visit.citizen.password)
                seen[visit.ma_lk] = {v.ma_lk for v in await app.visits()}
        finally:
            await network.aclose()
        return seen

    checked = asyncio.run(books())
    assert len(checked) >= 3
    for ma_lk, book in checked.items():
        assert ma_lk in book


class _LostAnswers(httpx.AsyncBaseTransport):
    """Every third dossier reaches the gateway, but its answer is lost (a 503 from a proxy)."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner, self.dossiers = inner, 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        if "guiHoSoXml" in request.url.path:
            self.dossiers += 1
            if self.dossiers % 3 == 0:
                await response.aread()
                return httpx.Response(503, text="upstream timed out")
        return response


def test_lost_answers_are_resent_without_a_duplicate_episode() -> None:
    network = _network()
    client = httpx.AsyncClient(
        transport=_LostAnswers(httpx.ASGITransport(app=network.apps["bhxh"])),
        base_url="http://bhxh.lienthong.test",
    )
    fleet = Fleet(network, FleetConfig(facilities=3, rate=RATE, backoff=0.0), client=client)

    async def go() -> Summary:
        try:
            return await fleet.run(timedelta(hours=3))
        finally:
            await client.aclose()
            await network.aclose()

    summary = asyncio.run(go())
    assert summary.retried > 0
    assert summary.accepted == summary.dossiers_sent > 0
    kept = _episodes(network)
    assert sorted(kept) == sorted({visit.ma_lk for visit in fleet.accepted}), "one episode per MA_LK"


def test_rule_rejections_are_fixed_and_resent_under_the_same_ma_lk() -> None:
    network = _network()
    config = FleetConfig(facilities=3, rate=RATE, faults=frozenset({"two_main_diagnoses"}))
    _, summary = _run(network, timedelta(hours=3), config)
    asyncio.run(network.aclose())
    assert summary.dossiers_sent > 0
    assert summary.rejected == Counter({"422": summary.dossiers_sent})
    assert summary.resent_after_fix == summary.accepted == summary.dossiers_sent
    kept = _episodes(network)
    assert len(kept) == len(set(kept)) == summary.accepted


def test_run_until_stops_after_that_many_visits() -> None:
    network = _network()
    fleet = Fleet(network, FleetConfig(facilities=3, rate=RATE))

    async def go() -> Summary:
        try:
            return await fleet.run_until(5)
        finally:
            await network.aclose()

    summary = asyncio.run(go())
    assert summary.visits == summary.dossiers_sent == summary.accepted == 5


def test_a_fleet_needs_accounts_for_its_facilities() -> None:
    network = build_network(NetworkConfig(seed=SEED, population=POPULATION))
    with pytest.raises(ValueError, match="fleet=3"):
        Fleet(network, FleetConfig(facilities=3))


def test_replayed_visits_carry_a_card_valid_on_the_day_they_begin() -> None:
    # A child's TE card ends at 72 months; replaying such a child's visit later in the year gave
    # a clean corpus dossiers CARD-02 refuses (GT_THE_DEN before NGAY_VAO).
    stream = Arrivals(7, "79244", 2000, 1.0)
    start = datetime(2026, 1, 5, 7, 0, tzinfo=VN_TZ)
    for number in range(1, 400):
        visit = stream.visit(start + timedelta(hours=5 * number), number)
        card = visit.citizen
        if card.card_to is not None:
            assert card.card_from is None or card.card_from <= visit.arrived.date() <= card.card_to


def test_nobody_arrives_twice_in_the_same_minute_at_one_facility() -> None:
    # A small population and many arrivals a minute: one citizen drawn twice in one minute was the
    # same visit (patient, NGAY_VAO, MA_LOAI_KCB) sent twice, a TRAFFIC-02 nobody seeded.
    stream = Arrivals(7, "40162", 300, 1.0)
    start = datetime(2026, 1, 17, 23, 5, tzinfo=VN_TZ)
    seen = Counter(
        (visit.citizen.index, visit.arrived) for visit in (stream.visit(start, n) for n in range(1, 60))
    )
    assert max(seen.values()) == 1
