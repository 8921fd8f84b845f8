"""The patients file: one format, clear errors naming line and column."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest

from lienthong.profiles.patients import PatientsFileError, parse_patients, read_patients, write_patients

HEADER = "cccd,bhyt,name,dob,sex,address"
GOOD = '079085001234,DN4797912345678,Nguyễn Thị Ánh,1985-03-04,2,"12 Lê Lợi, Phường Bến Thành"'


def _parse(text: str) -> list:
    return parse_patients(io.StringIO(text), source="p.csv")


def test_a_minimal_file_reads_with_diacritics_kept() -> None:
    (patient,) = _parse(f"{HEADER}\n{GOOD}\n")
    assert patient.name == "Nguyễn Thị Ánh"
    assert patient.dob == date(1985, 3, 4)
    assert patient.ngay_sinh == "198503040000"
    assert patient.sex == "2"
    assert patient.card_valid_on(date(2026, 1, 1)) is None


def test_optional_and_unknown_columns() -> None:
    header = f"{HEADER},gt_the_tu,gt_the_den,ma_dkbd,vneid_password,note"
    text = f"{header}\n{GOOD},2026-01-01,2026-12-31,79002,Abc@123,x\n"
    (patient,) = _parse(text)
    assert patient.card_valid_on(date(2026, 6, 1)) is True
    assert patient.card_valid_on(date(2027, 1, 1)) is False
    assert (patient.ma_dkbd, patient.vneid_password) == ("79002", "Abc@123")


@pytest.mark.parametrize(
    ("row", "fragment"),
    [
        ("07908500123,,An,1985-03-04,1,x", "line 2, column cccd: '07908500123'"),
        ("079085001234,XX12,An,1985-03-04,1,x", "line 2, column bhyt"),
        (
            "079085001234,,An,04/03/1985,1,x",
            "line 2, column dob: '04/03/1985' is not a date written yyyy-mm-dd",
        ),
        ("079085001234,,An,1985-03-04,M,x", "line 2, column sex: 'M'"),
        ("079085001234,,,1985-03-04,1,x", "line 2, column name"),
        ("079085001234,,An,1985-03-04,1,x,extra", "line 2: more values than header columns"),
    ],
)
def test_a_bad_row_names_line_column_and_value(row: str, fragment: str) -> None:
    with pytest.raises(PatientsFileError, match=None) as info:
        _parse(f"{HEADER}\n{row}\n")
    assert fragment in str(info.value)


def test_a_missing_column_and_a_duplicate_are_named() -> None:
    with pytest.raises(PatientsFileError, match="lacks column"):
        _parse("cccd,name,dob,sex,address\n")
    with pytest.raises(PatientsFileError, match="already on line 2"):
        _parse(f"{HEADER}\n{GOOD}\n{GOOD}\n")


def test_round_trip_and_bom(tmp_path: Path) -> None:
    source = tmp_path / "p.csv"
    source.write_bytes(("\ufeff" + f"{HEADER}\n{GOOD}\n").encode())
    patients = read_patients(source)
    again = tmp_path / "q.csv"
    write_patients(patients, again)
    assert read_patients(again) == patients
    (tmp_path / "bad.csv").write_bytes(f"{HEADER}\n".encode("utf-16"))
    with pytest.raises(PatientsFileError, match="not UTF-8"):
        read_patients(tmp_path / "bad.csv")


def test_status_and_previous_cccd_mark_the_citizens_a_c06_suite_needs() -> None:
    rows = [
        "cccd,bhyt,name,dob,sex,address,status,previous_cccd",
        "079190000001,,Ngô Thị Mất,1950-01-01,2,Huế,deceased,",
        "079190000002,,Võ Văn Đổi,1980-01-01,1,Huế,,079080000009",
    ]
    dead, renewed = parse_patients(rows)
    assert (dead.status, dead.previous_cccd) == ("deceased", "")
    assert (renewed.status, renewed.previous_cccd) == ("", "079080000009")
    for bad, column in (("alive", "status"), ("12", "previous_cccd")):
        broken = [
            rows[0],
            rows[2].replace(",,079080000009", f",{bad},079080000009" if column == "status" else f",,{bad}"),
        ]
        with pytest.raises(PatientsFileError, match=f"line 2, column {column}"):
            parse_patients(broken)
