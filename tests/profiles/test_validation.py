from __future__ import annotations

import base64
from collections.abc import Callable
from fractions import Fraction

import pytest

from lienthong.profiles.mutations import MUTATIONS, apply
from lienthong.profiles.samples import EXTRA_TABLES, extra_record, sample_checkin, sample_tables
from lienthong.profiles.tables import VERSIONS
from lienthong.profiles.validation import (
    validate_checkin,
    validate_dossier,
    validate_record,
    validate_tables,
)
from lienthong.profiles.validator.formats import FORMATS
from tests.profiles.conftest import dossier_bytes

SHAPES = [{}, {"kind": "03", "referral": True, "appointment": True}]


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("shape", SHAPES, ids=["exam", "inpatient-referral-appointment"])
def test_samples_are_valid_and_imply_their_version(
    version: str, shape: dict[str, object], to_dossier: Callable[..., bytes]
) -> None:
    for seed in range(25):
        data = to_dossier(sample_tables(seed, version=version, **shape))  # type: ignore[arg-type]
        dossier, problems = validate_dossier(data, version="auto")
        assert [p.message() for p in problems] == []
        assert dossier is not None
        assert dossier.version == version


@pytest.mark.parametrize("req", sorted(MUTATIONS))
def test_each_mutation_breaks_exactly_its_requirement(req: str) -> None:
    applied = 0
    for seed in range(30):
        for shape in SHAPES:
            mutated = apply(sample_tables(seed, **shape), req)  # type: ignore[arg-type]
            if mutated is None:
                continue
            found = {v.requirement for v in validate_tables(mutated, "qd3176")}
            assert found == {req}, (seed, shape)
            applied += 1
    assert applied > 0


@pytest.mark.parametrize("version", ["qd4750", "qd3176"])
@pytest.mark.parametrize("kind", EXTRA_TABLES)
def test_the_extra_table_records_the_mutations_start_from_are_valid(
    kind: str, version: str, to_dossier: Callable[..., bytes]
) -> None:
    # A mutation of XML6/7/9/10/11/15 adds one of these, then breaks it: valid before the break.
    for seed in range(8):
        for shape in SHAPES:
            tables = sample_tables(seed, version=version, **shape)  # type: ignore[arg-type]
            tables[kind] = [extra_record(kind, tables)]
            _, problems = validate_dossier(to_dossier(tables), version)
            assert [p.message() for p in problems] == [], (seed, shape)


def test_a_record_without_ma_lk_is_its_tables_required_field_only() -> None:
    tables = sample_tables(2)
    del tables["XML2"][0]["MA_LK"]
    assert {(p.requirement, p.field) for p in validate_tables(tables, "qd3176")} == {("XML2-02", "MA_LK")}
    tables["XML2"][0]["MA_LK"] = "OTHER"
    assert {p.requirement for p in validate_tables(tables, "qd3176")} == {"XML1-07"}


def test_a_4750_referral_judged_as_3176_names_the_other_version() -> None:
    tables = sample_tables(3, version="qd4750", referral=True)
    problems = validate_tables(tables, "qd3176")
    tags = {(p.requirement, p.field) for p in problems if p.table == "XML13"}
    assert ("TAG-01", "MA_NOI_DEN") in tags
    message = next(p for p in problems if p.field == "MA_NOI_DEN").rule
    assert "qd4750" in message
    assert validate_tables(tables, "qd4750") == []


def test_4750_appointment_time_fails_the_3176_8_character_rule() -> None:
    tables = sample_tables(4, version="qd4750", appointment=True)
    found = {(p.requirement, p.field) for p in validate_tables(tables, "qd3176")}
    assert ("XML14-01", "NGAY_HEN_KL") in found


def test_violation_names_table_record_field_value_rule_and_requirement() -> None:
    tables = sample_tables(1)
    tables["XML1"][0]["T_BHTT"] = "1.00"
    [problem] = validate_tables(tables, "qd3176")
    assert (problem.requirement, problem.table, problem.field, problem.value) == (
        "XML1-04",
        "XML1",
        "T_BHTT",
        "1.00",
    )
    assert problem.message().startswith(
        "XML1 record 1, field T_BHTT = '1.00': must equal T_TONGCHI_BH - T_BNCCT"
    )
    assert problem.message().endswith("[XML1-04]")


def test_money_is_compared_in_decimal_arithmetic() -> None:
    tables = sample_tables(2)
    summary = tables["XML1"][0]
    summary["T_TONGCHI_BH"], summary["T_BNCCT"], summary["T_BHTT"] = "0.30", "0.10", "0.20"
    found = {p.requirement for p in validate_tables(tables, "qd3176")}
    assert "XML1-04" not in found  # 0.3 - 0.1 == 0.2 exactly in Decimal, not in float


