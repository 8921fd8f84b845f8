"""C06's tables: identity records (one per ID number, cancelled numbers included) and guardian links."""

from __future__ import annotations

from sqlalchemy import Column, Integer, MetaData, String, Table

metadata = MetaData()

citizens = Table(
    "c06_citizens",
    metadata,
    Column("cccd", String(12), primary_key=True),
    Column("name", String(255), nullable=False),
    Column("dob", String(10), nullable=False),
    Column("sex", Integer, nullable=False),
    Column("address", String(1024), nullable=False),
    Column("phone", String(15), nullable=False),
    Column("password_sha256", String(64), nullable=False),
    # alive, deceased, or cancelled (a number replaced by a re-issued one)
    Column("status", String(20), nullable=False, default="alive"),
    Column("died_on", String(10), nullable=False, default=""),
    Column("replaced_by", String(12), nullable=False, default=""),
    # VNeID account level: 1 for children under 6, else 2 (NĐ 69/2024 Đ7, Đ14) [S]
    Column("level", Integer, nullable=False, default=2),
)

# Guardian -> ward: who manages a child's health book on VNeID (QĐ 2733 PL01 Đ7 k3) [S].
guardians = Table(
    "c06_guardians",
    metadata,
    Column("guardian", String(12), primary_key=True),
    Column("ward", String(12), primary_key=True),
    Column("relation", String(20), nullable=False),
)
