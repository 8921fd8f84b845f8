"""Writing the journal: each submission's row, its episode and its queued forward, committed in
groups.

Requests that arrive together are written together: while one transaction commits, the entries
of the requests judged meanwhile wait, and the next transaction takes them all (no timer, so a
lone request waits for nothing). Every request awaits the commit of its own transaction before it
is answered, so a ``maKetQua`` 200 is never given for a row that is not durably stored. A group
that fails is retried entry by entry, so one bad entry fails only its own request.

With PostgreSQL the commit runs on one writer thread with its own connection, and the event loop
goes on judging requests while the server works and syncs its log (the driver releases the GIL
meanwhile). SQLite groups are written inline, on the loop: a WAL commit is a write to the page
cache, quicker than handing the group over to a thread (which waits for the GIL when it starts
and when it ends, up to the 5 ms switch interval each while the loop is busy). What does wait for
the disk is the WAL checkpoint (two ``fdatasync``), which SQLite would run inside the commit that
passes 1,000 log pages; so after every :data:`CHECKPOINT_BYTES` of payload, once the group's
requests have their rows, a passive checkpoint runs on the writer thread while the loop judges the
next requests, and the next group is written after it (no writer racing it, so it completes and
the log restarts from its beginning). SQLite's own checkpoint stays as the backstop.

The rows go through the driver's cursor (:class:`_Insert`), inside the transaction SQLAlchemy
opened: the statements are built once per dialect from the tables and values get the bind
processing SQLAlchemy Core would give them, so the stored rows are the same; Core's work per
execution cost about as much as the driver's inserts. Other dialects keep the Core statements.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import weakref
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, Executable, Table, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Dialect
from sqlalchemy.pool import StaticPool

from lienthong.simulators.gateway.schema import episodes, outbox, submissions


@dataclass(slots=True)
class Entry:
    """What one submission writes."""

    submission: dict[str, Any]
    """The ``gw_submissions`` row (without ``id``)."""
    episode: dict[str, Any] | None = None
    """``facility``, ``ma_lk``, ``ma_the`` and ``summary`` of an accepted dossier's episode."""
    forward: dict[str, Any] | None = None
    """The ``gw_outbox`` row of an accepted dossier (without ``submission_id``)."""


_INSERT_SUBMISSIONS = insert(submissions).returning(submissions.c.id, sort_by_parameter_order=True)
_INSERT_FORWARDS = insert(outbox)
_MARKS = {"qmark": "?", "format": "%s", "pyformat": "%s"}
"""Positional placeholders of the drivers the raw path serves (sqlite3, psycopg)."""
_EPISODE_KEY = ("facility", "ma_lk")
CHECKPOINT_BYTES = 1_000_000
"""Payload written between the checkpoints of a SQLite file. A dossier's 12.6 KB of payload took
≈ 7 log pages (4 KB) with its rows and indexes, so this is ≈ 560 pages, short of the 1,000 at
which SQLite would checkpoint inside a commit."""


@dataclass(frozen=True, slots=True)
class _Insert:
    """An ``INSERT`` into a table (every column but ``id``) for the driver's cursor."""

    sql: str
    columns: tuple[tuple[str, Any, Callable[[Any], Any] | None], ...]
    """Each column's key, scalar default (for a key an entry leaves out) and SQLAlchemy's bind
    processing for the dialect (SQLite's text for dates, say)."""

    @classmethod
    def of(cls, table: Table, dialect: Dialect, suffix: str = "") -> _Insert:
        columns = [c for c in table.columns if c.key != "id"]
        names = ", ".join(c.name for c in columns)
        marks = ", ".join(_MARKS[dialect.paramstyle] for _ in columns)
        return cls(
            f"INSERT INTO {table.name} ({names}) VALUES ({marks}){suffix}",
            tuple(
                (c.key, getattr(c.default, "arg", None), c.type.dialect_impl(dialect).bind_processor(dialect))
                for c in columns
            ),
        )

    def row(self, values: dict[str, Any]) -> tuple[Any, ...]:
        return tuple(
            [
                values.get(key, default) if process is None else process(values.get(key, default))
                for key, default, process in self.columns
            ]
        )


@dataclass(frozen=True, slots=True)
class _RawPlan:
    """The journal's three statements for SQLite or PostgreSQL."""

    submission: _Insert
    episode: _Insert
    forward: _Insert
    returning: bool
    """PostgreSQL: the submission ids come back from ``RETURNING``; SQLite: ``lastrowid``."""

    @classmethod
    def of(cls, dialect: Dialect) -> _RawPlan:
        updated = ", ".join(
            f"{name} = "
            + (f"{episodes.name}.{name} + excluded.{name}" if name == "versions" else f"excluded.{name}")
            for name in ("submission_id", "ma_the", "summary", "versions")
        )  # what _episode_upsert says, in the SQL both dialects share
        returning = dialect.name == "postgresql"
        return cls(
            _Insert.of(submissions, dialect, " RETURNING id" if returning else ""),
            _Insert.of(
                episodes, dialect, f" ON CONFLICT ({', '.join(_EPISODE_KEY)}) DO UPDATE SET {updated}"
            ),
            _Insert.of(outbox, dialect),
            returning,
        )