@pytest.mark.parametrize("version", VERSIONS)
def test_sample_checkins_are_valid(version: str, to_checkin: Callable[..., bytes]) -> None:
    records, problems = validate_checkin(to_checkin(sample_checkin(5, version=version)), version)
    assert records
    assert problems == []


@pytest.mark.parametrize(
    ("edit", "req"),
    [
        (lambda r: r.pop("NGAY_YL"), "XML0-03"),
        (lambda r: r.update(MA_THUOC="40.17", TEN_THUOC="Oxy"), "XML0-04"),
        (lambda r: r.update(NGAY_VAO_NOI_TRU=r["NGAY_VAO"][:8] + "0001", LY_DO_VNT="x"), "XML0-05"),
        (lambda r: r.update(HO_TEN="x" * 256), "XML0-02"),
        (lambda r: r.update(STT="2"), "STT-01"),
    ],
)
def test_checkin_rules(
    edit: Callable[[dict[str, str]], object], req: str, to_checkin: Callable[..., bytes]
) -> None:
    record = sample_checkin(6)[0]
    edit(record)
    _, problems = validate_checkin(to_checkin([record]))
    assert {p.requirement for p in problems} == {req}


def test_checkin_without_signature_element() -> None:
    data = (
        b'<?xml version="1.0" encoding="utf-8"?>'
        b"<CHI_TIEU_TRANG_THAI_KCB><DSACH_TRANG_THAI_KCB/></CHI_TIEU_TRANG_THAI_KCB>"
    )
    _, problems = validate_checkin(data)
    assert {p.requirement for p in problems} == {"XML0-01"}


def _envelope_edit(data: bytes, old: bytes, new: bytes) -> bytes:
    assert old in data
    return data.replace(old, new, 1)


def test_envelope_rules(to_dossier: Callable[..., bytes]) -> None:
    data = to_dossier(sample_tables(7))
    cases = {
        "ENV-01": _envelope_edit(data, b"<GIAMDINHHS>", b"<HOSO_SAI>").replace(
            b"</GIAMDINHHS>", b"</HOSO_SAI>"
        ),
        "ENV-02": _envelope_edit(data, b"<LOAIHOSO>XML2</LOAIHOSO>", b"<LOAIHOSO>XML12</LOAIHOSO>"),
        "ENV-03": _envelope_edit(data, b"<NOIDUNGFILE>", b"<NOIDUNGFILE>!!"),
        "ENV-04": _envelope_edit(data, b"<SOLUONGHOSO>1</SOLUONGHOSO>", b"<SOLUONGHOSO>2</SOLUONGHOSO>"),
        "ENV-05": to_dossier(sample_tables(7), facility="01002"),
    }
    for req, bad in cases.items():
        _, problems = validate_dossier(bad)
        assert req in {p.requirement for p in problems}, req


def test_inner_document_that_is_not_xml(to_dossier: Callable[..., bytes]) -> None:
    data = to_dossier(sample_tables(8))
    start = data.index(b"<NOIDUNGFILE>") + len(b"<NOIDUNGFILE>")
    end = data.index(b"</NOIDUNGFILE>")
    bad = data[:start] + base64.b64encode(b"not xml at all") + data[end:]
    _, problems = validate_dossier(bad)
    assert problems[0].requirement == "ENV-03"
    assert "not well-formed" in problems[0].rule


def test_discharge_paper_rules() -> None:
    record = {
        "MA_LK": "LK1",
        "SO_LUU_TRU": "1",
        "MA_YTE": "1",
        "MA_KHOA_RV": "K01",
        "NGAY_VAO": "202503010800",
        "NGAY_RA": "202503031000",
        "CHAN_DOAN_RV": "x",
        "PP_DIEUTRI": "x",
        "MA_TTDV": "001/BYT-GPHN",
        "MA_BS": "002/BYT-CCHN",
        "TEN_BS": "B",
        "NGAY_CT": "20250303",
        "MA_DINH_CHI_THAI": "1",
        "TUOI_THAI": "43",
        "SO_NGAY_NGHI": "5",
    }
    found = {p.requirement for p in validate_record("XML7", record)}
    assert found == {"XML7-03", "XML7-04", "XML7-05"}


