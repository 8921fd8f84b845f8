from __future__ import annotations

import pytest

from lienthong.profiles.codelists import (
    birth_provinces,
    codelist,
    codelist_info,
    communes_2025,
    is_icd10,
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
