"""Value formats of the XML 130 tables as fast predicates (memoised: dossiers repeat values).

Each checker takes the text of a field and returns ``None`` when it is valid, or a
``(requirement, rule)`` pair naming the requirement it breaks and why, in words a user can act on.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Context, Decimal, InvalidOperation

from lienthong.profiles.codelists import is_icd10
from lienthong.profiles.identifiers import (
    bhxh_problems,
    bhyt_problems,
    cccd_problems,
    facility_problems,
    licence_problems,
)

Problem = tuple[str, str]
Checker = Callable[[str], "Problem | None"]

_DAYS = (0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
_D8 = re.compile(r"\d{8}")
_D12 = re.compile(r"\d{12}")
_ICD10 = re.compile(r"[A-Z]\d{2}(\.\d{1,3})?[A-Z0-9]?")
_NUMBER = re.compile(r"-?\d+(\.(\d+))?")
_INTEGER = re.compile(r"-?\d+")
_PERSON_ID = re.compile(r"\d{9}|[A-Z]\d{7}")  # old 9-digit ID; passport (validation sheet) [S]
_GOI_VTYT = re.compile(r"G([1-9]\d{0,2})")
_NATIONALITY = re.compile(r"\d{3}")
_CACHE_LIMIT = 200_000


_MEMOS: dict[Checker, dict[str, Problem | None]] = {}


def memo_of(check: Checker) -> dict[str, Problem | None] | None:
    """The memo of a checker of :data:`MEMOISED` (value -> its answer, filled by the checker), or
    None for another checker: the compiled scanner looks a value up there before calling it."""
    return _MEMOS.get(check)


def _memo(check: Checker) -> Checker:
    cache: dict[str, Problem | None] = {}

    def cached(value: str) -> Problem | None:
        try:
            return cache[value]
        except KeyError:
            result = check(value)
            if len(cache) < _CACHE_LIMIT:
                cache[value] = result
            return result

    _MEMOS[cached] = cache
    return cached


_DATE8: dict[str, bool] = {}


def valid_date8(value: str) -> bool:
    """A calendar date written yyyymmdd; memoised for 8-character values (the dates of a dossier
    repeat across its records and the dossiers of a day: the record rules ask for each several
    times)."""
    known = _DATE8.get(value)
    if known is not None:
        return known
    valid = _valid_date8(value)
    if len(value) == 8 and len(_DATE8) < _CACHE_LIMIT:
        _DATE8[value] = valid
    return valid


def _valid_date8(value: str) -> bool:
    if not _D8.fullmatch(value):
        return False
    year, month, day = int(value[:4]), int(value[4:6]), int(value[6:8])
    if not 1 <= month <= 12 or not 1 <= day <= _DAYS[month]:
        return False
    return not (month == 2 and day == 29 and not (year % 4 == 0 and (year % 100 or year % 400 == 0)))


def valid_time12(value: str, *, birth: bool = False) -> bool:
    """A point in time written yyyymmddHHMM; for NGAY_SINH, 0000 may stand for an unknown
    month-day or hour-minute."""
    if not _D12.fullmatch(value):
        return False
    date = value[:8]
    if birth and date[4:] == "0000":
        date = date[:4] + "0101"
    if not valid_date8(date):
        return False
    return int(value[8:10]) < 24 and int(value[10:12]) < 60


def _time12(value: str) -> Problem | None:
    if valid_time12(value):
        return None
    return "FMT-01", "must be a valid time written yyyymmddHHMM (12 digits, 24-hour clock)"


def _birth12(value: str) -> Problem | None:
    if valid_time12(value, birth=True):
        return None
    return (
        "FMT-01",
        "must be a valid time written yyyymmddHHMM (0000 allowed for unknown month-day or hour-minute)",
    )


def _time12or8(value: str) -> Problem | None:
    if valid_time12(value) or valid_date8(value):
        return None
    return "FMT-01", "must be a valid date yyyymmdd (8 digits) or time yyyymmddHHMM (12 digits)"


def _date8(value: str) -> Problem | None:
    if valid_date8(value):
        return None
    return "FMT-02", "must be a valid date written yyyymmdd (8 digits)"


def _date8list(value: str) -> Problem | None:
    if all(valid_date8(part) for part in value.split(";")):
        return None
    return "FMT-02", "must be valid dates written yyyymmdd (8 digits), several separated by ;"


def decimal_places(places: int) -> Checker:
    def check(value: str) -> Problem | None:
        match = _NUMBER.fullmatch(value)
        if match is None:
            return "FMT-03", "must be a number with a dot as decimal separator"
        if match.group(2) and len(match.group(2)) > places:
            return "FMT-03", f"has {len(match.group(2))} decimals; at most {places} are allowed"
        return None

    return check


def _decimal(value: str) -> Problem | None:
    if _NUMBER.fullmatch(value):
        return None
    return "FMT-03", "must be a number with a dot as decimal separator"


def _integer(value: str) -> Problem | None:
    return None if _INTEGER.fullmatch(value) else ("FMT-03", "must be a whole number")


def _cccd(value: str) -> Problem | None:
    if _PERSON_ID.fullmatch(value):
        return None
    problems = cccd_problems(value)
    if not problems:
        return None
    if problems == ["must be exactly 12 digits"]:
        return "ID-CCCD-01", (
            "must be a 12-digit personal ID number (or a 9-digit old ID number, "
            "or a passport number: one capital letter and 7 digits)"
        )
    return "ID-CCCD-01", "; ".join(problems)


def _bhyt(value: str) -> Problem | None:
    problems = bhyt_problems(value)
    return ("ID-BHYT-01", "; ".join(problems)) if problems else None


def _bhytlist(value: str) -> Problem | None:
    problems = [p for card in value.split(";") for p in bhyt_problems(card)]
    return ("ID-BHYT-01", "; ".join(problems)) if problems else None


def _facility(value: str) -> Problem | None:
    problems = facility_problems(value)
    return ("ID-CSKCB-01", "; ".join(problems)) if problems else None


def _facilitylist(value: str) -> Problem | None:
    problems = [p for code in value.split(";") for p in facility_problems(code)]
    return ("ID-CSKCB-01", "; ".join(problems)) if problems else None


def _bhxh10(value: str) -> Problem | None:
    problems = bhxh_problems(value)
    return ("ID-BHXH-01", "; ".join(problems)) if problems else None


def _licence(value: str) -> Problem | None:
    problems = licence_problems(value)
    return ("ID-GPHN-01", "; ".join(problems)) if problems else None


def _licence_or_cccd(value: str) -> Problem | None:
    if len(value) == 12 and value.isascii() and value.isdigit():  # a CCCD: '²' is a digit to isdigit
        return None
    return _licence(value)


def _icd10(value: str) -> Problem | None:
    if not _ICD10.fullmatch(value):
        return "XML1-05", "must be exactly one ICD-10 code (e.g. J18.9) of at most 7 characters"
    if not is_icd10(value):
        return "ICD-01", f"{value} is not an ICD-10 code"
    return None


def _icd10list(value: str) -> Problem | None:
    codes = value.split(";")
    if len(codes) > 12:
        return "XML1-05", f"holds {len(codes)} codes; at most 12 are allowed"
    bad = [c for c in codes if not _ICD10.fullmatch(c)]
    if bad:
        return "XML1-05", f"must be ICD-10 codes separated by ; ({', '.join(bad)} is not one)"
    unknown = [c for c in codes if not is_icd10(c)]
    if unknown:
        return "ICD-01", f"{', '.join(unknown)} is not an ICD-10 code"
    return None


def _goi_vtyt(value: str) -> Problem | None:
    if _GOI_VTYT.fullmatch(value):
        return None
    return "XML3-08", "must be G followed by the package number 1-999 (G1, G2, ...)"


def _nationality(value: str) -> Problem | None:
    if _NATIONALITY.fullmatch(value):
        return None
    return "CODE-01", "must be a 3-digit nationality code (000 = Việt Nam)"


FORMATS: dict[str, Checker] = {
    "datetime12": _time12,
    "birth12": _birth12,
    "datetime12or8": _time12or8,
    "date8": _date8,
    "date8list": _date8list,
    "decimal": _decimal,
    "decimal2": decimal_places(2),
    "decimal3": decimal_places(3),
    "integer": _integer,
    "cccd": _cccd,
    "bhyt": _bhyt,
    "bhytlist": _bhytlist,
    "facility": _facility,
    "facilitylist": _facilitylist,
    "bhxh10": _bhxh10,
    "licence": _licence,
    "licence_or_cccd": _licence_or_cccd,
    "icd10": _icd10,
    "icd10list": _icd10list,
    "goi_vtyt": _goi_vtyt,
    "nationality": _nationality,
}
"""Format name (the ``format`` column of the field tables) -> checker."""

MEMOISED = {name: _memo(check) for name, check in FORMATS.items()}


_MONEY: dict[str, Decimal | None] = {"": Decimal(0)}
_UNSEEN = Decimal("NaN")
"""Never a memoised value (a sentinel: money() never returns a NaN)."""

MONEY_CONTEXT = Context(prec=60)
"""The decimal context the amount rules run in (:mod:`lienthong.profiles.validation`). With the
default 28 digits, amounts that their fields allow (a 10-character quantity times a 15-character
price times two rates of up to 999 %) could need 30 digits, and rounding them to the cent would
raise. 60 digits keep every such product exact; the other settings are the default context's."""


def money(value: str) -> Decimal | None:
    """A decimal amount, or None when the text is not a finite number written without an exponent
    (the field check reports it; ``NaN``, ``sNaN``, ``Infinity`` or ``1E+999999`` would make the
    amount rules' arithmetic raise or compare nonsense).

    Memoised: prices, quantities and rates repeat across records (Decimal is immutable). A
    miss is common (amounts rarely repeat), so it is looked up without raising KeyError."""
    known = _MONEY.get(value, _UNSEEN)
    if known is not _UNSEEN:
        return known
    try:
        amount: Decimal | None = Decimal(value)
    except (InvalidOperation, ValueError):
        amount = None
    if amount is not None and (not amount.is_finite() or "e" in value or "E" in value):
        amount = None
    if len(_MONEY) < _CACHE_LIMIT:
        _MONEY[value] = amount
    return amount
