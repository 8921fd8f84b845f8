"""Concurrent submissions are journaled in shared transactions, and none is answered before its
own transaction has committed; sessions kept in memory still end when revoked or expired."""

from __future__ import annotations

import asyncio
import secrets
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest
from sqlalchemy import create_engine, event, func, select

from lienthong.simulators.gateway import journal as journal_module
from lienthong.simulators.gateway.journal import Entry, GroupCommit, _write_core, write_entries
from lienthong.simulators.gateway.schema import episodes, metadata, outbox, submissions
from lienthong.simulators.gateway.sessions import revoke_session
from lienthong.simulators.network import Network, NetworkConfig, build_network
from lienthong.simulators.store import database_url, open_database
from tests.simulators.gateway.support import checkin_bytes, dossier_bytes, vendor

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/test"


@pytest.fixture
def network(tmp_path: Path) -> Iterator[Network]:
    built = build_network(NetworkConfig(seed=17, population=40, data_dir=tmp_path))
    yield built
    asyncio.run(built.aclose())


def _entry(number: int, ma_lk: str = "", *, code: str | None = "200") -> Entry:
    now = datetime.now(UTC)
    submission: dict[str, Any] = {
        "transaction_id": f"GD{number:020d}",
        "endpoint": "/api/qd130/guiHoSoXmlQD3176",
        "kind": "dossier",
        "profile": "qd3176",
        "username": "u",
        "session_facility": "01001",
        "ma_cskcb": "01001",
        "loai_ho_so": "130",
        "ma_lk": ma_lk,
        "result_code": code,
        "message": "m",
        "received_at": now,
        "payload": b"x",
        "signature_ok": True,
        "errors": "[]",
    }
    if not ma_lk:
        return Entry(submission)
    return Entry(
        submission,
        {"facility": "01001", "ma_lk": ma_lk, "ma_the": "", "summary": f'{{"n": {number}}}'},
        {"status": "pending", "attempts": 0, "next_attempt_at": now, "last_error": "", "faults": ""},
    )


def _grouped_writes(url: str) -> None:
    engine = open_database(url, metadata)
    journal = GroupCommit(engine)
    observer = create_engine(database_url(url))  # another connection: sees only what is committed

    async def one(number: int, ma_lk: str, code: str | None = "200") -> int:
        row_id = await journal.submit(_entry(number, ma_lk, code=code))
        with observer.connect() as db:  # the answer may go out now: the row must be durable
            assert db.execute(select(submissions.c.id).where(submissions.c.id == row_id)).first()
        return row_id

    async def go() -> list[int | BaseException]:
        jobs = [one(n, f"LK{n % 5}") for n in range(30)]
        jobs.insert(7, one(99, "LK-broken", code=None))  # NOT NULL result_code: fails alone
        return await asyncio.gather(*jobs, return_exceptions=True)

    try:
        results = asyncio.run(go())
        assert isinstance(results[7], Exception)
        ids = [r for r in results if isinstance(r, int)]
        assert len(set(ids)) == len(ids) == 30
        assert journal.groups < journal.entries, "concurrent submissions share transactions"
        with observer.connect() as db:
            versions = dict(db.execute(select(episodes.c.ma_lk, episodes.c.versions)).all())
            forwards = db.execute(select(func.count()).select_from(outbox)).scalar_one()
            latest = db.execute(select(episodes.c.summary).where(episodes.c.ma_lk == "LK4")).scalar_one()
        assert versions == {f"LK{k}": 6 for k in range(5)}, "one episode per MA_LK, a version each"
        assert forwards == 30
        assert latest == '{"n": 29}', "the episode shows the latest dossier"
    finally:
        journal.close()
        observer.dispose()
        engine.dispose()


def test_group_commit_on_sqlite(tmp_path: Path) -> None:
    _grouped_writes(f"sqlite:///{tmp_path / 'gateway.sqlite'}")


