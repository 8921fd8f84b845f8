"""Where the audit reads submissions from: a folder of XML 130 files, a gateway database (SQLite
file or PostgreSQL URL) or a running gateway's journal API.

Each source yields :class:`Raw` rows one at a time, from a position (``after``) so that a run can
resume; nothing is read ahead beyond one batch. A gateway database is read with SQL on its journal
tables (``gw_submissions``, and ``gw_outbox`` for C06's answer and the forwarding time: the schema
of ``simulators/gateway/schema.py``), never through the simulator's code.
"""

from __future__ import annotations

import base64
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx

from lienthong.conformance.audit.stored import VN, Raw, SourceProblem, decode, folder_rows, journal_row, local

__all__ = [
    "VN",
    "FolderSource",
    "JournalApiSource",
    "PostgresSource",
    "Raw",
    "Source",
    "SourceProblem",
    "SqliteSource",
    "local",
    "open_source",
]
BATCH = 2000
_JOURNAL_ROWS = (
    "SELECT s.id, s.kind, s.ma_cskcb, s.received_at, s.result_code, s.payload, s.profile, "
    "o.status, o.done_at FROM gw_submissions s LEFT JOIN gw_outbox o ON o.submission_id = s.id "
    "WHERE s.id > {mark} ORDER BY s.id"
)
_JOURNAL_SQL = _JOURNAL_ROWS + " LIMIT {batch}"
"""One batch of the journal after a mark (a query per batch, no cursor held open)."""
SQLITE_BATCH = 500
"""Rows of a SQLite journal read by one query (:class:`SqliteSource`: its mapped pages are let go
after each)."""
MAPPED = 1 << 40
"""``mmap_size`` of a SQLite journal (SQLite caps it at its build's limit: 2 GB here)."""


class Source:
    """A stream of submissions with a resumable position."""

    label: str

    def rows(self, after: Any) -> Iterator[tuple[Any, Raw]]:
        """``(position, row)`` for every row after ``after`` (None: from the start)."""
        raise NotImplementedError

    def total(self) -> int | None:
        """How many rows there are (for the progress bar), if cheap to know."""
        return None


class FolderSource(Source):
    """Every ``*.xml`` under a folder, by path; a file's modification time is its receipt time."""

    def __init__(self, root: Path) -> None:
        if not root.is_dir():
            raise SourceProblem(f"{root} is not a folder")
        self.root = root
        self.label = str(root)
        self._names: list[str] | None = None

    def names(self) -> list[str]:
        if self._names is None:
            found: list[str] = []
            for folder, dirs, files in os.walk(self.root):
                dirs.sort()
                base = os.path.relpath(folder, self.root)
                prefix = "" if base == os.curdir else base + os.sep  # a path per folder, not per file
                found.extend([prefix + f for f in files if f.endswith(".xml")])
            found.sort()
            self._names = found
        return self._names

    def total(self) -> int:
        return len(self.names())

    def rows(self, after: Any) -> Iterator[tuple[Any, Raw]]:
        return folder_rows(str(self.root), self.names(), int(after or 0))


class SqliteSource(Source):
    """A gateway's SQLite journal, read-only, by submission id.

    The file is memory-mapped (``PRAGMA mmap_size``): read by ``pread``, a payload of 16 KB cost
    four system calls of a 4 KB page each, half of the reading's time. After each batch the file
    is unmapped and mapped again, which drops the pages read from the process (they stay in the
    page cache): its resident memory stays a batch's, not the file's."""

    def __init__(self, path: Path) -> None:
        if not path.is_file():
            raise SourceProblem(f"{path} is not a file")
        self.path = path
        self.label = str(path)
        try:
            self._db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
            self._db.execute("SELECT 1 FROM gw_submissions LIMIT 1").fetchall()
        except sqlite3.DatabaseError as exc:
            raise SourceProblem(
                f"{path} is not a gateway database (no readable gw_submissions table: {exc})"
            ) from None

    def total(self) -> int:
        return int(self._db.execute("SELECT count(*) FROM gw_submissions").fetchone()[0])

    def rows(self, after: Any) -> Iterator[tuple[Any, Raw]]:
        mark = int(after or 0)
        query = _JOURNAL_SQL.format(mark="?", batch=SQLITE_BATCH)
        try:
            while True:
                self._db.execute("PRAGMA mmap_size=0")  # a finished query holds no mapped page
                self._db.execute(f"PRAGMA mmap_size={MAPPED}")
                count = 0
                for row in self._db.execute(query, (mark,)):
                    mark = row[0]
                    count += 1
                    yield mark, journal_row(row)
                if count < SQLITE_BATCH:
                    return
        except sqlite3.DatabaseError as exc:
            raise SourceProblem(f"{self.path} could not be read after submission {mark}: {exc}") from None