def test_qd1804_visit_types_only_from_june_2026() -> None:
    tables = sample_tables(9, kind="01")
    tables["XML1"][0]["MA_LOAI_KCB"] = "14"
    assert {p.requirement for p in validate_tables(tables, "qd3176")} == {"CODE-02"}


@pytest.mark.parametrize(
    ("code", "left", "ok"),
    [
        ("1.8", "202403151130", True),  # TB, QĐ 824 list
        ("7.1", "202509101130", True),  # both lists accepted in the second half of 2025
        ("1.8", "202601051130", False),  # QĐ 824 code after the transition ended
        ("1.11", "202503051130", False),  # QĐ 3276 code before 01/07/2025
        ("1.11", "202508051130", True),
        ("10", "202607011130", True),
        ("3.6", "202401011130", True),  # in both lists
        ("3.6", "202607011130", True),
    ],
)
def test_patient_category_judged_by_the_list_of_the_end_date(code: str, left: str, ok: bool) -> None:
    record = {"MA_DOITUONG_KCB": code, "NGAY_VAO": left[:8] + "0800", "NGAY_RA": left}
    for kind in ("XML1", "XML14"):
        found = [p for p in validate_record(kind, record) if p.requirement in {"CODE-01", "CODE-03"}]
        assert [p.requirement for p in found] == ([] if ok else ["CODE-03"])
    # The check-in knows only the arrival: it is judged by NGAY_VAO.
    checkin = {"MA_DOITUONG_KCB": code, "NGAY_VAO": left}
    assert any(p.requirement == "CODE-03" for p in validate_record("XML0", checkin)) is not ok


def test_an_older_patient_category_in_a_dossier_passes_and_a_newer_one_fails() -> None:
    tables = sample_tables(9, kind="01", referral=False, appointment=False)  # ends in March 2025
    tables["XML1"][0]["MA_DOITUONG_KCB"] = "1.9"
    assert validate_tables(tables, "qd3176") == []
    tables["XML1"][0]["MA_DOITUONG_KCB"] = "1.17"
    problems = validate_tables(tables, "qd3176")
    assert [p.requirement for p in problems] == ["CODE-03"]
    assert "01/07/2025" in problems[0].rule


def test_unknown_version_is_a_clear_error(to_dossier: Callable[..., bytes]) -> None:
    with pytest.raises(ValueError, match="choose one of auto, qd130, qd4750, qd3176"):
        validate_dossier(to_dossier(sample_tables(1)), version="qd9999")


def _main_diagnosis_problems(code: str, sex: str) -> list[str]:
    tables = sample_tables(9, kind="01", referral=False, appointment=False)
    tables["XML1"][0].update(MA_BENH_CHINH=code, GIOI_TINH=sex)
    return [p.rule for p in validate_tables(tables, "qd3176") if p.requirement == "ICD-02"]


@pytest.mark.parametrize(
    ("code", "sex", "why"),
    [
        ("G01", "1", "asterisk"),
        ("H36.0", "2", "asterisk"),
        ("W19", "1", "external cause"),
        ("Y98", "2", "external cause"),
        ("B96.2", "1", "supplementary"),
        ("U82.0", "2", "supplementary"),
        ("O80", "1", "female patient only"),
        ("C61", "2", "male patient only"),
        ("N40", "2", "male patient only"),
    ],
)
def test_codes_not_allowed_as_main_diagnosis(code: str, sex: str, why: str) -> None:
    problems = _main_diagnosis_problems(code, sex)
    assert len(problems) == 1
    assert why in problems[0]


@pytest.mark.parametrize(
    ("code", "sex"),
    [("J18.9", "1"), ("O80", "2"), ("C61", "1"), ("N40", "3"), ("S72.0", "1"), ("F01.9", "2")],
)
def test_codes_allowed_as_main_diagnosis(code: str, sex: str) -> None:
    # Injuries (S..) are the main condition of an accident; sex 3 (undetermined) is not contradicted.
    assert _main_diagnosis_problems(code, sex) == []


def test_main_diagnosis_rule_leaves_the_comorbidities_alone() -> None:
    tables = sample_tables(9, kind="01", referral=False, appointment=False)
    tables["XML1"][0]["MA_BENH_KT"] = "W19;G01"
    assert validate_tables(tables, "qd3176") == []


@pytest.mark.parametrize(
    ("code", "ok"), [("000", True), ("840", True), ("156", True), ("704", False), ("999", False)]
)
def test_nationality_codes(code: str, ok: bool) -> None:
    # 000 is Việt Nam (HIS practice); 704, its ISO number, is not a second code for it.
    tables = sample_tables(9, kind="01", referral=False, appointment=False)
    tables["XML1"][0]["MA_QUOCTICH"] = code
    found = [(p.requirement, p.field) for p in validate_tables(tables, "qd3176")]
    assert found == ([] if ok else [("CODE-01", "MA_QUOCTICH")])


