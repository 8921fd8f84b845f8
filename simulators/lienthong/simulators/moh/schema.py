"""The MoH store's tables: verified visits and the log of every read."""

from __future__ import annotations

from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table, Text, UniqueConstraint

metadata = MetaData()

visits = Table(
    "moh_visits", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("facility", String(5), nullable=False),
    Column("ma_lk", String(100), nullable=False),
    Column("cccd", String(20), nullable=False, index=True),
    Column("transaction_id", String(40), nullable=False),
    Column("received_at", String(40), nullable=False),
    Column("stored_at", DateTime(timezone=True), nullable=False),
    Column("visible_at", DateTime(timezone=True), nullable=False),
    Column("versions", Integer, nullable=False, default=1),
    Column("document", Text, nullable=False),
    UniqueConstraint("facility", "ma_lk", name="uq_moh_visit"),
)

# Who read whose data, why and when (CV 365/TTYQG: log every transaction, reads included) [S].
access_log = Table(
    "moh_access_log", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("actor", String(100), nullable=False),
    Column("subject", String(20), nullable=False),
    Column("purpose", String(100), nullable=False),
    Column("path", String(500), nullable=False),
    Column("outcome", String(20), nullable=False),
)