def test_sqlite_checkpoints_on_the_writer_thread_between_groups(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past CHECKPOINT_BYTES of payload the WAL is checkpointed off the event loop, after the
    group's requests have their rows and before the next group is written, so it completes."""
    monkeypatch.setattr(journal_module, "CHECKPOINT_BYTES", 1)
    engine = open_database(f"sqlite:///{tmp_path / 'gateway.sqlite'}", metadata)
    journal = GroupCommit(engine)
    threads: list[str] = []

    def seen(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if "wal_checkpoint" in statement:
            threads.append(threading.current_thread().name)

    event.listen(engine, "before_cursor_execute", seen)

    async def go() -> list[int]:
        ids = []
        for batch in range(3):
            jobs = (journal.submit(_entry(10 * batch + n, f"LK{n}")) for n in range(5))
            ids += await asyncio.gather(*jobs)
        return ids

    try:
        ids = asyncio.run(go())
        assert len(set(ids)) == 15
        assert threads
        assert all(name.startswith("gateway-journal") for name in threads)
        assert len(journal.checkpoints) >= journal.groups - 1  # the last may end with the loop
        assert all(busy == 0 and log == done for busy, log, done in journal.checkpoints), "complete"
        with engine.connect() as db:
            assert db.execute(select(func.count()).select_from(submissions)).scalar_one() == 15
    finally:
        journal.close()
        engine.dispose()


@pytest.mark.postgres
def test_group_commit_on_postgresql() -> None:
    name = f"lienthong_group_{secrets.token_hex(4)}"
    try:
        admin = psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as exc:
        pytest.skip(f"PostgreSQL on 127.0.0.1:5432 is not reachable: {exc}")
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            _grouped_writes(f"postgresql://postgres@127.0.0.1:5432/{name}")
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _stored_rows(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """The journal's tables as the driver reads them, after the same groups written one way."""
    engine = open_database(url, metadata)
    try:
        with engine.connect() as db:
            return {
                table: [tuple(row) for row in db.exec_driver_sql(f"SELECT * FROM {table} ORDER BY id")]
                for table in ("gw_submissions", "gw_episodes", "gw_outbox")
            }
    finally:
        engine.dispose()


def _same_rows_both_ways(url_raw: str, url_core: str) -> None:
    groups = [
        [_entry(1, "LK1"), _entry(2, "LK2"), _entry(3), _entry(4, "LK1")],
        [_entry(5, "LK2"), _entry(6, code="422")],
    ]
    sparse = _entry(7, "LK3")  # keys left out get the columns' defaults, as with Core
    for key in ("username", "errors", "loai_ho_so"):
        del sparse.submission[key]
    assert sparse.forward is not None
    del sparse.forward["attempts"]
    groups.append([sparse])
    returned = []
    for url, write in ((url_raw, write_entries), (url_core, _write_core)):
        engine = open_database(url, metadata)
        try:
            ids = []
            for group in groups:
                with engine.begin() as db:
                    ids.append(write(db, group))
            returned.append(ids)
        finally:
            engine.dispose()
    assert returned[0] == returned[1] == [[1, 2, 3, 4], [5, 6], [7]]
    raw, core = _stored_rows(url_raw), _stored_rows(url_core)
    assert raw == core
    assert [len(raw[t]) for t in ("gw_submissions", "gw_episodes", "gw_outbox")] == [7, 3, 5]


def test_the_driver_path_stores_what_core_stores_on_sqlite(tmp_path: Path) -> None:
    _same_rows_both_ways(f"sqlite:///{tmp_path / 'raw.sqlite'}", f"sqlite:///{tmp_path / 'core.sqlite'}")


@pytest.mark.postgres
def test_the_driver_path_stores_what_core_stores_on_postgresql() -> None:
    names = [f"lienthong_rows_{secrets.token_hex(4)}" for _ in range(2)]
    try:
        admin = psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as exc:
        pytest.skip(f"PostgreSQL on 127.0.0.1:5432 is not reachable: {exc}")
    with admin:
        for name in names:
            admin.execute(f'CREATE DATABASE "{name}"')
        try:
            _same_rows_both_ways(*(f"postgresql://postgres@127.0.0.1:5432/{name}" for name in names))
        finally:
            for name in names:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_concurrent_dossiers_are_all_journaled_before_their_answers(network: Network) -> None:
    async def go() -> list[dict[str, str]]:
        his = vendor(network)
        await his.login()
        key = network.keys[his.facility.code]
        documents = [dossier_bytes(network.visit(i), key) for i in range(12)]
        await his.check_in(key, *(network.visit(i) for i in range(12)))
        answers = await asyncio.gather(*(his.send("dossier", d) for d in documents))
        return [a.json() for a in answers]

    answers = asyncio.run(go())
    assert [a["maKetQua"] for a in answers] == ["200"] * 12
    with network.gateway.engine.connect() as db:
        kept = set(db.execute(select(submissions.c.transaction_id)).scalars())
    assert {a["maGiaoDich"] for a in answers} <= kept
    assert network.gateway.journal.groups < network.gateway.journal.entries


def test_a_revoked_session_is_refused_at_once(network: Network) -> None:
    async def go() -> list[str]:
        his = vendor(network)
        await his.login()
        key = network.keys[his.facility.code]
        codes = [(await his.send("checkin", checkin_bytes(network.visit(1), key))).json()["maKetQua"]]
        assert revoke_session(network.gateway.engine, his.access_token)
        codes.append((await his.send("checkin", checkin_bytes(network.visit(1), key))).json()["maKetQua"])
        network.clock.advance(timedelta(seconds=1))
        codes.append((await his.send("checkin", checkin_bytes(network.visit(1), key))).json()["maKetQua"])
        return codes

    assert asyncio.run(go()) == ["200", "401", "401"]
