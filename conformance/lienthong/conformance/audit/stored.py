"""A stored submission (:class:`Raw`) and the per-row work of reading one: a journal row converted,
a folder's files opened ahead and read. Every audited submission goes through here, so the wheel
compiles this module with mypyc (``hatch_build.COMPILED``); :mod:`.sources` holds the sources
themselves (their queries, connections and messages) and re-exports what is defined here."""

from __future__ import annotations

import binascii
import os
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from lienthong.profiles.base64_strict import b64decode_strict

VN = timezone(timedelta(hours=7))
_VN_OFFSET = timedelta(hours=7)
_OUTBOX_IDENTITY: dict[str | None, str] = {"delivered": "verified", "identity_rejected": "rejected"}


class SourceProblem(Exception):
    """A source the audit cannot read (the message says what and what to do)."""


@dataclass(slots=True, init=False)
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

    def __init__(  # written out: mypyc compiles it (the generated one runs interpreted)
        self,
        seq: int,
        kind: str,
        facility: str,
        received_at: datetime,
        document: bytes | None,
        accepted: bool = True,
        profile: str = "auto",
        identity: str | None = None,
        delivered_at: datetime | None = None,
        name: str = "",
    ) -> None:
        self.seq = seq
        self.kind = kind
        self.facility = facility
        self.received_at = received_at
        self.document = document
        self.accepted = accepted
        self.profile = profile
        self.identity = identity
        self.delivered_at = delivered_at
        self.name = name


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


def decode(payload: bytes) -> bytes | None:
    """``fileHSBase64`` decoded as the gateway decodes it (strict base64; None when it is not)."""
    try:
        return b64decode_strict(payload)
    except (binascii.Error, ValueError):
        return None


def journal_row(row: tuple[Any, ...]) -> Raw:
    """A row of the journal query (``gw_submissions`` joined to ``gw_outbox``) as a :class:`Raw`."""
    seq, kind, facility, received, code, payload, profile, status, done = row
    received_at = local(received)
    assert received_at is not None
    return Raw(
        int(seq),
        kind,
        facility,
        received_at,
        decode(bytes(payload)),
        code == "200",
        profile or "auto",
        _OUTBOX_IDENTITY.get(status),
        local(done) if status == "delivered" else None,
        f"submission {seq}",
    )


READ_AHEAD = 32
"""Files opened ahead of the one read, with the kernel asked to read them (``POSIX_FADV_WILLNEED``):
files not in the page cache arrive while the ones before are validated, instead of each read
waiting on the disk (on a folder out of the cache that wait doubled the audit's CPU time too)."""
_VN_EPOCH = datetime(1970, 1, 1) + timedelta(hours=7)
"""1970-01-01 00:00 UTC in naive Vietnam local time (a file's mtime read as a receipt time)."""
_RELATIVE = os.open in os.supports_dir_fd
_FOLDER_FLAGS = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0)
_FILE_FLAGS = os.O_RDONLY | getattr(os, "O_BINARY", 0)
_WILLNEED: int | None = getattr(os, "POSIX_FADV_WILLNEED", None)


def folder_rows(root: str, names: list[str], start: int) -> Iterator[tuple[int, Raw]]:
    """``(position, row)`` for the files ``names[start:]`` of the folder ``root`` (a position is
    the file's number from 1, its receipt time the file's modification time)."""
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
