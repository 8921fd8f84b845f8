"""The gateway's tables: accounts, sessions, the journal of every submission, episodes, outbox."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()

accounts = Table(
    "gw_accounts",
    metadata,
    Column("username", String(100), primary_key=True),
    Column("password_md5", String(32), nullable=False),
    Column("facility", String(5), nullable=False),
)

certificates = Table(
    "gw_certificates",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("facility", String(5), nullable=False, index=True),
    Column("cert_pem", Text, nullable=False),
)

sessions = Table(
    "gw_sessions",
    metadata,
    Column("access_token", String(64), primary_key=True),
    Column("id_token", String(64), nullable=False),
    Column("username", String(100), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
)

# Every request to the check-in and dossier endpoints, accepted or not: what the sender sent is
# the evidence the sender-direction checks judge.
submissions = Table(
    "gw_submissions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("transaction_id", String(40), index=True),
    Column("endpoint", String(100), nullable=False),
    Column("kind", String(10), nullable=False),
    Column("profile", String(20), nullable=False),
    Column("username", String(100), nullable=False, default=""),
    Column("session_facility", String(5), nullable=False, default=""),
    Column("ma_cskcb", String(20), nullable=False, default=""),
    Column("loai_ho_so", String(10), nullable=False, default=""),
    Column("ma_lk", String(100), nullable=False, default="", index=True),
    Column("result_code", String(5), nullable=False),
    Column("message", Text, nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False),
    Column("payload", LargeBinary, nullable=False),
    Column("signature_ok", Boolean),
    Column("errors", Text, nullable=False, default="[]"),
    # Field-level errors (JSON list) the facility can fetch later (feedback API).
)

# One row per accepted episode (facility, MA_LK): a replacement dossier updates it, no duplicate.
episodes = Table(
    "gw_episodes",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("facility", String(5), nullable=False),
    Column("ma_lk", String(100), nullable=False),
    Column("submission_id", Integer, nullable=False),
    Column("versions", Integer, nullable=False, default=1),
    Column("ma_the", String(20), nullable=False, default="", index=True),
    Column("summary", Text, nullable=False, default="{}"),
    # The latest XML1 fields shown in the card lookup's visit history (JSON).
    UniqueConstraint("facility", "ma_lk", name="uq_gw_episode"),
)

# Durable queue of forwards to C06 and the MoH store, written in the same transaction as the
# accepted submission, so an answer 200 is never lost to a crash.
outbox = Table(
    "gw_outbox",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("submission_id", Integer, nullable=False, unique=True),
    Column("status", String(20), nullable=False, index=True),
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", DateTime(timezone=True), nullable=False),
    Column("last_error", Text, nullable=False, default=""),
    Column("done_at", DateTime(timezone=True)),
    Column("faults", String(200), nullable=False, default=""),
    # Forward-time faults named by the request's X-Lienthong-Fault header (comma-separated).
)

# Staff allowed to look cards up for a facility (card-lookup codes 054/055).
staff = Table(
    "gw_staff",
    metadata,
    Column("facility", String(5), primary_key=True),
    Column("cccd", String(12), primary_key=True),
    Column("name", String(255), nullable=False),
)

# Every card lookup (dsLichSuKT2018 of later lookups of the same card).
lookups = Table(
    "gw_lookups",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("ma_the", String(20), nullable=False, index=True),
    Column("username", String(100), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("code", String(5), nullable=False),
    Column("message", Text, nullable=False),
)