class PostgresSource(Source):
    """A gateway's PostgreSQL journal (SQLAlchemy with psycopg), by submission id."""

    def __init__(self, url: str) -> None:
        from sqlalchemy import create_engine, text
        from sqlalchemy.exc import SQLAlchemyError

        self._text = text
        self._errors = SQLAlchemyError
        self.label = url.split("@")[-1]
        driver = "postgresql+psycopg://" + url.split("://", 1)[1]
        try:
            self._engine = create_engine(driver)
            with self._engine.connect() as db:
                db.execute(text("SELECT 1 FROM gw_submissions LIMIT 1")).all()
        except SQLAlchemyError as exc:
            raise SourceProblem(
                f"cannot read gw_submissions at {self.label}: {str(exc).splitlines()[0]}"
            ) from None

    def total(self) -> int:
        with self._engine.connect() as db:
            return int(db.execute(self._text("SELECT count(*) FROM gw_submissions")).scalar_one())

    def rows(self, after: Any) -> Iterator[tuple[Any, Raw]]:
        mark = int(after or 0)
        while True:
            try:
                with self._engine.connect() as db:
                    batch = db.execute(
                        self._text(_JOURNAL_SQL.format(mark=":mark", batch=BATCH)), {"mark": mark}
                    ).all()
            except self._errors as exc:
                raise SourceProblem(
                    f"{self.label} could not be read after submission {mark}: {str(exc).splitlines()[0]}"
                ) from None
            if not batch:
                return
            for row in batch:
                mark = row[0]
                yield mark, journal_row(tuple(row))


class JournalApiSource(Source):
    """A running gateway's ``/lienthong/submissions`` (lienthong's journal API; admin token)."""

    def __init__(
        self, url: str, token: str, *, timeout: float = 30.0, transport: httpx.BaseTransport | None = None
    ) -> None:
        self.label = url
        self._client = httpx.Client(base_url=url, timeout=timeout, transport=transport)
        self._token = token

    def rows(self, after: Any) -> Iterator[tuple[Any, Raw]]:
        mark = int(after or 0)
        while True:
            try:
                response = self._client.get(
                    "/lienthong/submissions",
                    params={"after_id": str(mark)},
                    headers={"authorization": f"Bearer {self._token}"},
                )
            except httpx.HTTPError as exc:
                raise SourceProblem(f"cannot reach the journal API at {self.label}: {exc}") from None
            if response.status_code == 401:
                raise SourceProblem(
                    f"the journal API at {self.label} refused the admin token (HTTP 401): give the "
                    "gateway's admin token with --token"
                )
            if response.status_code != 200:
                raise SourceProblem(f"the journal API at {self.label} answered HTTP {response.status_code}")
            try:
                rows = response.json()["submissions"]
            except (ValueError, KeyError, TypeError):
                raise SourceProblem(
                    f"the journal API at {self.label} did not answer a list of submissions "
                    f"(HTTP {response.status_code}, {response.text[:80]!r})"
                ) from None
            if not rows:
                return
            for row in rows:
                mark = int(row["id"])
                received_at = local(row["received_at"])
                assert received_at is not None
                yield (
                    mark,
                    Raw(
                        mark,
                        row["kind"],
                        row["ma_cskcb"],
                        received_at,
                        decode(base64.b64decode(row["payload_base64"])),
                        accepted=row["result_code"] == "200",
                        profile=row.get("profile") or "auto",
                        name=f"submission {mark}",
                    ),
                )


def open_source(spec: str, *, token: str = "") -> Source:
    """The source ``spec`` names: a folder, a SQLite file, ``postgresql://...`` or ``http(s)://...``."""
    if spec.startswith(("postgresql://", "postgres://")):
        return PostgresSource(spec)
    if spec.startswith(("http://", "https://")):
        if not token:
            raise SourceProblem(
                f"{spec} is a gateway's journal API: give its admin token with --token "
                "(lienthong simulate prints it)"
            )
        return JournalApiSource(spec, token)
    path = Path(spec)
    if path.is_dir():
        return FolderSource(path)
    if path.is_file():
        return SqliteSource(path)
    raise SourceProblem(
        f"{spec!r} is neither a folder, a file, a postgresql:// URL nor an http(s):// journal API URL"
    )
