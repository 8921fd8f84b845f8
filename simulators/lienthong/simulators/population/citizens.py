"""Citizens: identifiers, names with diacritics, birth, sex and address.

The CCCD's six last digits are a bijection of the index inside its (province, century-sex, year)
block, so numbers are unique by construction without any collision check.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from lienthong.profiles.codelists import birth_provinces
from lienthong.profiles.identifiers import cccd_century_digit

_SURNAMES = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ")
_MALE_MIDDLE = ("Văn", "Hữu", "Đức", "Minh", "Quang", "Thành")
_FEMALE_MIDDLE = ("Thị", "Ngọc", "Thu", "Thanh", "Minh", "Phương")
_MALE_GIVEN = ("An", "Bình", "Cường", "Dũng", "Hùng", "Khoa", "Long", "Nam", "Phúc", "Quân", "Sơn", "Tuấn")
_FEMALE_GIVEN = ("Anh", "Châu", "Dung", "Giang", "Hà", "Hạnh", "Lan", "Linh", "Mai", "Ngọc", "Thảo", "Yến")
_COMMUNES = (
    ("01", "Phường Ba Đình, Thành phố Hà Nội"),
    ("79", "Phường Sài Gòn, Thành phố Hồ Chí Minh"),
    ("48", "Phường Hải Châu, Thành phố Đà Nẵng"),
    ("31", "Phường Hồng Bàng, Thành phố Hải Phòng"),
    ("92", "Phường Ninh Kiều, Thành phố Cần Thơ"),
    ("46", "Phường Thuận Hóa, Thành phố Huế"),
)


@dataclass(frozen=True, slots=True)
class Citizen:
    """One synthetic person, everything derived from (seed, index)."""

    seed: int
    index: int
    cccd: str
    bhxh: str
    """10-digit BHXH number."""
    bhyt: str
    """15-character BHYT card code."""
    name: str
    dob: date
    sex: int
    """GIOI_TINH: 1 male, 2 female."""
    address: str
    province: str
    """Two-digit province code of residence."""
    phone: str
    password: str
    """The citizen's synthetic VNeID password (for the simulated sign-in)."""


def citizen(seed: int, index: int) -> Citizen:
    """The citizen number ``index`` of the population of ``seed``."""
    rng = random.Random(f"lienthong-citizen:{seed}:{index}")
    sex = 1 if rng.random() < 0.497 else 2
    dob = date(rng.randint(1940, 2024), rng.randint(1, 12), rng.randint(1, 28))
    province = sorted(birth_provinces())[index % len(birth_provinces())]
    serial = (index * 7919 + seed * 104729) % 1_000_000  # 7919 is coprime to 10**6: a bijection
    cccd = f"{province}{cccd_century_digit(dob.year, sex)}{dob.year % 100:02d}{serial:06d}"
    bhxh = f"{province[1:]}{(index * 9973 + seed) % 100_000_000:08d}"
    group = "TE" if (date(2026, 1, 1) - dob).days < 6 * 365 else rng.choice(("DN", "HC", "GD", "HT"))
    benefit = "1" if group == "TE" else rng.choice("2345")
    middle = rng.choice(_MALE_MIDDLE if sex == 1 else _FEMALE_MIDDLE)
    given = rng.choice(_MALE_GIVEN if sex == 1 else _FEMALE_GIVEN)
    home_province, commune = rng.choice(_COMMUNES)
    return Citizen(
        seed=seed,
        index=index,
        cccd=cccd,
        bhxh=bhxh,
        bhyt=f"{group}{benefit}{home_province}{bhxh}",
        name=f"{rng.choice(_SURNAMES)} {middle} {given}",
        dob=dob,
        sex=sex,
        address=f"Số {rng.randint(1, 300)} đường {rng.randint(1, 40)}, {commune}",
        province=home_province,
        phone="0" + rng.choice("3579") + f"{rng.randint(0, 99_999_999):08d}",
        password=f"vneid-{seed}-{index}",
    )


def citizens(seed: int, start: int = 0, count: int = 100) -> Iterator[Citizen]:
    """Citizens ``start`` .. ``start + count - 1`` of the population of ``seed``."""
    for index in range(start, start + count):
        yield citizen(seed, index)
