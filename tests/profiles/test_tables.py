from __future__ import annotations

import pytest

from lienthong.profiles.tables import (
    TABLES,
    VERSIONS,
    UnknownTable,
    changes,
    differences,
    table,
    table_info,
    tables,
)

# Field counts of reference §1.5 (QĐ 3176 appendix) and the 4750 tag set of Bảng 13.
COUNTS_3176 = {
    "XML0": 26,
    "XML1": 66,
    "XML2": 39,
    "XML3": 47,
    "XML4": 12,
    "XML5": 9,
    "XML7": 26,
    "XML8": 22,
    "XML13": 37,
    "XML14": 22,
    "XML15": 20,
}


@pytest.mark.parametrize(("name", "count"), COUNTS_3176.items())
def test_every_field_of_the_reference_tables_is_in_the_3176_profile(name: str, count: int) -> None:
    assert len(table(name, "qd3176").fields) == count


def test_referral_letter_tags_differ_between_4750_and_3176() -> None:
    old, new = table("XML13", "qd4750"), table("XML13", "qd3176")
    assert len(old.fields) == 39
    assert {"MA_NOI_DI", "MA_NOI_DEN", "PP_DIEU_TRI", "TEN_DICH_VU", "TEN_THUOC"} <= set(old.names)
    assert {"MA_CSKCB_DI", "MA_CSKCB_DEN", "TINH_TRANG_CT"} <= set(new.names)
    assert not {"MA_NOI_DI", "TEN_DICH_VU"} & set(new.names)
    assert new.field("MA_CSKCB_DI").max_length == 100
    assert old.field("MA_NOI_DI").max_length == 5


def test_appointment_date_is_12_characters_in_4750_and_8_in_3176() -> None:
    assert table("XML14", "qd4750").field("NGAY_HEN_KL").max_length == 12
    assert table("XML14", "qd4750").field("NGAY_HEN_KL").format == "datetime12"
    assert table("XML14", "qd3176").field("NGAY_HEN_KL").max_length == 8
    assert table("XML14", "qd3176").field("NGAY_HEN_KL").format == "date8"


def test_qd130_checkin_has_the_18_pilot_fields_and_no_referral_tables() -> None:
    assert len(table("XML0", "qd130").fields) == 18
    assert "XML13" not in tables("qd130")
    assert "XML14" not in tables("qd130")
    with pytest.raises(UnknownTable, match="not part of the qd130 profile"):
        table("XML13", "qd130")


def test_every_change_is_sourced_marked_and_applies() -> None:
    for change in changes():
        assert change.source, change
        assert change.mark in {"V", "S", "I"}, change
    assert differences("qd4750", "qd3176")
    assert len(differences("qd130", "qd3176")) == len(changes())
    with pytest.raises(ValueError, match="older"):
        differences("qd3176", "qd130")


@pytest.mark.parametrize("version", VERSIONS)
def test_field_numbers_and_names_are_unique(version: str) -> None:
    for name in tables(version):
        spec = table(name, version)
        assert len(set(spec.names)) == len(spec.names)
        assert all(f.mark in {"V", "S", "I"} for f in spec.fields)


def test_table_info_names_the_tags_of_every_table() -> None:
    assert set(table_info()) == set(TABLES)
    assert table_info()["XML2"].list_tag == "DSACH_CHI_TIET_THUOC"
    assert table_info()["XML13"].root == "CHI_TIEU_GIAYCHUYENTUYEN"
