"""Identifier rules: personal ID (CCCD), BHYT card, BHXH number, facility code, GLN, licence codes.

Each ``*_problems`` function returns human-readable reasons the value breaks the rule (empty when
valid), so callers can attach them to the field, the value and the requirement ID.
"""

from __future__ import annotations

import re
from functools import cache

from lienthong.profiles.codelists import birth_provinces, codelist

# Beneficiary group codes (first two letters of the 15-character card), QĐ 1351/QĐ-BHXH as cited by
# vendor rule engines [S]; the official text was not read. Shipped as the BHYT_GROUP code list.
BHYT_GROUPS = frozenset(codelist("BHYT_GROUP"))
BENEFIT_DIGITS = frozenset(codelist("BHYT_BENEFIT"))

# Century/sex digit of the CCCD (TT 07/2016/TT-BCA Đ7) [S]: (century start year, sex) -> digit.
_CENTURIES = (1900, 2000, 2100, 2200, 2300)
_CCCD = re.compile(r"\d{12}")
_BHYT15 = re.compile(r"([A-Z]{2})(\d)(\d{2})(\d{10})")
_BHXH10 = re.compile(r"\d{10}")
_FACILITY = re.compile(r"[0-9A-Z]{5}")
_GLN = re.compile(r"\d{13}")
# Practising-licence (GPHN/CCHN) numbers have no published structure beyond the prefixes of
# mobilised (HD), telemedicine (TX) and technology-transfer (CG) staff [V] QĐ 3176 appendix; staff
# codes without a licence are written in parentheses (vendor notes [S]).
_LICENCE = re.compile(r"[0-9A-Za-z][0-9A-Za-z/._()\-]*")
_GPHN_PREFIXED = re.compile(r"GPHN\.(HD|TX|CG)\.[0-9A-Za-z/._()\-]+")


def cccd_century_digit(birth_year: int, sex: int) -> int:
    """The fourth CCCD digit for a birth year and GIOI_TINH (1 male, 2 female)."""
    century = (birth_year - 1900) // 100
    if not 0 <= century < len(_CENTURIES):
        raise ValueError(f"birth year {birth_year} is outside 1900-2399")
    return century * 2 + (1 if sex == 2 else 0)


@cache  # the card and facility checks ask for it on every value they have not seen
def bhyt_province_codes() -> frozenset[str]:
    """Two-digit issuing-province codes: the 63-era province codes, plus 97 and 98 (BHXH of the
    Ministries of Defence and Public Security) [I]."""
    return frozenset(code[1:] for code in birth_provinces()) | {"97", "98"}


def cccd_problems(value: str, *, birth_year: int | None = None, sex: int | None = None) -> list[str]:
    """Why ``value`` is not a valid personal ID number for a person born in ``birth_year``
    with GIOI_TINH ``sex``. No check digit exists in the texts, so none is tested."""
    if not _CCCD.fullmatch(value):
        return ["must be exactly 12 digits"]
    problems = []
    if value[:3] not in birth_provinces():
        problems.append(f"first three digits {value[:3]} are not a province-of-birth code")
    if birth_year is not None:
        if value[4:6] != f"{birth_year % 100:02d}":
            problems.append(
                f"digits 5-6 ({value[4:6]}) must be the birth year's last two digits ({birth_year % 100:02d})"
            )
        if sex in (1, 2):
            try:
                expected = cccd_century_digit(birth_year, sex)
            except ValueError as exc:
                problems.append(str(exc))
            else:
                if int(value[3]) != expected:
                    who = "male" if sex == 1 else "female"
                    problems.append(
                        f"fourth digit {value[3]} does not match a {who} born in {birth_year} "
                        f"(expected {expected})"
                    )
    return problems


def bhyt_problems(value: str) -> list[str]:
    """Why ``value`` is not a BHYT card code (15-character or 10-digit form)."""
    if _BHXH10.fullmatch(value):
        return []
    match = _BHYT15.fullmatch(value)
    if not match:
        return [
            "must be 2 letters + benefit digit + 2-digit province + 10-digit BHXH number, "
            "or the 10-digit BHXH number"
        ]
    group, benefit, province, _ = match.groups()
    problems = []
    if group not in BHYT_GROUPS:
        problems.append(f"group code {group} is not a known beneficiary group")
    if benefit not in BENEFIT_DIGITS:
        problems.append(f"benefit digit (character 3) {benefit} must be 1-5")
    if province not in bhyt_province_codes():
        problems.append(f"province code (characters 4-5) {province} is not a province code")
    return problems


def facility_problems(value: str) -> list[str]:
    """Why ``value`` is not a 5-character facility code starting with a province code."""
    if not _FACILITY.fullmatch(value):
        return ["must be 5 characters (digits or upper-case letters)"]
    if value[:2] not in bhyt_province_codes():
        return [f"first two characters {value[:2]} are not a province code"]
    return []


def bhxh_problems(value: str) -> list[str]:
    """Why ``value`` is not a 10-digit BHXH number (no check digit is published)."""
    return [] if _BHXH10.fullmatch(value) else ["must be the 10-digit BHXH number"]


def gln_check_digit(first12: str) -> int:
    """The GS1 check digit of a GLN/GTIN-13 body: weights 1 and 3 alternating from the left."""
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(first12))
    return (10 - total % 10) % 10


def gln_problems(value: str) -> list[str]:
    """Why ``value`` is not a 13-digit GS1 GLN with a correct check digit (the facility GLN used as
    sender_id by the MoH data hub; that the GS1 digit applies is [I])."""
    if not _GLN.fullmatch(value):
        return ["must be 13 digits (GS1 GLN)"]
    expected = gln_check_digit(value[:12])
    if int(value[12]) != expected:
        return [f"check digit {value[12]} is wrong; the GS1 check digit of {value[:12]} is {expected}"]
    return []


def licence_problems(value: str) -> list[str]:
    """Why ``value`` is not a practitioner licence code (or ;-separated list of them)."""
    problems = []
    for item in value.split(";"):
        if item.startswith("GPHN."):
            if not _GPHN_PREFIXED.fullmatch(item):
                problems.append(
                    f"{item!r} must be GPHN.HD.*, GPHN.TX.* or GPHN.CG.* followed by the licence number"
                )
        elif not _LICENCE.fullmatch(item):
            problems.append(
                f"{item!r} is not a licence number (letters, digits, / . _ - and parentheses, no spaces)"
            )
    return problems
