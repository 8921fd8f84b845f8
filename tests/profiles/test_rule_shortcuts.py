"""The record rules' shortcuts give the answers of the plain definitions they stand for.

``_day_number`` reads a time of day from a set and memoises the date, ``cccd_matches_birth``
answers agreeing digits from a memo of birth years, ``checkin_first_cost`` takes the usual
check-in (one service, named) without building a list: each is held here to what it shortcuts,
on edge values (other scripts' digits, 24:00, 29 February, short and odd texts). The rules'
decimal context, entered without ``localcontext``, is left as it was found.
"""

from __future__ import annotations

from datetime import date
from decimal import Context, getcontext, localcontext

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lienthong.profiles.samples import sample_checkin, sample_tables
from lienthong.profiles.validation import validate_checkin, validate_dossier
from lienthong.profiles.validator import record_rules
from lienthong.profiles.validator.formats import MONEY_CONTEXT, valid_time12
from lienthong.profiles.validator.record_rules import _day_number, cccd_matches_birth, checkin_first_cost
from lienthong.simulators.xml130 import checkin_xml
from tests.profiles.conftest import dossier_bytes

_DIGITS = st.sampled_from("0123456789")
_ODD = st.sampled_from(["\u0662", "\uff19", "\u00b2", " ", "_", "+", "-", "a", "\u0969"])


def _defined_day(value: str) -> int | type[Exception] | None:
    """The day of a time as the rule defines it: valid_time12, then the date's ordinal; None for
    year 0000 too (a date to the format, not to ``date``: the rule reports nothing, never raises)."""
    try:
        return (
            date(int(value[:4]), int(value[4:6]), int(value[6:8])).toordinal()
            if valid_time12(value)
            else None
        )
    except ValueError:
        return None


def _day(value: str) -> int | type[Exception] | None:
    try:
        return _day_number(value)
    except ValueError:
        return ValueError


@pytest.mark.parametrize(
    "value",
    [
        "202501011200",
        "202501012359",
        "202501012400",
        "202501011260",
        "202402291200",
        "202502291200",
        "202513011200",
        "000001011200",  # year 0: no ordinal, no day
        "20250101120",
        "2025010112000",
        "20250101 200",
        "2025010112\uff10\uff10",
        "\u0662\u0660\u0662\u0665\u0660\u0661\u0660\u0661\u0661\u0662\u0660\u0660",
        "",
    ],
)
def test_day_number_is_the_defined_day(value: str) -> None:
    assert _day(value) == _defined_day(value)
    assert _day(value) == _defined_day(value)  # memoised


@settings(max_examples=400, deadline=None)
@given(st.lists(st.one_of(_DIGITS, _ODD), min_size=10, max_size=13).map("".join))
def test_day_number_is_the_defined_day_on_any_text(value: str) -> None:
    assert _day(value) == _defined_day(value)


_CCCD = st.one_of(
    st.lists(_DIGITS, min_size=12, max_size=12).map("".join),
    st.lists(st.one_of(_DIGITS, _ODD), min_size=0, max_size=13).map("".join),
)
_BIRTH = st.one_of(
    st.sampled_from(["19900101", "20050615", "2005", "199", "", "1899", "2100", "20\uff1001"]),
    # "\u00b2" among them: a digit to str.isdigit, not to int() (the rule takes digits 0-9 only)
    st.lists(st.one_of(_DIGITS, _ODD), min_size=0, max_size=8).map("".join),
)
_SEX = st.sampled_from(["1", "2", "3", "", "01", "11", "x"])


@settings(max_examples=400, deadline=None)
@given(st.lists(st.tuples(_CCCD, _BIRTH, _SEX), min_size=1, max_size=12))
def test_cccd_memo_changes_no_answer(records: list[tuple[str, str, str]]) -> None:
    """The answers with the agreeing-digits memo empty and after it has learnt every record."""
    rows = [{"SO_CCCD": value, "NGAY_SINH": birth, "GIOI_TINH": sex} for value, birth, sex in records]
    record_rules._AGREEING.clear()
    cold: list[tuple[str, str, str, str, int]] = []
    for index, row in enumerate(rows, start=1):
        record_rules._AGREEING.clear()
        cccd_matches_birth(row, index, cold)
    warm: list[tuple[str, str, str, str, int]] = []
    for index, row in enumerate(rows, start=1):
        cccd_matches_birth(row, index, warm)
    assert warm == cold


_COST_FIELDS = ("MA_DICH_VU", "TEN_DICH_VU", "MA_THUOC", "TEN_THUOC", "MA_VAT_TU", "TEN_VAT_TU")


@given(st.dictionaries(st.sampled_from(_COST_FIELDS), st.sampled_from(["", "x"])))
def test_first_cost_is_one_named_cost(record: dict[str, str]) -> None:
    found: list[tuple[str, str, str, str, int]] = []
    checkin_first_cost(record, 1, found)
    filled = [code for code in ("MA_DICH_VU", "MA_THUOC", "MA_VAT_TU") if record.get(code)]
    named = all(record.get(code.replace("MA_", "TEN_", 1)) for code in filled)
    assert (found == []) == (len(filled) == 1 and named)


def test_the_rules_decimal_context_is_left_as_found() -> None:
    """The record and dossier rules run in this thread's copy of MONEY_CONTEXT, entered and left
    around them: the caller's context is the current one again, its settings untouched."""
    with localcontext(Context(prec=7)) as mine:
        validate_dossier(dossier_bytes(sample_tables(1)))
        validate_checkin(checkin_xml(sample_checkin(1)))
        assert getcontext() is mine
        assert mine.prec == 7
    assert MONEY_CONTEXT.prec == 60
    assert not any(MONEY_CONTEXT.flags.values())
