"""Simulated health facilities (cơ sở KCB) and their gateway accounts."""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from lienthong.simulators import population
from lienthong.simulators.pki import SigningKey, shared_authority
from lienthong.simulators.population.facilities import by_code

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
    def moh_secret(self) -> str:
        """The facility's client secret on the MoH store (client id: its code), for
        ``POST /oauth/token`` and the KSK push's ``/api/auth/login``: another credential than the
        BHXH portal password, as the two systems issue their own."""
        return f"lt-moh-{self.code}-{self.seed}"

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


_LEVELS = {1: 1, 2: 1, 3: 2, 4: 3, 5: 3}
"""National level (central, provincial, regional, commune, private) -> ``Facility.level``."""
SURVEYED = 2000
"""Citizens whose visits choose the fleet's facilities (the busiest among them)."""


@cache
def fleet_facilities(seed: int, population_size: int, count: int) -> tuple[Facility, ...]:
    """The ``count`` national facilities (``population.facilities``) the population of ``seed`` visits
    most (ties by code), as facilities with portal accounts: the hospitals of a fleet."""
    if count < 0:
        raise ValueError(f"fleet_facilities: count must be >= 0, got {count}")
    visited: Counter[str] = Counter()
    for person in population.citizens(seed, 0, min(population_size, SURVEYED)):
        visited.update(visit.facility.code for visit in population.visits(person))
    codes = sorted(visited, key=lambda code: (-visited[code], code))[:count]
    if len(codes) < count:
        raise ValueError(f"fleet_facilities: the population visits only {len(codes)} facilities")
    national = by_code()
    return tuple(Facility(c, national[c].name, _LEVELS[national[c].level], seed) for c in codes)


def network_facilities(seed: int, count: int, fleet: int = 0, population_size: int = 0) -> list[Facility]:
    """The ``count`` simulated facilities, then the fleet's (codes not already taken)."""
    sites = facilities(seed, count)
    taken = {site.code for site in sites}
    extra = fleet_facilities(seed, population_size, fleet) if fleet else ()
    return sites + [site for site in extra if site.code not in taken]


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
        keys[site.code] = shared_authority().issue(subject_of(site))
        if key_path and cert_path:
            key_path.parent.mkdir(parents=True, exist_ok=True)
            key_path.write_bytes(keys[site.code].key_pem)
            cert_path.write_bytes(keys[site.code].cert_pem)
    return keys


UB_COMMON_NAME = 64
"""Longest X.509 common name in UTF-8 bytes (as ``cryptography`` counts it); Vietnamese names run longer."""


def subject_of(site: Facility) -> str:
    """The certificate common name: the facility name, shortened to fit, and its code."""
    suffix = f" ({site.code})"
    if len((site.name + suffix).encode("utf-8")) <= UB_COMMON_NAME:
        return site.name + suffix
    name = site.name
    while len((name + "…" + suffix).encode("utf-8")) > UB_COMMON_NAME:
        name = name[:-1]
    return name.rstrip() + "…" + suffix


def key_paths(keys_dir: Path, code: str) -> tuple[Path, Path]:
    """Where :func:`facility_keys` keeps the key and the certificate of facility ``code``."""
    return keys_dir / f"{code}.key.pem", keys_dir / f"{code}.cert.pem"


_key_paths = key_paths
