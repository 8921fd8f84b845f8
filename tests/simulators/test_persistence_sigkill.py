"""Killing the gateway process (SIGKILL) in the middle of a batch loses no dossier that was
answered ``maKetQua`` 200, and the HIS's resends make no duplicate record: on SQLite and on the
real PostgreSQL server."""

from __future__ import annotations

import asyncio
import base64
import secrets
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import psycopg
import pytest
from sqlalchemy import create_engine, func, select

from lienthong.simulators.facilities import facilities, facility_keys
from lienthong.simulators.gateway.schema import episodes, outbox, submissions
from lienthong.simulators.moh.schema import visits
from lienthong.simulators.network import NetworkConfig
from lienthong.simulators.population import citizens
from lienthong.simulators.serve import NodeProcesses, spawn_network
from lienthong.simulators.store import database_url
from lienthong.simulators.visits import visit_for
from tests.simulators.gateway.support import checkin_bytes, dossier_bytes, free_port_block, md5_upper

pytestmark = pytest.mark.live
SEED, BATCH, KILL_AFTER, WORKERS = 31, 48, 12, 8
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/test"


@pytest.fixture
def pg_database() -> Iterator[str]:
    """A scratch database on the local server, dropped afterwards."""
    name = f"lienthong_sigkill_{secrets.token_hex(4)}"
    try:
        admin = psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as exc:
        pytest.skip(f"PostgreSQL on 127.0.0.1:5432 is not reachable: {exc}")
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield f"postgresql://postgres@127.0.0.1:5432/{name}"
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _batch(data: Path, clock_now: object) -> tuple[dict[str, bytes], dict[str, str], list[bytes]]:
    """The dossiers (by MA_LK), the common request fields and the check-ins a HIS sends first."""
    site = facilities(SEED, 3)[0]
    key = facility_keys([site], data / "keys")[site.code]
    documents, checkins = {}, []
    for person in citizens(SEED, 0, BATCH):
        visit = visit_for(person, site, seed=SEED, number=1, arrived=clock_now)  # type: ignore[arg-type]
        documents[visit.ma_lk] = dossier_bytes(visit, key)
        if not visit.emergency:
            checkins.append(checkin_bytes(visit, key))
    common = {"username": site.username, "maTinh": site.province, "maCSKCB": site.code, "loaiHoSo": "130"}
    return documents, common, checkins


async def _check_in(url: str, checkins: list[bytes], common: dict[str, str], password: str) -> None:
    async with httpx.AsyncClient(base_url=url, timeout=10) as his:
        token = (
            await his.post(
                "/api/token/take", data={"username": common["username"], "password": md5_upper(password)}
            )
        ).json()["APIKey"]
        headers = {
            "accessToken": token["access_token"],
            "tokenId": token["id_token"],
            "passwordHash": md5_upper(password),
        }
        for document in checkins:
            answer = await his.post(
                "/api/qd130/checkInKcbQd3176",
                headers=headers,
                json={**common, "loaiHoSo": "0", "fileHSBase64": base64.b64encode(document).decode()},
            )
            assert answer.json()["maKetQua"] == "200", answer.text


async def _send_all(
    url: str, documents: dict[str, bytes], common: dict[str, str], password: str, kill: NodeProcesses | None
) -> dict[str, dict[str, str] | None]:
    """Send every dossier with WORKERS in flight; with ``kill``, SIGKILL the gateway after
    KILL_AFTER answers 200. Returns MA_LK -> answer (None when no answer came)."""
    answers: dict[str, dict[str, str] | None] = {}
    queue = list(documents.items())
    async with httpx.AsyncClient(base_url=url, timeout=10) as his:
        token = (
            await his.post(
                "/api/token/take", data={"username": common["username"], "password": md5_upper(password)}
            )
        ).json()["APIKey"]
        headers = {
            "accessToken": token["access_token"],
            "tokenId": token["id_token"],
            "passwordHash": md5_upper(password),
        }

        async def worker() -> None:
            while queue:
                ma_lk, document = queue.pop(0)
                try:
                    response = await his.post(
                        "/api/qd130/guiHoSoXmlQD3176",
                        headers=headers,
                        json={**common, "fileHSBase64": base64.b64encode(document).decode()},
                    )
                    answers[ma_lk] = response.json()
                except httpx.HTTPError:
                    answers[ma_lk] = None
                accepted = sum(1 for a in answers.values() if a and a["maKetQua"] == "200")
                if kill is not None and accepted >= KILL_AFTER and kill.processes["bhxh"].poll() is None:
                    kill.kill("bhxh")

        await asyncio.gather(*(worker() for _ in range(WORKERS)))
    return answers


