"""The patients file: an implementer's or a vendor's own test patients, one format for the project.

``lienthong conformance --patients``, ``lienthong certify --open --patients`` and the load tests
read it. A CSV with a header row:

    cccd,bhyt,name,dob,sex,address[,gt_the_tu,gt_the_den,ma_dkbd,vneid_password,status,previous_cccd]

``dob``, ``gt_the_tu`` and ``gt_the_den`` are ``yyyy-mm-dd``; ``sex`` is GIOI_TINH (1 male,
2 female); ``bhyt`` may be empty for a patient without a card. ``status`` is empty (living) or
``deceased``; ``previous_cccd`` is a cancelled earlier ID number of the person (a C06 node's suite
uses both). Unknown columns are ignored, so an
export with more columns works as it is. Names are kept as written (NFC-normalised for
comparison only, never altered). A bad row gets an error naming the line, the column, the value
and the rule.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from lienthong.profiles.identifiers import facility_problems

REQUIRED_COLUMNS = ("cccd", "bhyt", "name", "dob", "sex", "address")
OPTIONAL_COLUMNS = ("gt_the_tu", "gt_the_den", "ma_dkbd", "vneid_password", "status", "previous_cccd")
STATUSES = ("", "deceased")
SEXES = {"1": "male", "2": "female"}
MAX_PATIENTS = 100_000
"""A test-patient file, not a population: more rows than this is a mistake (memory stays bounded)."""


# The file is the implementer's own test data: only the shapes are checked here (S-CHK's SO_CCCD
# pattern: 9 or 12 digits, or a letter and 7 digits; a card: 2 letters, a digit, 2 digits and the
# 10-digit BHXH number, or that number alone). Whether the numbers are consistent with the birth
# date and sex is for the validator to judge on what the HIS sends, not a reason to refuse the file.
_CCCD_SHAPE = re.compile(r"\d{12}|\d{9}|[A-Z]\d{7}")
_CARD_SHAPE = re.compile(r"[A-Z]{2}\d{13}|\d{10}")


class PatientsFileError(ValueError):
    """The patients file cannot be used; the message names the line, column, value and rule."""


@dataclass(frozen=True, slots=True)
class Patient:
    cccd: str
    bhyt: str
    """MA_THE_BHYT, 15 characters, or empty (no card)."""
    name: str
    dob: date
    sex: str
    """GIOI_TINH: "1" or "2"."""
    address: str
    gt_the_tu: date | None = None
    gt_the_den: date | None = None
    ma_dkbd: str = ""
    vneid_password: str = ""
    status: str = ""
    """"" (living) or "deceased"."""
    previous_cccd: str = ""
    """A cancelled earlier ID number of this person (re-issued), or empty."""

    @property
    def ngay_sinh(self) -> str:
        """NGAY_SINH as the XML tables write it (yyyymmddHHMM, hour unknown: 0000)."""
        return f"{self.dob:%Y%m%d}0000"

    @property
    def name_key(self) -> str:
        """The name for comparisons: NFC, case-folded, single spaces."""
        return " ".join(unicodedata.normalize("NFC", self.name).casefold().split())

    def card_valid_on(self, day: date) -> bool | None:
        """Whether the card covers ``day``; None when the file gives no validity period."""
        if not self.bhyt or self.gt_the_tu is None or self.gt_the_den is None:
            return None
        return self.gt_the_tu <= day <= self.gt_the_den


def _date(text: str, where: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise PatientsFileError(f"{where}: {text!r} is not a date written yyyy-mm-dd") from None


def _row(values: dict[str, str], line: int) -> Patient:
    def where(column: str) -> str:
        return f"line {line}, column {column}"

    cccd, bhyt = values["cccd"].strip(), values["bhyt"].strip()
    name, sex = values["name"].strip(), values["sex"].strip()
    if not name:
        raise PatientsFileError(f"{where('name')}: the name is empty")
    if sex not in SEXES:
        raise PatientsFileError(f"{where('sex')}: {sex!r} is not GIOI_TINH 1 (male) or 2 (female)")
    dob = _date(values["dob"].strip(), where("dob"))
    if not _CCCD_SHAPE.fullmatch(cccd):
        raise PatientsFileError(
            f"{where('cccd')}: {cccd!r} is not a personal ID number (12 digits; 9 digits or a letter "
            "and 7 digits for an old ID card or a passport) (ID-CCCD-01)"
        )
    if bhyt and not _CARD_SHAPE.fullmatch(bhyt):
        raise PatientsFileError(
            f"{where('bhyt')}: {bhyt!r} is not a BHYT card code (2 letters, the benefit digit, the "
            "2-digit province and the 10-digit BHXH number) (ID-BHYT-01)"
        )
    optional = {c: (values.get(c) or "").strip() for c in OPTIONAL_COLUMNS}
    tu = _date(optional["gt_the_tu"], where("gt_the_tu")) if optional["gt_the_tu"] else None
    den = _date(optional["gt_the_den"], where("gt_the_den")) if optional["gt_the_den"] else None
    if tu and den and den < tu:
        raise PatientsFileError(f"{where('gt_the_den')}: {den} is before gt_the_tu {tu}")
    if optional["ma_dkbd"] and (problems := facility_problems(optional["ma_dkbd"])):
        raise PatientsFileError(f"{where('ma_dkbd')}: {optional['ma_dkbd']!r} {problems[0]} (ID-CSKCB-01)")
    status = optional["status"].lower()
    if status not in STATUSES:
        raise PatientsFileError(f"{where('status')}: {optional['status']!r} is not empty or deceased")
    previous = optional["previous_cccd"]
    if previous and (not _CCCD_SHAPE.fullmatch(previous) or previous == cccd):
        raise PatientsFileError(
            f"{where('previous_cccd')}: {previous!r} is not another personal ID number (ID-CCCD-01)"
        )
    return Patient(
        cccd=cccd,
        bhyt=bhyt,
        name=unicodedata.normalize("NFC", name),
        dob=dob,
        sex=sex,
        address=values["address"].strip(),
        gt_the_tu=tu,
        gt_the_den=den,
        ma_dkbd=optional["ma_dkbd"],
        vneid_password=optional["vneid_password"],
        status=status,
        previous_cccd=previous,
    )


def parse_patients(lines: Iterable[str], *, source: str = "patients file") -> list[Patient]:
    """The patients of a CSV text (a header row, then one patient per row)."""
    reader = csv.DictReader(lines)
    header = [(h or "").strip().lower() for h in reader.fieldnames or []]
    if not header:
        raise PatientsFileError(f"{source}: empty; expected a header row {','.join(REQUIRED_COLUMNS)}")
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise PatientsFileError(
            f"{source}, line 1: the header lacks column(s) {', '.join(missing)}; "
            f"expected {','.join(REQUIRED_COLUMNS)} (optional: {','.join(OPTIONAL_COLUMNS)})"
        )
    reader.fieldnames = header
    patients: list[Patient] = []
    seen: dict[str, int] = {}
    for raw in reader:
        line = reader.line_num
        if len(patients) >= MAX_PATIENTS:
            raise PatientsFileError(f"{source}: more than {MAX_PATIENTS:,} patients; split the file")
        if None in raw:
            raise PatientsFileError(f"{source}, line {line}: more values than header columns")
        values = {k: v or "" for k, v in raw.items() if k is not None}
        if not any(v.strip() for v in values.values()):
            continue  # a blank line
        try:
            patient = _row(values, line)
        except PatientsFileError as exc:
            raise PatientsFileError(f"{source}, {exc}") from None
        if patient.cccd in seen:
            raise PatientsFileError(
                f"{source}, line {line}, column cccd: {patient.cccd!r} "
                f"is already on line {seen[patient.cccd]}"
            )
        seen[patient.cccd] = line
        patients.append(patient)
    if not patients:
        raise PatientsFileError(f"{source}: no patients after the header")
    return patients


def read_patients(path: Path) -> list[Patient]:
    """The patients of a file (UTF-8, a UTF-8 BOM allowed: spreadsheets write one)."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise PatientsFileError(f"cannot read the patients file {path}: {exc.strerror}") from None
    except UnicodeDecodeError as exc:
        raise PatientsFileError(
            f"{path}: not UTF-8 (byte {exc.start}); save the CSV as UTF-8 (Vietnamese names need it)"
        ) from None
    return parse_patients(io.StringIO(text, newline=""), source=str(path))


def patients_csv(patients: Iterable[Patient]) -> str:
    """Patients as the text of a patients file (header included)."""
    handle = io.StringIO()
    writer = csv.writer(handle, lineterminator="\n")
    writer.writerow([*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS])
    for p in patients:
        writer.writerow(
            [
                p.cccd,
                p.bhyt,
                p.name,
                p.dob.isoformat(),
                p.sex,
                p.address,
                p.gt_the_tu.isoformat() if p.gt_the_tu else "",
                p.gt_the_den.isoformat() if p.gt_the_den else "",
                p.ma_dkbd,
                p.vneid_password,
                p.status,
                p.previous_cccd,
            ]
        )
    return handle.getvalue()


def write_patients(patients: Iterable[Patient], path: Path) -> None:
    """Write patients in the same format (for generated test patients)."""
    path.write_text(patients_csv(patients), encoding="utf-8", newline="")
