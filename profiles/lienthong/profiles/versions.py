"""Which profile version a check-in or dossier is judged against.

A dossier *declares* its version when the caller knows it (the endpoint it came through:
``...Qd130``, ``...Qd4750``, ``...Qd3176``) and passes ``version=``. Otherwise the version is
*implied*: first by tags only one version has (XML13 ``MA_CSKCB_DI`` vs ``MA_NOI_DI``, XML2
``NGAY_TH_YL``, the 8- or 12-character XML14 ``NGAY_HEN_KL``, the 4750 check-in fields), then by the
date the episode ended (QĐ 4750 mandatory 01/07/2024, QĐ 3176 from 01/01/2025) [V dates of
§1.1; that the tags decide first is lienthong's rule, I].
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from lienthong.profiles.tables import DEFAULT_VERSION, VERSIONS

AUTO = "auto"
ENDPOINT_VERSIONS = {"130": "qd130", "4750": "qd4750", "3176": "qd3176"}
"""Suffix of the gateway endpoint (``checkInKcbQd3176``, ``guiHoSoXmlQD4750``) -> version."""
PROFILES = tuple(ENDPOINT_VERSIONS)
"""The profiles as the command line names them (``--profile 3176``)."""

_TAGS_3176 = {"XML13": ("MA_CSKCB_DI", "MA_CSKCB_DEN", "TINH_TRANG_CT"), "XML2": ("NGAY_TH_YL",)}
_TAGS_4750 = {"XML13": ("MA_NOI_DI", "MA_NOI_DEN", "PP_DIEU_TRI", "TEN_DICH_VU", "TEN_THUOC")}
_CHECKIN_4750 = (
    "NGAY_VAO_NOI_TRU",
    "LY_DO_VNT",
    "MA_LY_DO_VNT",
    "MA_THUOC",
    "TEN_THUOC",
    "MA_VAT_TU",
    "TEN_VAT_TU",
    "DU_PHONG",
)

Records = Mapping[str, Sequence[Mapping[str, str]]]


def version_for_date(day: str) -> str:
    """The profile in force for an episode ending on ``day`` (yyyymmdd...)."""
    if len(day) < 8 or not day[:8].isdigit():
        return DEFAULT_VERSION
    if day[:8] < "20240701":
        return "qd130"
    if day[:8] < "20250101":
        return "qd4750"
    return "qd3176"


def check_version(version: str) -> str:
    """``version`` if it names a profile (or ``auto``), else a ValueError listing the choices."""
    if version != AUTO and version not in VERSIONS:
        raise ValueError(f"unknown profile version {version!r}; choose one of {', '.join((AUTO, *VERSIONS))}")
    return version


class UnknownProfile(ValueError):
    """A ``--profile`` value that names no profile."""


def profile_version(value: str, *, auto: bool = False) -> str:
    """The version a profile name means: ``3176``, ``qd3176``, ``QD3176``, ``QĐ 3176`` and
    ``qđ-3176`` are all ``qd3176`` (``auto`` stays ``auto`` when ``auto`` is allowed)."""
    text = value.strip().lower().replace("đ", "d").replace(" ", "").replace("-", "").replace("_", "")
    if auto and text == AUTO:
        return AUTO
    number = text.removeprefix("qd")
    if number in ENDPOINT_VERSIONS:
        return ENDPOINT_VERSIONS[number]
    raise UnknownProfile(value)


def _has_tag(tables: Records, tags_of: Mapping[str, Sequence[str]]) -> bool:
    """Whether a record of a table of ``tags_of`` holds one of its tags (plain loops: asked for
    every dossier, and generator expressions cost more than the look-ups)."""
    for kind, tags in tags_of.items():
        for record in tables.get(kind, ()):
            for tag in tags:
                if tag in record:
                    return True
    return False


def implied_dossier_version(tables: Records) -> str:
    """The version a dossier's own content implies (tags first, then the NGAY_RA date)."""
    if _has_tag(tables, _TAGS_3176):
        return "qd3176"
    if _has_tag(tables, _TAGS_4750):
        return "qd4750"
    for record in tables.get("XML14", ()):
        due = record.get("NGAY_HEN_KL", "")
        if len(due) == 12:
            return "qd4750"
        if len(due) == 8:
            return "qd3176"
    summary = (tables.get("XML1") or [{}])[0]
    by_date = version_for_date(summary.get("NGAY_RA", "") or summary.get("NGAY_VAO", ""))
    if by_date == "qd130" and ("XML13" in tables or "XML14" in tables or "XML15" in tables):
        return "qd4750"
    return by_date


def implied_checkin_version(records: Sequence[Mapping[str, str]]) -> str:
    """The version a check-in implies: 4750 fields mean 4750 or later; then the NGAY_VAO date."""
    first = records[0] if records else {}
    by_date = version_for_date(first.get("NGAY_VAO", ""))
    if by_date == "qd130" and any(tag in r for r in records for tag in _CHECKIN_4750):
        return "qd4750"
    return by_date
