"""Code lists shipped with the package (GIOI_TINH, MA_LOAI_KCB, gateway result codes, ...)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from lienthong.profiles._data import read_csv


@dataclass(frozen=True, slots=True)
class Code:
    code: str
    label_vi: str
    label_en: str
    source: str
    mark: str


@cache
def _all() -> dict[str, dict[str, Code]]:
    lists: dict[str, dict[str, Code]] = {}
    for row in read_csv("codelists", "codelists.csv"):
        lists.setdefault(row["list"], {})[row["code"]] = Code(
            row["code"], row["label_vi"], row["label_en"], row["source"], row["mark"]
        )
    return lists


def codelist(name: str) -> dict[str, Code]:
    """The codes of one list, keyed by code; ``KeyError`` names the known lists."""
    lists = _all()
    if name not in lists:
        raise KeyError(f"unknown code list {name!r}; known: {', '.join(sorted(lists))}")
    return lists[name]


@cache
def birth_provinces() -> dict[str, str]:
    """The 63 province-of-birth codes (3 digits) of TT 07/2016/TT-BCA, code -> name."""
    return {row["code"]: row["name"] for row in read_csv("codelists", "birth_provinces.csv")}
