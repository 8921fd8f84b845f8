"""Simulated health facilities (cơ sở KCB) and their gateway accounts."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from lienthong.simulators.pki import SigningKey, shared_authority

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

    @property
    def staff(self) -> tuple[str, str]:
        """(name, CCCD) of the staff member registered to look cards up for this facility."""
        return staff_of(self.code)


def staff_of(code: str) -> tuple[str, str]:
    """(name, CCCD) of the card-lookup staff member the simulated gateway registers for ``code``."""
    digits = "".join(ch for ch in code if ch.isdigit()).ljust(5, "0")
    return f"Lê Thị Tra Cứu {code}", f"0{digits[:2]}190{digits[2:5]}001"


def facilities(seed: int, count: int = 3) -> list[Facility]:
    """The first ``count`` simulated facilities of a network built with ``seed``."""
    if not 1 <= count <= len(_FACILITIES):
        raise ValueError(f"facilities: count must be 1..{len(_FACILITIES)}, got {count}")
    return [Facility(code, name, level, seed) for code, name, level in _FACILITIES[:count]]


def facility_keys(sites: list[Facility], keys_dir: Path | None = None) -> dict[str, SigningKey]:
    """Each facility's signing key and certificate from the simulated CA.

    With ``keys_dir`` the PEM files ``<code>.key.pem`` / ``<code>.cert.pem`` are reused when present
    and written when not, so a restarted network (or a node in another process) keeps the same keys.
    """
    keys: dict[str, SigningKey] = {}
    for site in sites:
        key_path, cert_path = _key_paths(keys_dir, site.code) if keys_dir else (None, None)
        if key_path and cert_path and key_path.exists() and cert_path.exists():
            keys[site.code] = SigningKey(key_path.read_bytes(), cert_path.read_bytes())
            continue
        keys[site.code] = shared_authority().issue(f"{site.name} ({site.code})")
        if key_path and cert_path:
            key_path.parent.mkdir(parents=True, exist_ok=True)
            key_path.write_bytes(keys[site.code].key_pem)
            cert_path.write_bytes(keys[site.code].cert_pem)
    return keys


def _key_paths(keys_dir: Path, code: str) -> tuple[Path, Path]:
    return keys_dir / f"{code}.key.pem", keys_dir / f"{code}.cert.pem"