_RAW_PLANS: dict[str, _RawPlan] = {}


def _episode_upsert(dialect: str) -> Executable | None:
    """``INSERT .. ON CONFLICT (facility, ma_lk) DO UPDATE`` where the dialect has it."""
    statement: sqlite.Insert | postgresql.Insert
    if dialect == "sqlite":
        statement = sqlite.insert(episodes)
    elif dialect == "postgresql":
        statement = postgresql.insert(episodes)
    else:
        return None
    return statement.on_conflict_do_update(
        index_elements=[episodes.c.facility, episodes.c.ma_lk],
        set_={
            "submission_id": statement.excluded.submission_id,
            "ma_the": statement.excluded.ma_the,
            "summary": statement.excluded.summary,
            "versions": episodes.c.versions + statement.excluded.versions,
        },
    )


_UPSERTS: dict[str, Executable | None] = {}


def write_entries(db: Connection, entries: Sequence[Entry]) -> list[int]:
    """Write ``entries`` in the transaction of ``db``, in order; their submission ids.

    Episodes keep their meaning whatever the grouping: one per (facility, MA_LK), counting a
    version per accepted dossier and showing the latest one."""
    if not entries:
        return []
    dialect = db.dialect
    if dialect.name in {"sqlite", "postgresql"} and dialect.paramstyle in _MARKS:
        plan = _RAW_PLANS.get(dialect.name)
        if plan is None:
            plan = _RAW_PLANS[dialect.name] = _RawPlan.of(dialect)
        return _write_raw(db, plan, entries)
    return _write_core(db, entries)


def _write_core(db: Connection, entries: Sequence[Entry]) -> list[int]:
    """:func:`write_entries` with SQLAlchemy Core statements (any dialect)."""
    dialect = db.dialect
    ids = [int(i) for i in db.execute(_INSERT_SUBMISSIONS, [e.submission for e in entries]).scalars()]
    latest = _latest_episodes(entries, ids)
    if latest:
        if dialect.name not in _UPSERTS:
            _UPSERTS[dialect.name] = _episode_upsert(dialect.name)
        upsert = _UPSERTS[dialect.name]
        if upsert is not None:
            db.execute(upsert, latest)
        else:
            for values in latest:
                _keep_episode(db, values)
    forwards = _forwards(entries, ids)
    if forwards:
        db.execute(_INSERT_FORWARDS, forwards)
    return ids


def _write_raw(db: Connection, plan: _RawPlan, entries: Sequence[Entry]) -> list[int]:
    """:func:`write_entries` on the driver's cursor, in the transaction SQLAlchemy began."""
    cursor: Any = db.connection.cursor()
    try:
        insert = plan.submission
        if plan.returning:  # psycopg: one round trip, a result per row, in order
            cursor.executemany(insert.sql, [insert.row(e.submission) for e in entries], returning=True)
            ids = []
            while True:
                ids.append(int(cursor.fetchone()[0]))
                if not cursor.nextset():
                    break
        else:
            ids = []
            for entry in entries:
                cursor.execute(insert.sql, insert.row(entry.submission))
                ids.append(int(cursor.lastrowid))
        latest = _latest_episodes(entries, ids)
        if latest:
            cursor.executemany(plan.episode.sql, [plan.episode.row(values) for values in latest])
        forwards = _forwards(entries, ids)
        if forwards:
            cursor.executemany(plan.forward.sql, [plan.forward.row(values) for values in forwards])
    finally:
        cursor.close()
    return ids


def _latest_episodes(entries: Sequence[Entry], ids: list[int]) -> list[dict[str, Any]]:
    """The episode rows of a group, each (facility, MA_LK) once: its latest dossier, the group's
    versions of it counted."""
    latest: dict[tuple[str, str], dict[str, Any]] = {}
    for entry, row_id in zip(entries, ids, strict=True):
        if entry.episode is None:
            continue
        key = (entry.episode["facility"], entry.episode["ma_lk"])
        versions = latest[key]["versions"] + 1 if key in latest else 1
        latest.pop(key, None)  # keep the order of the latest versions
        latest[key] = {**entry.episode, "submission_id": row_id, "versions": versions}
    return list(latest.values())