@pytest.mark.parametrize("fast", [True, False])
def test_a_table_the_judged_version_lacks_is_reported_not_raised(
    to_dossier: Callable[..., bytes], fast: bool
) -> None:
    # XML13/XML14 came with QĐ 4750: a QĐ 130 endpoint receiving them answers TAG-01, not a crash.
    data = to_dossier(sample_tables(5, version="qd4750", referral=True, appointment=True))
    _, problems = validate_dossier(data, "qd130", fast=fast)
    missing = {p.table for p in problems if p.requirement == "TAG-01" and p.field == "(table)"}
    assert missing == {"XML13", "XML14"}


@pytest.mark.parametrize(
    ("kind", "field", "value"),
    [
        ("XML2", "THANH_TIEN_BV", "sNaN"),
        ("XML2", "THANH_TIEN_BV", "NaN"),
        ("XML1", "T_BHTT", "sNaN"),
        ("XML1", "T_TONGCHI_BH", "-Infinity"),
        ("XML2", "DON_GIA", "1E+999999"),
        ("XML3", "DON_GIA_BV", "1e3"),
        ("XML2", "SO_LUONG", "9" * 400),
    ],
)
@pytest.mark.parametrize("fast", [True, False])
def test_amounts_that_are_not_plain_numbers_get_their_field_error_not_a_traceback(
    to_dossier: Callable[..., bytes], kind: str, field: str, value: str, fast: bool
) -> None:
    """Decimal reads these texts, and arithmetic on them used to raise (InvalidOperation, Overflow)
    out of the validator: the gateway would have answered 500. The field check reports them; the
    amount rules leave them alone."""
    tables = sample_tables(3, version="qd3176", kind="01")
    tables[kind][0][field] = value
    _, problems = validate_dossier(to_dossier(tables), "qd3176", fast=fast)
    assert f"{kind}-01" in {p.requirement for p in problems}
    assert all(p.value == value for p in problems if p.field == field)


def test_the_largest_amounts_the_fields_allow_are_computed_exactly(to_dossier: Callable[..., bytes]) -> None:
    """A 10-character quantity times a 15-character price times rates of 999 % needs 30 digits:
    28-digit arithmetic raised while rounding it to the cent."""
    tables = sample_tables(3, version="qd3176", kind="01")
    service = tables["XML3"][0]
    service.update(SO_LUONG="9999999999", DON_GIA_BV="999999999999999", TYLE_TT_DV="999")
    _, problems = validate_dossier(to_dossier(tables), "qd3176")
    amounts = [p for p in problems if p.requirement == "XML3-03" and p.field == "THANH_TIEN_BV"]
    assert len(amounts) == 1
    assert service["TYLE_TT_BH"] == "100"
    exact = Fraction(9999999999) * 999999999999999 * 999 / 100
    assert exact.denominator == 100
    assert amounts[0].rule.endswith(f"= {exact.numerator // 100}.{exact.numerator % 100:02d}")


@pytest.mark.parametrize(
    ("field", "value", "requirement"),
    [
        ("NGAY_SINH", "000\u00b201010000", "FMT-01"),  # '²' passes str.isdigit, not int()
        ("SO_CCCD", "00120000000\u00b2", "ID-CCCD-01"),
        ("SO_NGAY_DTRI", "\u00b2", "XML1-01"),
        ("NGAY_RA", "000001011000", "XML1-03"),  # year 0000: a date for the format, not for `date`
    ],
)
def test_odd_digits_and_year_zero_are_reported_not_raised(field: str, value: str, requirement: str) -> None:
    tables = sample_tables(3, kind="01")
    tables["XML1"][0][field] = value
    _dossier, violations = validate_dossier(dossier_bytes(tables), "auto")
    assert requirement in {v.requirement for v in violations}


def test_a_cccd_in_place_of_a_licence_is_twelve_ascii_digits() -> None:
    """MA_TTDV (XML13, XML14) takes a licence or a CCCD: a 12-character value with a '²' is
    neither, as the record grammar's ``[0-9]{12}`` already said; str.isdigit took it as a CCCD."""
    check = FORMATS["licence_or_cccd"]
    assert check("001200000001") is None
    problem = check("00120000000\u00b2")
    assert problem is not None
    assert problem[0] == "ID-GPHN-01"
