"""The amount rules' whole-cents fast path against their Decimal arithmetic.

``native.cents``, ``product_cents`` and ``sum_cents`` (C, 128-bit integers) must give the exact
answer or None, never a wrong one; the rules that take their "yes" (record_rules, dossier_rules)
must report exactly what their Decimal arithmetic alone reports, on clean and on broken amounts.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lienthong.profiles.samples import sample_tables
from lienthong.profiles.validation import validate_tables
from lienthong.profiles.validator import dossier_rules, native, record_rules

pytestmark = pytest.mark.skipif(
    not native.AVAILABLE or not getattr(native._cscan, "CENTS_EXACT", 0),
    reason="the compiled helpers are not built, or without 128-bit integers",
)

INT64 = 2**63 - 1
DIGITS = "0123456789"

plain = st.builds(
    lambda minus, whole, places: ("-" if minus else "") + whole + (f".{places}" if places else ""),
    st.booleans(),
    st.text(DIGITS, min_size=1, max_size=20),
    st.text(DIGITS, max_size=8),
)
"""Amounts written as the fields write them: -?[0-9]+(\\.[0-9]+)?."""

OTHER_SPELLINGS = [
    "",
    "-",
    ".5",
    "5.",
    "+5",
    " 5",
    "5 ",
    "1e2",
    "1E+999999",
    "1_000",
    "NaN",
    "sNaN",
    "-Infinity",
    "١٢",  # Arabic-Indic digits: Decimal reads them, the helpers do not
    "1.2.3",
    "--1",
    "9" * 39,
]


def _half_up(value: Fraction) -> int:
    """``value`` rounded to a whole number half away from zero (Decimal's ROUND_HALF_UP)."""
    magnitude = abs(value)
    rounded = int(magnitude + Fraction(1, 2))
    return rounded if value >= 0 else -rounded


@given(plain)
def test_cents_is_the_amount_in_whole_cents_or_none(text: str) -> None:
    exact = Fraction(Decimal(text)) * 100
    answer = native.cents(text)
    if exact.denominator == 1 and abs(exact) <= INT64 and len(text.replace("-", "").replace(".", "")) <= 38:
        assert answer == exact
    else:
        assert answer is None


@pytest.mark.parametrize("text", OTHER_SPELLINGS)
def test_other_spellings_are_left_to_decimal(text: str) -> None:
    assert native.cents(text) is None
    assert native.product_cents((text, "2"), 0) is None
    assert native.sum_cents([{"A": "1"}, {"A": text}], "A") is None


@given(st.lists(plain, min_size=1, max_size=4), st.integers(0, 3))
def test_product_cents_rounds_half_up_exactly(factors: list[str], hundreds: int) -> None:
    exact = Fraction(1)
    for text in factors:
        exact *= Fraction(Decimal(text))
    cents = _half_up(exact / 100**hundreds * 100)
    answer = native.product_cents(tuple(factors), hundreds)
    if answer is not None:
        assert answer == cents
    digits = sum(len(t.replace("-", "").replace(".", "")) for t in factors)
    places = sum(len(t.partition(".")[2]) for t in factors) + 2 * hundreds
    if digits <= 30 and places <= 30 and abs(cents) <= INT64 // 100:
        assert answer == cents  # within 128 bits: it must answer


def test_ties_round_away_from_zero() -> None:
    assert native.product_cents(("1", "0.005"), 0) == 1
    assert native.product_cents(("-1", "0.005"), 0) == -1
    assert native.product_cents(("1", "0.0049"), 0) == 0
    assert native.product_cents(("3", "150000", "80"), 1) == 36_000_000


@given(st.lists(plain, max_size=6))
def test_sum_cents_adds_exact_cents(texts: list[str]) -> None:
    records = [{"THANH_TIEN_BV": t} for t in texts]
    parts = [native.cents(t) for t in texts]
    expected = None if None in parts else sum(p for p in parts if p is not None)
    if expected is not None and abs(expected) > INT64:
        expected = None
    assert native.sum_cents(records, "THANH_TIEN_BV") == expected
    assert native.sum_cents([*records, {}], "THANH_TIEN_BV") is None  # a missing field: not sure


@pytest.fixture
def fast_path() -> Iterator[None]:
    saved = native.COMPILED
    native.COMPILED = True
    yield
    native.COMPILED = saved


def _both(tables: dict[str, list[dict[str, str]]]) -> None:
    """The answer with the fast path equals the answer of Decimal alone."""
    native.COMPILED = True
    fast = validate_tables(tables, "qd3176")
    native.COMPILED = False
    try:
        alone = validate_tables(tables, "qd3176")
    finally:
        native.COMPILED = True
    assert [v.message() for v in fast] == [v.message() for v in alone]


@pytest.mark.usefixtures("fast_path")
def test_clean_samples_take_the_fast_path() -> None:
    """Otherwise the equivalence below would hold trivially."""
    for seed in range(30):
        tables = sample_tables(seed, version="qd3176", kind="01")
        for r in tables.get("XML2", []):
            assert record_rules._holds(r["THANH_TIEN_BV"], (r["SO_LUONG"], r["DON_GIA"]), 0)
        for r in tables["XML3"]:
            share = r.get("TYLE_TT_DV", "") or "100"
            assert record_rules._holds(r["THANH_TIEN_BV"], (r["SO_LUONG"], r["DON_GIA_BV"], share), 1)
        assert dossier_rules._totals_hold(tables["XML1"][0], tables.get("XML2", []), tables["XML3"])
        _both(tables)


AMOUNT_FIELDS = [
    ("XML1", "T_TONGCHI_BV"),
    ("XML1", "T_TONGCHI_BH"),
    ("XML1", "T_BNCCT"),
    ("XML1", "T_BHTT"),
    ("XML1", "T_THUOC"),
    ("XML1", "T_VTYT"),
    ("XML2", "SO_LUONG"),
    ("XML2", "DON_GIA"),
    ("XML2", "TYLE_TT_BH"),
    ("XML2", "THANH_TIEN_BV"),
    ("XML2", "THANH_TIEN_BH"),
    ("XML3", "SO_LUONG"),
    ("XML3", "DON_GIA_BV"),
    ("XML3", "DON_GIA_BH"),
    ("XML3", "TYLE_TT_DV"),
    ("XML3", "TYLE_TT_BH"),
    ("XML3", "THANH_TIEN_BV"),
    ("XML3", "THANH_TIEN_BH"),
    ("XML3", "MA_NHOM"),
]


def _nudged(text: str, step: str) -> str:
    try:
        return str(Decimal(text) + Decimal(step))
    except ArithmeticError:
        return text


edits = st.lists(
    st.tuples(
        st.sampled_from(AMOUNT_FIELDS),
        st.integers(0, 3),
        st.one_of(
            plain,
            st.sampled_from(OTHER_SPELLINGS),
            st.sampled_from(["0.01", "-0.01", "0.005", "0.001", "100", "0", "10", "11"]).map("+{}".format),
            st.sampled_from(["{}0", "{}.000", "{}00"]),
            st.sampled_from(["0.01", "-0.01", "0.005", "1"]).map("*{}".format),
        ),
    ),
    min_size=1,
    max_size=4,
)


@settings(max_examples=300, deadline=None)
@given(st.integers(0, 200), edits)
def test_amount_rules_answer_as_decimal_alone(
    seed: int, changes: list[tuple[tuple[str, str], int, str]]
) -> None:
    """Amounts nudged by a cent or less (alone, or a row's two amounts together), rewritten with
    more zeros, replaced by other numbers or by texts that are not plain numbers: the fast path
    changes no answer."""
    tables = sample_tables(seed, version="qd3176", kind="01")
    for (kind, field), at, value in changes:
        rows = tables.get(kind) or []
        if not rows:
            continue
        row = rows[at % len(rows)]
        old = row.get(field, "")
        if value.startswith("*"):  # both amounts of the row, or XML1's fund payment and its total
            for name in ("THANH_TIEN_BV", "THANH_TIEN_BH") if kind != "XML1" else ("T_BHTT", "T_TONGCHI_BH"):
                if row.get(name):
                    row[name] = _nudged(row[name], value[1:])
        elif value.startswith("+") and old:
            row[field] = _nudged(old, value[1:])
        elif value.startswith("{}"):
            row[field] = value.format(old)
        else:
            row[field] = value
    _both(tables)