def _crash_and_recover(config: NetworkConfig) -> None:
    assert config.data_dir is not None
    with spawn_network(config, port=free_port_block(3)) as nodes:
        site = facilities(SEED, 3)[0]
        documents, common, checkins = _batch(config.data_dir, nodes.spec.clock().now())
        asyncio.run(_check_in(nodes.urls["bhxh"], checkins, common, site.password))
        first = asyncio.run(_send_all(nodes.urls["bhxh"], documents, common, site.password, nodes))
        assert nodes.processes["bhxh"].poll() is not None, "the gateway was killed mid-batch"
        accepted = {ma_lk: a["maGiaoDich"] for ma_lk, a in first.items() if a and a["maKetQua"] == "200"}
        assert KILL_AFTER <= len(accepted) < BATCH, f"{len(accepted)} accepted before the kill"
        nodes.start("bhxh")
        admin = {"authorization": f"Bearer {nodes.spec.secrets['admin']}"}
        for ma_lk, transaction in accepted.items():  # nothing answered 200 was lost
            kept = httpx.get(
                f"{nodes.urls['bhxh']}/lienthong/transactions/{transaction}", headers=admin
            ).json()
            assert (kept.get("maKetQua"), kept.get("MA_LK")) == ("200", ma_lk), kept
        second = asyncio.run(_send_all(nodes.urls["bhxh"], documents, common, site.password, None))
        assert all(a and a["maKetQua"] == "200" for a in second.values()), second
        _wait_for_forwards(
            config, database_url(config.database_url or f"sqlite:///{config.data_dir}/gateway.sqlite")
        )
    gateway_db = create_engine(
        database_url(config.database_url or f"sqlite:///{config.data_dir}/gateway.sqlite")
    )
    moh_db = create_engine(database_url(config.database_url or f"sqlite:///{config.data_dir}/moh.sqlite"))
    with gateway_db.connect() as db:
        per_episode = db.execute(select(episodes.c.ma_lk, episodes.c.versions)).all()
        forwards = db.execute(select(func.count()).select_from(outbox)).scalar_one()
        refused = set(
            db.execute(
                select(submissions.c.ma_lk)
                .join(outbox, outbox.c.submission_id == submissions.c.id)
                .where(outbox.c.status == "identity_rejected")
            ).scalars()
        )
    with moh_db.connect() as db:
        stored = db.execute(select(visits.c.ma_lk)).scalars().all()
    gateway_db.dispose()
    moh_db.dispose()
    assert sorted(r.ma_lk for r in per_episode) == sorted(documents), "one episode per MA_LK"
    assert forwards == sum(r.versions for r in per_episode), "one queued forward per accepted version"
    assert len(stored) == len(set(stored)), "no visit twice in the MoH store"
    assert sorted(stored) == sorted(set(documents) - refused), "every verified visit reached the store"
    assert len(refused) < BATCH // 4


def _wait_for_forwards(config: NetworkConfig, url: str) -> None:
    engine = create_engine(url)
    deadline = time.monotonic() + 60
    try:
        while time.monotonic() < deadline:
            with engine.connect() as db:
                pending = db.execute(
                    select(func.count()).select_from(outbox).where(outbox.c.status == "pending")
                ).scalar_one()
            if pending == 0:
                return
            time.sleep(0.2)
        pytest.fail(f"{pending} forward(s) still not delivered after 60 s")
    finally:
        engine.dispose()


def test_sigkill_loses_nothing_accepted_on_sqlite(tmp_path: Path) -> None:
    _crash_and_recover(NetworkConfig(seed=SEED, population=BATCH, data_dir=tmp_path))


@pytest.mark.postgres
def test_sigkill_loses_nothing_accepted_on_postgresql(tmp_path: Path, pg_database: str) -> None:
    _crash_and_recover(
        NetworkConfig(seed=SEED, population=BATCH, data_dir=tmp_path, database_url=pg_database)
    )
