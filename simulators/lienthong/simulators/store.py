"""Persistence for the simulated nodes: SQLite by default, PostgreSQL by URL (SQLAlchemy Core)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, MetaData, create_engine, event
from sqlalchemy.pool import StaticPool


def database_url(url: str) -> str:
    """Accept ``postgresql://`` and ``postgres://`` and pick the psycopg 3 driver."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


SYNCHRONOUS = ("OFF", "NORMAL", "FULL", "EXTRA")


def open_database(url: str, metadata: MetaData, *, synchronous: str = "NORMAL") -> Engine:
    """An engine on ``url`` with the node's tables created.

    SQLite runs in WAL mode with ``synchronous=NORMAL`` unless told otherwise: a committed row
    survives the process being killed, which is what "nothing accepted is lost" needs here; it may
    not survive a power loss or an OS crash (``FULL`` adds an fsync per commit for that).
    PostgreSQL keeps its own setting (``synchronous_commit``; on by default: fsync per commit).
    """
    synchronous = synchronous.upper()
    if synchronous not in SYNCHRONOUS:
        raise ValueError(f"synchronous must be one of {', '.join(SYNCHRONOUS)}, not {synchronous!r}")
    url = database_url(url)
    kwargs: dict[str, Any] = {}
    if url.startswith("sqlite"):
        kwargs["connect_args"] = {"check_same_thread": False}
        if ":memory:" in url or url in {"sqlite://", "sqlite+pysqlite://"}:
            kwargs["poolclass"] = StaticPool
    engine = create_engine(url, **kwargs)
    if url.startswith("sqlite"):

        @event.listens_for(engine, "connect")
        def _pragmas(connection: Any, _record: Any) -> None:
            cursor = connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute(f"PRAGMA synchronous={synchronous}")
            cursor.execute("PRAGMA busy_timeout=5000")
            cursor.close()

    metadata.create_all(engine)
    return engine
