"""The MoH store's tables: verified visits, immunisations, clients, consents, KSK pushes and the
log of every read."""

from __future__ import annotations

from sqlalchemy import Column, DateTime, Integer, LargeBinary, MetaData, String, Table, Text, UniqueConstraint

metadata = MetaData()

visits = Table(
    "moh_visits",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("facility", String(5), nullable=False),
    Column("ma_lk", String(100), nullable=False),
    Column("cccd", String(20), nullable=False, index=True),
    Column("transaction_id", String(40), nullable=False),
    Column("received_at", String(40), nullable=False),
    Column("stored_at", DateTime(timezone=True), nullable=False),
    Column("visible_at", DateTime(timezone=True), nullable=False),
    Column("versions", Integer, nullable=False, default=1),
    Column("referred_to", String(5), nullable=False, default=""),
    Column("document", Text, nullable=False),
    UniqueConstraint("facility", "ma_lk", name="uq_moh_visit"),
)

patients = Table(
    "moh_patients",
    metadata,
    Column("cccd", String(20), primary_key=True),
    Column("name", String(255), nullable=False),
    Column("dob", String(10), nullable=False),
    Column("sex", String(1), nullable=False),
)

immunisations = Table(
    "moh_immunisations",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("cccd", String(20), nullable=False, index=True),
    Column("vaccine", String(20), nullable=False),
    Column("name", String(255), nullable=False),
    Column("cvx", String(10), nullable=False),
    Column("dose", Integer, nullable=False),
    Column("day", String(10), nullable=False),
    Column("facility", String(5), nullable=False),
    UniqueConstraint("cccd", "vaccine", "dose", name="uq_moh_immunisation"),
)

clients = Table(
    "moh_clients",
    metadata,
    Column("client_id", String(100), primary_key=True),
    Column("secret_sha256", String(64), nullable=False),
    Column("facility", String(5), nullable=False),
    Column("scopes", Text, nullable=False),
    Column("gln", String(13), nullable=False, default=""),
    Column("cert_pem", Text, nullable=False, default=""),
)

consents = Table(
    "moh_consents",
    metadata,
    Column("cccd", String(20), primary_key=True),
    Column("facility", String(5), primary_key=True),
    Column("granted_by", String(20), nullable=False),
    Column("granted_at", DateTime(timezone=True), nullable=False),
)

ksk_messages = Table(
    "moh_ksk_messages",
    metadata,
    Column("msg_id", String(64), primary_key=True),
    Column("sender_id", String(13), nullable=False),
    Column("client_id", String(100), nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False),
    Column("payload", LargeBinary, nullable=False),
)

# Who read whose data, why and when (CV 365/TTYQG: log every transaction, reads included) [S].
access_log = Table(
    "moh_access_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("actor", String(100), nullable=False),
    Column("subject", String(20), nullable=False, index=True),
    Column("purpose", String(100), nullable=False),
    Column("path", String(500), nullable=False),
    Column("outcome", String(20), nullable=False),
)
