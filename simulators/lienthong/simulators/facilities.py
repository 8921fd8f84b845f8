"""Simulated health facilities (cơ sở KCB) and their gateway accounts."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

# Code = two-digit province code + three characters (QĐ 384/QĐ-BYT; first two characters are the
# province [I]). Names are synthetic.
_FACILITIES = (
    ("01001", "Bệnh viện Đa khoa Thủ đô (mô phỏng)", 1),
    ("79002", "Bệnh viện Nhân dân Sài Gòn (mô phỏng)", 1),
    ("48003", "Trung tâm Y tế Hải Châu (mô phỏng)", 2),
    ("31004", "Bệnh viện Đa khoa Hồng Bàng (mô phỏng)", 2),
    ("92005", "Trạm Y tế Phường Ninh Kiều (mô phỏng)", 3),
)


def md5_upper(text: str) -> str:
    """Upper-case hex MD5, the password form the BHXH token API expects [V] CV 1245."""
    return hashlib.md5(text.encode("utf-8")).hexdigest().upper()


@dataclass(frozen=True, slots=True)
class Facility:
    """A facility with its portal account (username ``<code>_BV`` like the portal's examples)."""

    code: str
    name: str
    level: int
    """1 central/provincial, 2 district-level, 3 commune-level (for realism only)."""
    seed: int

    @property
    def province(self) -> str:
        return self.code[:2]

    @property
    def username(self) -> str:
        return f"{self.code}_BV"

    @property
    def password(self) -> str:
        return f"lt-{self.code}-{self.seed}"


def facilities(seed: int, count: int = 3) -> list[Facility]:
    """The first ``count`` simulated facilities of a network built with ``seed``."""
    if not 1 <= count <= len(_FACILITIES):
        raise ValueError(f"facilities: count must be 1..{len(_FACILITIES)}, got {count}")
    return [Facility(code, name, level, seed) for code, name, level in _FACILITIES[:count]]