def _forwards(entries: Sequence[Entry], ids: list[int]) -> list[dict[str, Any]]:
    return [
        {**entry.forward, "submission_id": row_id}
        for entry, row_id in zip(entries, ids, strict=True)
        if entry.forward is not None
    ]


def _keep_episode(db: Connection, values: dict[str, Any]) -> None:
    """The portable upsert (select, then insert or update) for dialects without ON CONFLICT."""
    existing = db.execute(
        select(episodes.c.id).where(
            episodes.c.facility == values["facility"], episodes.c.ma_lk == values["ma_lk"]
        )
    ).first()
    if existing is None:
        db.execute(insert(episodes).values(**values))
    else:
        changed = {k: v for k, v in values.items() if k not in {"facility", "ma_lk", "versions"}}
        db.execute(
            update(episodes)
            .where(episodes.c.id == existing.id)
            .values(versions=episodes.c.versions + values["versions"], **changed)
        )


class GroupCommit:
    """Commits the entries of concurrent requests together; see the module's docstring."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        # SQLite commits (WAL, no fsync but at checkpoints) are quicker than handing the group to a
        # thread: on one core the thread would wait for the GIL at every driver call.
        inline = isinstance(engine.pool, StaticPool) or engine.dialect.name == "sqlite"
        checkpoints = engine.dialect.name == "sqlite" and not isinstance(engine.pool, StaticPool)
        self._executor = (
            ThreadPoolExecutor(max_workers=1, thread_name_prefix="gateway-journal")
            if not inline or checkpoints
            else None
        )
        self._inline = inline
        self._unchecked: int | None = 0 if checkpoints else None
        """Payload bytes committed since the last checkpoint (a SQLite file; None otherwise)."""
        self.checkpoints: collections.deque[tuple[int, int, int]] = collections.deque(maxlen=16)
        """The last checkpoints' results (diagnostics)."""
        if self._executor is not None:  # the idle writer thread ends with its gateway
            weakref.finalize(self, self._executor.shutdown, wait=False)
        self._waiting: list[tuple[Entry, asyncio.Future[int]]] = []
        self._flusher: asyncio.Task[None] | None = None
        self.groups = 0
        """Transactions committed by :meth:`submit` (with :attr:`entries`, the mean group size)."""
        self.entries = 0

    def write(self, entries: Sequence[Entry]) -> list[int]:
        """Write ``entries`` in one transaction, now; their submission ids."""
        with self.engine.begin() as db:
            return write_entries(db, entries)

    async def submit(self, entry: Entry) -> int:
        """Queue ``entry`` for the next group; its submission id once that group has committed."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[int] = loop.create_future()
        flusher = self._flusher
        if flusher is not None and flusher.get_loop() is not loop:  # an earlier event loop's
            self._waiting = [(e, f) for e, f in self._waiting if f.get_loop() is loop]
            flusher = None
        self._waiting.append((entry, future))
        if flusher is None or flusher.done():
            self._flusher = loop.create_task(self._flush())
        return await future

    async def _flush(self) -> None:
        loop = asyncio.get_running_loop()
        while self._waiting:
            group, self._waiting = self._waiting, []
            entries = [entry for entry, _ in group]
            if self._inline or self._executor is None:
                results = self._commit(entries)
            else:
                results = await loop.run_in_executor(self._executor, self._commit, entries)
            self.groups += 1
            self.entries += len(entries)
            for (_, future), result in zip(group, results, strict=True):
                if future.done():
                    continue
                if isinstance(result, BaseException):
                    future.set_exception(result)
                else:
                    future.set_result(result)
            if self._unchecked is not None and self._executor is not None:
                self._unchecked += sum(len(entry.submission.get("payload") or b"") for entry in entries)
                if self._unchecked >= CHECKPOINT_BYTES:
                    self._unchecked = 0
                    await loop.run_in_executor(self._executor, self.checkpoint)

    def checkpoint(self) -> tuple[int, int, int]:
        """A passive WAL checkpoint of a SQLite file (copies the log into the database, syncs):
        SQLite's (busy, log pages, pages checkpointed)."""
        with self.engine.connect() as db:
            busy, log, done = db.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)").one()
        self.checkpoints.append((int(busy), int(log), int(done)))
        return self.checkpoints[-1]

    def _commit(self, entries: list[Entry]) -> list[int | BaseException]:
        try:
            return list(self.write(entries))
        except Exception as group_error:
            if len(entries) == 1:
                return [group_error]
        results: list[int | BaseException] = []
        for entry in entries:  # find the entry that broke the group; the others still commit
            try:
                results.extend(self.write([entry]))
            except Exception as exc:
                results.append(exc)
        return results

    def close(self) -> None:
        """Stop the writer thread (after the groups under way have committed)."""
        if self._executor is not None:
            with contextlib.suppress(RuntimeError):
                self._executor.shutdown(wait=True)
