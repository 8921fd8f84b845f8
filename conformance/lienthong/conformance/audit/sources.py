"""Where the audit reads submissions from: a folder of XML 130 files, a gateway database (SQLite
file or PostgreSQL URL) or a running gateway's journal API.

Each source yields :class:`Raw` rows one at a time, from a position (``after``) so that a run can
resume; nothing is read ahead beyond one batch. A gateway database is read with SQL on its journal
tables (``gw_submissions``, and ``gw_outbox`` for C06's answer and the forwarding time: the schema
of ``simulators/gateway/schema.py``), never through the simulator's code.
"""

from __future__ import annotations

import base64
import binascii
import os
import sqlite3
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import httpx

from lienthong.profiles.base64_strict import b64decode_strict

VN = timezone(timedelta(hours=7))
BATCH = 2000
_OUTBOX_IDENTITY: dict[str | None, str] = {"delivered": "verified", "identity_rejected": "rejected"}
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


class SourceProblem(Exception):
    """A source the audit cannot read (the message says what and what to do)."""


@dataclass(slots=True)
class Raw:
    """One submission as stored: the decoded document and what the receiver recorded of it."""

    seq: int
    kind: str
    """``checkin`` or ``dossier`` (the journal's kind; in a folder, the document's root)."""
    facility: str
    """maCSKCB of the request ("" in a folder: the document names it)."""
    received_at: datetime
    """Naive Vietnam local time."""
    document: bytes | None
    """The XML; None when the payload was not base64 (ENV-03)."""
    accepted: bool = True
    profile: str = "auto"
    identity: str | None = None
    delivered_at: datetime | None = None
    name: str = ""
    """The file name (folder) or journal id, for messages."""


_VN_OFFSET = timedelta(hours=7)


def local(moment: datetime | str | None) -> datetime | None:
    """A stored time as naive Vietnam local time: aware times converted, naive ones read as UTC
    (SQLAlchemy stores the gateway's UTC times on SQLite without their zone)."""
    if isinstance(moment, str):
        if not moment:
            return None
        moment = datetime.fromisoformat(moment)
    elif moment is None:
        return None
    if moment.tzinfo is None:
        return moment + _VN_OFFSET  # UTC + 7 h: Vietnam keeps no daylight saving time
    return moment.astimezone(VN).replace(tzinfo=None)


def _decode(payload: bytes) -> bytes | None:
    """``fileHSBase64`` decoded as the gateway decodes it (strict base64; None when it is not)."""
    try:
        return b64decode_strict(payload)
    except (binascii.Error, ValueError):
        return None


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
        start = int(after or 0)
        root = str(self.root)
        names = self.names()
        opener = _Opener(root)
        ahead: deque[tuple[int, OSError | None]] = deque()
        """The next files, opened (their descriptor, or why not) with the kernel asked to read them."""
        count = len(names)
        following = start
        try:
            while following < count and following < start + READ_AHEAD - 1:
                ahead.append(opener.open(names[following]))
                following += 1
            for index in range(start, count):
                if following < count:  # READ_AHEAD files open, this one included
                    ahead.append(opener.open(names[following]))
                    following += 1
                fd, problem = ahead.popleft()
                if problem is not None:
                    raise SourceProblem(f"cannot read {os.path.join(root, names[index])}: {problem.strerror}")
                try:
                    data, mtime_ns = _read_open(fd)
                except OSError as exc:
                    raise SourceProblem(
                        f"cannot read {os.path.join(root, names[index])}: {exc.strerror}"
                    ) from None
                kind = "checkin" if data.find(b"CHI_TIEU_TRANG_THAI_KCB", 0, 300) >= 0 else "dossier"
                received = _VN_EPOCH + timedelta(0, 0, mtime_ns // 1000)
                yield index + 1, Raw(index + 1, kind, "", received, data, name=names[index])
        finally:
            for fd, _ in ahead:
                if fd >= 0:
                    os.close(fd)
            opener.close()


READ_AHEAD = 32
"""Files opened ahead of the one read, with the kernel asked to read them (``POSIX_FADV_WILLNEED``):
files not in the page cache arrive while the ones before are validated, instead of each read
waiting on the disk (on a folder out of the cache that wait doubled the audit's CPU time too)."""
_VN_EPOCH = datetime(1970, 1, 1) + timedelta(hours=7)
"""1970-01-01 00:00 UTC in naive Vietnam local time (a file's mtime read as a receipt time)."""
_RELATIVE = os.open in os.supports_dir_fd
_FOLDER_FLAGS = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0)
_FILE_FLAGS = os.O_RDONLY | getattr(os, "O_BINARY", 0)
_WILLNEED = getattr(os, "POSIX_FADV_WILLNEED", None)


class _Opener:
    """Opens the files of a folder tree relative to their folder (a shorter lookup than the whole
    path), holding the descriptor of the folder opened last."""

    def __init__(self, root: str) -> None:
        self.root = root
        self.folder: str | None = None
        self.folder_fd = -1

    def open(self, name: str) -> tuple[int, OSError | None]:
        try:
            if not _RELATIVE:
                fd = os.open(os.path.join(self.root, name), _FILE_FLAGS)
            else:
                where, _, file = name.rpartition(os.sep)
                if where != self.folder:
                    self.close()
                    self.folder_fd = os.open(os.path.join(self.root, where), _FOLDER_FLAGS)
                    self.folder = where
                fd = os.open(file, _FILE_FLAGS, dir_fd=self.folder_fd)
        except OSError as exc:
            return -1, exc
        if _WILLNEED is not None:
            os.posix_fadvise(fd, 0, 0, _WILLNEED)
        return fd, None

    def close(self) -> None:
        if self.folder_fd >= 0:
            os.close(self.folder_fd)
        self.folder, self.folder_fd = None, -1


def _read_open(fd: int) -> tuple[bytes, int]:
    """An open file's bytes and modification time (ns since 1970), with one ``fstat`` and one read
    (``Path.read_bytes`` and ``Path.stat`` cost a third of a folder audit's reading in path objects
    and lookups; the system calls are most of what is left); the file is closed."""
    try:
        status = os.fstat(fd)
        first = os.read(fd, status.st_size + 1)
        if len(first) <= status.st_size:  # a short read of a regular file: its end
            return first, status.st_mtime_ns
        parts = [first]
        while parts[-1]:  # grown since the fstat: read to its end, as read_bytes does
            parts.append(os.read(fd, 1 << 16))
    finally:
        os.close(fd)
    return b"".join(parts), status.st_mtime_ns


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
                    yield mark, _journal_row(row)
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
                yield mark, _journal_row(tuple(row))


def _journal_row(row: tuple[Any, ...]) -> Raw:
    seq, kind, facility, received, code, payload, profile, status, done = row
    received_at = local(received)
    assert received_at is not None
    return Raw(  # by position: a third of the construction's cost
        int(seq),
        kind,
        facility,
        received_at,
        _decode(bytes(payload)),
        code == "200",
        profile or "auto",
        _OUTBOX_IDENTITY.get(status),
        local(done) if status == "delivered" else None,
        f"submission {seq}",
    )


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
                        _decode(base64.b64decode(row["payload_base64"])),
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
