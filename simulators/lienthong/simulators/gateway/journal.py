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
cache, quicker than handing the group over to a thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import weakref
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, Executable, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
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
    ids = [int(i) for i in db.execute(_INSERT_SUBMISSIONS, [e.submission for e in entries]).scalars()]
    latest: dict[tuple[str, str], dict[str, Any]] = {}
    for entry, row_id in zip(entries, ids, strict=True):
        if entry.episode is None:
            continue
        key = (entry.episode["facility"], entry.episode["ma_lk"])
        versions = latest[key]["versions"] + 1 if key in latest else 1
        latest.pop(key, None)  # keep the order of the latest versions
        latest[key] = {**entry.episode, "submission_id": row_id, "versions": versions}
    if latest:
        dialect = db.dialect.name
        if dialect not in _UPSERTS:
            _UPSERTS[dialect] = _episode_upsert(dialect)
        upsert = _UPSERTS[dialect]
        if upsert is not None:
            db.execute(upsert, list(latest.values()))
        else:
            for values in latest.values():
                _keep_episode(db, values)
    forwards = [
        {**entry.forward, "submission_id": row_id}
        for entry, row_id in zip(entries, ids, strict=True)
        if entry.forward is not None
    ]
    if forwards:
        db.execute(_INSERT_FORWARDS, forwards)
    return ids


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
        self._executor = (
            None if inline else ThreadPoolExecutor(max_workers=1, thread_name_prefix="gateway-journal")
        )
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
            if self._executor is None:
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
