"""Cross-field rules inside one record, per table (validation sheet and QĐ 3176 notes)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

from lienthong.profiles.codelists import code_windows
from lienthong.profiles.identifiers import cccd_century_digit
from lienthong.profiles.validator import native
from lienthong.profiles.validator.diagnosis_rules import main_diagnosis_allowed
from lienthong.profiles.validator.formats import money, valid_date8, valid_time12
from lienthong.profiles.validator.registry import rule

Found = list[tuple[str, str, str, str, int]]
RecordRule = Callable[[dict[str, str], int, Found], None]
_CENT = Decimal("0.01")
_HUNDRED = Decimal(100)


def _round2(value: Decimal) -> Decimal:
    return value.quantize(_CENT, rounding=ROUND_HALF_UP)


# The amount rules first ask the compiled helpers (native.py) whether the amounts agree exactly in
# whole cents: the same arithmetic as Decimal's on plain numbers, without building Decimals. Only a
# "yes" is taken; anything else (unequal, not a plain number, no extension) goes on to the Decimal
# arithmetic, which decides and writes the message.


def _holds(text: str, factors: tuple[str, ...], hundreds: int) -> bool:
    """Whether the amount ``text`` is exactly round(product of ``factors`` / 100**hundreds, 2)."""
    expected = native.product_cents(factors, hundreds)
    return expected is not None and expected == native.cents(text)


@lru_cache(maxsize=4096)  # a dossier's birth year and sex, asked for again by the next dossier
def _birth_digits(year_text: str, sex: str) -> tuple[int, str, int | None, str | None]:
    """(year, its last two digits as SO_CCCD writes them, the fourth digit for GIOI_TINH ``sex`` or
    None, and digits 4-6 of a SO_CCCD that agrees with both, or None) of the four digits
    ``year_text``."""
    year = int(year_text)
    century = None
    if sex in ("1", "2"):
        with contextlib.suppress(ValueError):
            century = cccd_century_digit(year, int(sex))
    digits = f"{year % 100:02d}"
    return year, digits, century, None if century is None else f"{century}{digits}"


_AGREEING: dict[str, str] = {}
"""Birth year digits + GIOI_TINH -> digits 4-6 of a SO_CCCD that agrees with both (what
:func:`_birth_digits` says, kept as one dict lookup: asked for by most records of XML0 and XML1)."""


@rule("record", "ID-CCCD-02")
def cccd_matches_birth(r: dict[str, str], i: int, out: Found) -> None:
    """The century/sex digit and birth-year digits of SO_CCCD agree with NGAY_SINH and GIOI_TINH."""
    value = r.get("SO_CCCD", "")
    birth, sex = r.get("NGAY_SINH", ""), r.get("GIOI_TINH", "")
    if value[3:6] == _AGREEING.get(birth[:4] + sex):
        return  # both digits agree (the usual case; any other way out of here finds nothing too)
    if len(value) != 12 or not _ascii_digits(value) or len(birth) < 4 or not _ascii_digits(birth[:4]):
        return  # not digits 0-9 (isdigit alone takes '²', which int() refuses): the field check says
    year, year_digits, expected, agreeing = _birth_digits(birth[:4], sex)
    if agreeing is not None and len(_AGREEING) < 4096:
        _AGREEING[birth[:4] + sex] = agreeing
    if value[3:6] == agreeing:
        return  # both digits agree
    if value[4:6] != year_digits:
        out.append(
            (
                "ID-CCCD-02",
                "SO_CCCD",
                value,
                f"digits 5-6 ({value[4:6]}) must be the last two digits of the birth year "
                f"{year} from NGAY_SINH",
                i,
            )
        )
    if expected is not None and int(value[3]) != expected:
        who = "male" if sex == "1" else "female"
        out.append(
            (
                "ID-CCCD-02",
                "SO_CCCD",
                value,
                f"fourth digit {value[3]} does not match a {who} born in {year} (expected {expected})",
                i,
            )
        )


@rule("record", "XML0-04")
def checkin_first_cost(r: dict[str, str], i: int, out: Found) -> None:
    """Exactly one of MA_DICH_VU, MA_THUOC, MA_VAT_TU is filled, with its name."""
    get = r.get
    if get("MA_DICH_VU") and get("TEN_DICH_VU") and not get("MA_THUOC") and not get("MA_VAT_TU"):
        return  # the usual check-in: one service, named
    named = [
        (c, n)
        for c, n in (("MA_DICH_VU", "TEN_DICH_VU"), ("MA_THUOC", "TEN_THUOC"), ("MA_VAT_TU", "TEN_VAT_TU"))
        if r.get(c)
    ]
    if len(named) != 1:
        out.append(
            (
                "XML0-04",
                "MA_DICH_VU/MA_THUOC/MA_VAT_TU",
                ",".join(c for c, _ in named),
                "exactly one of MA_DICH_VU, MA_THUOC, MA_VAT_TU must be filled",
                i,
            )
        )
    for code, name in named:
        if not r.get(name):
            out.append(("XML0-04", name, "", f"is required when {code} is filled", i))


@rule("record", "XML0-05")
def checkin_admission(r: dict[str, str], i: int, out: Found) -> None:
    """NGAY_VAO_NOI_TRU, when set, is not before NGAY_VAO and comes with LY_DO_VNT."""
    admitted, arrived = r.get("NGAY_VAO_NOI_TRU", ""), r.get("NGAY_VAO", "")
    if admitted:
        if arrived and admitted < arrived:
            out.append(
                ("XML0-05", "NGAY_VAO_NOI_TRU", admitted, f"must not be before NGAY_VAO ({arrived})", i)
            )
        if not r.get("LY_DO_VNT"):
            out.append(("XML0-05", "LY_DO_VNT", "", "is required when NGAY_VAO_NOI_TRU is set", i))


@rule("record", "XML1-03")
def visit_times_ordered(r: dict[str, str], i: int, out: Found) -> None:
    """NGAY_VAO <= NGAY_VAO_NOI_TRU <= NGAY_RA."""
    arrived, admitted, left = r.get("NGAY_VAO", ""), r.get("NGAY_VAO_NOI_TRU", ""), r.get("NGAY_RA", "")
    if admitted and arrived and admitted < arrived:
        out.append(("XML1-03", "NGAY_VAO_NOI_TRU", admitted, f"must not be before NGAY_VAO ({arrived})", i))
    start = admitted or arrived
    if left and start and left < start:
        which = "NGAY_VAO_NOI_TRU" if admitted else "NGAY_VAO"
        out.append(("XML1-03", "NGAY_RA", left, f"must not be before {which} ({start})", i))


@rule("record", "XML1-04")
def fund_payment(r: dict[str, str], i: int, out: Found) -> None:
    """T_BHTT = T_TONGCHI_BH - T_BNCCT in decimal arithmetic."""
    if native.COMPILED:
        cents = native.cents
        paid, owed, copaid = (
            cents(r.get("T_BHTT", "")),
            cents(r.get("T_TONGCHI_BH", "")),
            cents(r.get("T_BNCCT", "")),
        )
        if paid is not None and owed is not None and copaid is not None and paid == owed - copaid:
            return
    total, copay, fund = (
        money(r.get("T_TONGCHI_BH", "")),
        money(r.get("T_BNCCT", "")),
        money(r.get("T_BHTT", "")),
    )
    if total is None or copay is None or fund is None:
        return
    if fund != total - copay:
        out.append(
            (
                "XML1-04",
                "T_BHTT",
                r.get("T_BHTT", ""),
                f"must equal T_TONGCHI_BH - T_BNCCT = {total - copay}",
                i,
            )
        )


_DAYS_BY_FORMULA = {"01", "03", "04", "06"}
_DAYS_AT_MOST = {"02", "05", "07", "08"}


_DAY_NUMBERS: dict[str, int | None] = {}
_UNSEEN = -1


_DATE_NUMBERS: dict[str, int | None] = {}
_CLOCK_TIMES = frozenset(f"{hour:02d}{minute:02d}" for hour in range(24) for minute in range(60))
"""Every HHMM of a 24-hour clock, in ASCII digits."""


def _ascii_digits(value: str) -> bool:
    return value.isascii() and value.isdigit()


def _ordinal(value: str) -> int | None:
    """The proleptic ordinal of the date a valid yyyymmdd[HHMM] starts with; None for year 0000,
    which the format admits and ``date`` does not (a rule then reports nothing: the value is the
    field's to report, never a traceback)."""
    try:
        return date(int(value[:4]), int(value[4:6]), int(value[6:8])).toordinal()
    except ValueError:
        return None


def _day_number(value: str) -> int | None:
    """The day (proleptic ordinal) of a valid yyyymmddHHMM time, else None. A time of day of
    :data:`_CLOCK_TIMES` is checked here and its date looked up (dates repeat, times of day hardly:
    ``valid_time12`` then holds exactly when the date is valid); any other value as
    :func:`_time_day_number` says."""
    if len(value) == 12 and value[8:] in _CLOCK_TIMES:
        date8 = value[:8]
        day = _DATE_NUMBERS.get(date8, _UNSEEN)
        if day == _UNSEEN:
            valid = valid_date8(date8)
            day = _ordinal(date8) if valid else None
            if len(_DATE_NUMBERS) < 200_000:
                _DATE_NUMBERS[date8] = day
        return day
    return _time_day_number(value)


def _time_day_number(value: str) -> int | None:
    """The day (proleptic ordinal) of a valid yyyymmddHHMM time, else None; memoised."""
    day = _DAY_NUMBERS.get(value, _UNSEEN)
    if day != _UNSEEN:
        return day
    day = _ordinal(value) if valid_time12(value) else None
    if len(_DAY_NUMBERS) < 200_000:
        _DAY_NUMBERS[value] = day
    return day


@rule("record", "XML1-08")
def treatment_days(r: dict[str, str], i: int, out: Found) -> None:
    """SO_NGAY_DTRI by visit type: NGAY_RA - NGAY_VAO + 1, at most that for 02/05/07/08, 0 for 09."""
    value, kind = r.get("SO_NGAY_DTRI", ""), r.get("MA_LOAI_KCB", "")
    if not (value.isascii() and value.isdigit()):
        return
    days = int(value)
    if kind == "09":
        if days != 0:
            out.append(("XML1-08", "SO_NGAY_DTRI", value, "must be 0 for MA_LOAI_KCB 09", i))
        return
    if kind not in _DAYS_BY_FORMULA and (kind not in _DAYS_AT_MOST or days <= 1):
        return  # no bound, or at most a span, which is at least 1
    arrived, left = _day_number(r.get("NGAY_VAO", "")), _day_number(r.get("NGAY_RA", ""))
    if arrived is None or left is None:
        return
    span = left - arrived + 1
    if span < 1:
        return
    if kind in _DAYS_BY_FORMULA and days != span:
        out.append(
            (
                "XML1-08",
                "SO_NGAY_DTRI",
                value,
                f"must equal NGAY_RA - NGAY_VAO + 1 = {span} for MA_LOAI_KCB {kind}",
                i,
            )
        )
    elif kind in _DAYS_AT_MOST and days > span:
        out.append(
            (
                "XML1-08",
                "SO_NGAY_DTRI",
                value,
                f"must not exceed NGAY_RA - NGAY_VAO + 1 = {span} for MA_LOAI_KCB {kind}",
                i,
            )
        )


_QD1804_CODES = frozenset(f"{n:02d}" for n in range(10, 17))


@rule("record", "CODE-02")
def visit_type_list_by_date(r: dict[str, str], i: int, out: Found) -> None:
    """MA_LOAI_KCB 10-16 (QĐ 1804) only for visits ending on or after 19/06/2026."""
    kind, left = r.get("MA_LOAI_KCB", ""), r.get("NGAY_RA", "") or r.get("NGAY_VAO", "")
    if kind in _QD1804_CODES and left[:8] < "20260619":
        out.append(
            (
                "CODE-02",
                "MA_LOAI_KCB",
                kind,
                "codes 10-16 come from QĐ 1804/QĐ-BYT (19/06/2026); the visit ended earlier, "
                "when only the 9-code list of QĐ 824 applied",
                i,
            )
        )


_CATEGORY_WINDOWS = code_windows("MA_DOITUONG_KCB")
"""Only the codes one era lacks (1.8 TB, 7.1, ... of QĐ 824; 1.11-1.18, 7, 10 of QĐ 3276): the rest
pass on any date with one dict lookup."""


def _day_text(day: str) -> str:
    return f"{day[6:8]}/{day[4:6]}/{day[:4]}"


@rule("record", "CODE-03")
def patient_category_list_by_date(r: dict[str, str], i: int, out: Found) -> None:
    """MA_DOITUONG_KCB is a code of the list in force when the episode ended (NGAY_RA, else NGAY_VAO)."""
    code = r.get("MA_DOITUONG_KCB", "")
    windows = _CATEGORY_WINDOWS.get(code)
    if windows is None:
        return
    day = (r.get("NGAY_RA", "") or r.get("NGAY_VAO", ""))[:8]
    if len(day) != 8 or not day.isdigit():
        return
    for start, end in windows:  # a plain loop: in_window's generator costs a microsecond here
        if start <= day and (not end or day < end):
            return
    start, end = windows[0]
    if end:
        why = (
            f"is a code of the QĐ 824/QĐ-BYT PL2 list only, not accepted for an episode ending on or "
            f"after {_day_text(end)} (QĐ 3276/QĐ-BYT PL1 applies)"
        )
    else:
        why = (
            f"comes from QĐ 3276/QĐ-BYT PL1, accepted only for episodes ending on or after "
            f"{_day_text(start)}; this one ended earlier, under the QĐ 824/QĐ-BYT PL2 list"
        )
    out.append(("CODE-03", "MA_DOITUONG_KCB", code, why, i))


def _amount_rule(
    req: str, r: dict[str, str], i: int, out: Found, field: str, expected: Decimal, formula: str
) -> None:
    text = r.get(field, "")
    value = money(text)
    if value is not None and value != expected:
        out.append((req, field, text, f"must equal {formula} = {expected}", i))


@rule("record", "XML2-03")
def drug_amounts(r: dict[str, str], i: int, out: Found) -> None:
    """THANH_TIEN_BV = round(SO_LUONG x DON_GIA, 2); THANH_TIEN_BH adds x TYLE_TT_BH / 100."""
    get = r.get
    qty_text, price_text, rate_text = get("SO_LUONG", ""), get("DON_GIA", ""), get("TYLE_TT_BH", "")
    if (
        native.COMPILED
        and _holds(get("THANH_TIEN_BV", ""), (qty_text, price_text), 0)
        and (not rate_text or _holds(get("THANH_TIEN_BH", ""), (qty_text, price_text, rate_text), 1))
    ):
        return
    qty, price, rate = money(qty_text), money(price_text), money(rate_text)
    if qty is None or price is None or rate is None or not qty_text or not price_text:
        return
    amount = qty * price
    _amount_rule("XML2-03", r, i, out, "THANH_TIEN_BV", _round2(amount), "round(SO_LUONG x DON_GIA, 2)")
    if rate_text:
        _amount_rule(
            "XML2-03",
            r,
            i,
            out,
            "THANH_TIEN_BH",
            _round2(amount * rate / _HUNDRED),
            "round(SO_LUONG x DON_GIA x TYLE_TT_BH / 100, 2)",
        )


@rule("record", "XML2-04")
def drug_tender(r: dict[str, str], i: int, out: Found) -> None:
    """TT_THAU is filled except for MA_NHOM 7 and 17 (blood)."""
    if not r.get("TT_THAU") and r.get("MA_NHOM") not in ("7", "17", ""):
        out.append(
            (
                "XML2-04",
                "TT_THAU",
                "",
                f"is required for MA_NHOM {r.get('MA_NHOM')} (only 7 and 17 may omit it)",
                i,
            )
        )


def _after_order(req: str, r: dict[str, str], i: int, out: Found, fields: tuple[str, ...]) -> None:
    ordered = r.get("NGAY_YL", "")
    if not ordered:
        return
    for field in fields:
        value = r.get(field, "")
        if value and value < ordered:
            out.append((req, field, value, f"must not be before NGAY_YL ({ordered})", i))


@rule("record", "XML2-05")
def drug_given_after_order(r: dict[str, str], i: int, out: Found) -> None:
    """NGAY_TH_YL of a drug is not before its NGAY_YL."""
    if r.get("NGAY_TH_YL", "") >= r.get("NGAY_YL", ""):
        return  # the usual drug (and neither set): nothing before the order
    _after_order("XML2-05", r, i, out, ("NGAY_TH_YL",))


@rule("record", "XML3-07")
def service_after_order(r: dict[str, str], i: int, out: Found) -> None:
    """NGAY_TH_YL and NGAY_KQ of a service are not before its NGAY_YL."""
    get = r.get
    ordered, given, result = get("NGAY_YL", ""), get("NGAY_TH_YL", ""), get("NGAY_KQ", "")
    if (given >= ordered or not given) and (result >= ordered or not result):
        return  # the usual service: nothing before the order
    _after_order("XML3-07", r, i, out, ("NGAY_TH_YL", "NGAY_KQ"))


@rule("record", "XML2-06")
def recurring_wound(r: dict[str, str], i: int, out: Found) -> None:
    """VET_THUONG_TP is empty or 1."""
    value = r.get("VET_THUONG_TP", "")
    if value not in ("", "1"):
        out.append(("XML2-06", "VET_THUONG_TP", value, "must be empty or 1", i))


@rule("record", "XML3-03")
def service_amounts(r: dict[str, str], i: int, out: Found) -> None:
    """THANH_TIEN_BV = round(SO_LUONG x DON_GIA_BV x TYLE_TT_DV/100, 2); THANH_TIEN_BH likewise with
    DON_GIA_BH and x TYLE_TT_BH/100 (TYLE_TT_DV empty counts as 100)."""
    get = r.get
    qty_text, rate_text = get("SO_LUONG", ""), get("TYLE_TT_BH", "")
    if native.COMPILED:
        share = get("TYLE_TT_DV", "") or "100"
        if _holds(get("THANH_TIEN_BV", ""), (qty_text, get("DON_GIA_BV", ""), share), 1) and (
            not rate_text
            or _holds(get("THANH_TIEN_BH", ""), (qty_text, get("DON_GIA_BH", ""), share, rate_text), 2)
        ):
            return
    qty, bv, bh = money(qty_text), money(get("DON_GIA_BV", "")), money(get("DON_GIA_BH", ""))
    dv, rate = money(get("TYLE_TT_DV", "") or "100"), money(rate_text)
    if qty is None or bv is None or bh is None or dv is None or rate is None or not qty_text:
        return
    _amount_rule(
        "XML3-03",
        r,
        i,
        out,
        "THANH_TIEN_BV",
        _round2(qty * bv * dv / _HUNDRED),
        "round(SO_LUONG x DON_GIA_BV x TYLE_TT_DV / 100, 2)",
    )
    if rate_text:
        _amount_rule(
            "XML3-03",
            r,
            i,
            out,
            "THANH_TIEN_BH",
            _round2(qty * bh * dv / _HUNDRED * rate / _HUNDRED),
            "round(SO_LUONG x DON_GIA_BH x TYLE_TT_DV / 100 x TYLE_TT_BH / 100, 2)",
        )


_PERFORMED = {"1", "2", "3", "8", "18"}


@rule("record", "XML3-04", "XML3-05", "XML3-06")
def service_conditional_fields(r: dict[str, str], i: int, out: Found) -> None:
    """MA_XANG_DAU for MA_NHOM 12; TT_THAU for 10; NGUOI_THUC_HIEN and NGAY_TH_YL for 1,2,3,8,18."""
    group = r.get("MA_NHOM", "")
    if group == "12" and not r.get("MA_XANG_DAU"):
        out.append(("XML3-04", "MA_XANG_DAU", "", "is required for MA_NHOM 12 (transport)", i))
    if group == "10" and not r.get("TT_THAU"):
        out.append(("XML3-05", "TT_THAU", "", "is required for MA_NHOM 10 (consumables)", i))
    if group in _PERFORMED:
        for field in ("NGUOI_THUC_HIEN", "NGAY_TH_YL"):
            if not r.get(field):
                out.append(("XML3-06", field, "", f"is required for MA_NHOM {group}", i))


@rule("record", "XML4-03")
def result_time(r: dict[str, str], i: int, out: Found) -> None:
    """NGAY_KQ is filled when GIA_TRI is."""
    if r.get("GIA_TRI") and not r.get("NGAY_KQ"):
        out.append(("XML4-03", "NGAY_KQ", "", "is required when GIA_TRI is filled", i))


@rule("record", "XML7-03", "XML7-04", "XML7-05")
def discharge_paper(r: dict[str, str], i: int, out: Found) -> None:
    """Termination details when MA_DINH_CHI_THAI = 1; TUOI_THAI 1-42; leave fields all or none."""
    if r.get("MA_DINH_CHI_THAI") == "1":
        for field in ("NGUYENNHAN_DINHCHI", "THOIGIAN_DINHCHI", "TUOI_THAI"):
            if not r.get(field):
                out.append(("XML7-03", field, "", "is required when MA_DINH_CHI_THAI = 1", i))
    age = r.get("TUOI_THAI", "")
    if age and (not _ascii_digits(age) or not 1 <= int(age) <= 42):
        out.append(("XML7-05", "TUOI_THAI", age, "must be a gestational age of 1 to 42 weeks", i))
    leave = [f for f in ("SO_NGAY_NGHI", "NGOAITRU_TUNGAY", "NGOAITRU_DENNGAY") if r.get(f)]
    if leave and len(leave) != 3:
        missing = [f for f in ("SO_NGAY_NGHI", "NGOAITRU_TUNGAY", "NGOAITRU_DENNGAY") if f not in leave]
        out.append(
            (
                "XML7-04",
                missing[0],
                "",
                "SO_NGAY_NGHI, NGOAITRU_TUNGAY and NGOAITRU_DENNGAY "
                f"are all filled or all empty ({', '.join(leave)} filled)",
                i,
            )
        )


@rule("record", "XML14-04", "XML14-05")
def appointment_dates(r: dict[str, str], i: int, out: Found) -> None:
    """NGAY_HEN_KL is not before NGAY_RA; NGAY_CT is not before NGAY_VAO (by date)."""
    due, left = r.get("NGAY_HEN_KL", ""), r.get("NGAY_RA", "")
    if due and left and due[:8] < left[:8]:
        out.append(("XML14-04", "NGAY_HEN_KL", due, f"must not be before NGAY_RA ({left})", i))
    issued, arrived = r.get("NGAY_CT", ""), r.get("NGAY_VAO", "")
    if issued and arrived and valid_date8(issued) and issued < arrived[:8]:
        out.append(("XML14-05", "NGAY_CT", issued, f"must not be before NGAY_VAO ({arrived})", i))


def _earliest(dates: str) -> str | None:
    """The earliest valid yyyymmdd of ``dates`` (several separated by ``;``), or None."""
    if ";" not in dates:
        return dates if valid_date8(dates) else None
    valid = [d for d in dates.split(";") if valid_date8(d)]
    return min(valid) if valid else None


def _latest(dates: str) -> str | None:
    """The latest valid yyyymmdd of ``dates`` (several separated by ``;``), or None."""
    if ";" not in dates:
        return dates if valid_date8(dates) else None
    valid = [d for d in dates.split(";") if valid_date8(d)]
    return max(valid) if valid else None


@rule("record", "CARD-02")
def card_covers_visit(r: dict[str, str], i: int, out: Found) -> None:
    """A BHYT visit begins within the validity its cards state: NGAY_VAO not before the first
    GT_THE_TU nor after the last GT_THE_DEN (several cards, ``;``, when one is issued in the stay)."""
    get = r.get
    arrived, first, last = get("NGAY_VAO", "")[:8], get("GT_THE_TU", ""), get("GT_THE_DEN", "")
    if first <= arrived <= last and ";" not in first and ";" not in last:
        return  # one card, valid from before the visit to after it (whatever the dates are)
    if not get("MA_THE_BHYT"):
        return  # not a BHYT visit
    if not valid_date8(arrived):
        return  # the format rule (FMT-01) has reported it
    if ";" in first or ";" in last:  # several cards
        start, end = _earliest(first), _latest(last)
    else:  # one card, its own dates (_earliest and _latest of one date)
        start = first if valid_date8(first) else None
        end = last if valid_date8(last) else None
    if start is not None and arrived < start:
        out.append(
            (
                "CARD-02",
                "GT_THE_TU",
                r["GT_THE_TU"],
                f"the card is valid only from {start}, after the visit began (NGAY_VAO {arrived})",
                i,
            )
        )
    if end is not None and arrived > end:
        out.append(
            (
                "CARD-02",
                "GT_THE_DEN",
                r["GT_THE_DEN"],
                f"the card expired on {end}, before the visit began (NGAY_VAO {arrived})",
                i,
            )
        )


RECORD_RULES: dict[str, tuple[RecordRule, ...]] = {
    "XML0": (
        cccd_matches_birth,
        checkin_first_cost,
        checkin_admission,
        patient_category_list_by_date,
        card_covers_visit,
    ),
    "XML1": (
        cccd_matches_birth,
        card_covers_visit,
        visit_times_ordered,
        fund_payment,
        treatment_days,
        visit_type_list_by_date,
        patient_category_list_by_date,
        main_diagnosis_allowed,
    ),
    "XML2": (drug_amounts, drug_tender, drug_given_after_order, recurring_wound),
    "XML3": (service_amounts, service_conditional_fields, service_after_order),
    "XML4": (result_time,),
    "XML7": (discharge_paper,),
    "XML14": (appointment_dates, patient_category_list_by_date),
    "XML15": (cccd_matches_birth,),
}
"""Table -> the record rules applied to each of its records."""
