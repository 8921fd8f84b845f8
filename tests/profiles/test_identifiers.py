from __future__ import annotations

import pytest

from lienthong.profiles.identifiers import (
    bhxh_problems,
    bhyt_problems,
    cccd_century_digit,
    cccd_problems,
    facility_problems,
    gln_check_digit,
    gln_problems,
    licence_problems,
)


@pytest.mark.parametrize(
    ("year", "sex", "digit"), [(1985, 1, 0), (1985, 2, 1), (2005, 1, 2), (2005, 2, 3), (2101, 2, 5)]
)
def test_century_digit(year: int, sex: int, digit: int) -> None:
    assert cccd_century_digit(year, sex) == digit


def test_cccd() -> None:
    assert cccd_problems("001085012345", birth_year=1985, sex=1) == []
    assert cccd_problems("00108501234") == ["must be exactly 12 digits"]
    assert "province-of-birth" in cccd_problems("003085012345")[0]
    problems = cccd_problems("001185012345", birth_year=1985, sex=1)
    assert problems
    assert "fourth digit 1" in problems[0]
    assert "birth year" in cccd_problems("001090012345", birth_year=1985, sex=1)[0]


def test_bhyt_card() -> None:
    assert bhyt_problems("DN4790123456789") == []
    assert bhyt_problems("0123456789") == []
    assert "group code" in bhyt_problems("ZZ4790123456789")[0]
    assert "benefit digit" in bhyt_problems("DN6790123456789")[0]
    assert "province code" in bhyt_problems("DN4000123456789")[0]
    assert bhyt_problems("DN47901234567") != []


def test_bhxh_number_and_facility() -> None:
    assert bhxh_problems("0123456789") == []
    assert bhxh_problems("012345678") == ["must be the 10-digit BHXH number"]
    assert facility_problems("79001") == []
    assert facility_problems("7900") == ["must be 5 characters (digits or upper-case letters)"]
    assert "province" in facility_problems("00001")[0]


def test_gln_check_digit() -> None:
    assert gln_check_digit("893428500813") == 5
    assert gln_problems("8934285008135") == []  # the vendor sample GLN of the reference
    assert "check digit 6 is wrong" in gln_problems("8934285008136")[0]
    assert gln_problems("893428500813") == ["must be 13 digits (GS1 GLN)"]


def test_licence_codes() -> None:
    assert licence_problems("000123/HNO-CCHN") == []
    assert licence_problems("GPHN.HD.12345;000123/BYT-GPHN") == []
    assert licence_problems("0012(NV01)") == []
    assert "GPHN.HD" in licence_problems("GPHN.XX.1")[0]
    assert "no spaces" in licence_problems("000 123")[0]
