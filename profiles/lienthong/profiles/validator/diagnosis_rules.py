"""Which ICD-10 code may be the main diagnosis (ICD-02).

TT 06/2026/TT-BYT flags codes not allowed as the main diagnosis in its columns 24-29; that table is
not shipped. WHO ICD-10 fixes a firm part of it (``codelists.main_diagnosis_limits``): asterisk
categories, chapter XX external causes, the supplementary-only B95-B98 and U82-U85, and categories
whose WHO title limits them to one sex. Two dict lookups per XML1 record.
"""

from __future__ import annotations

from lienthong.profiles.codelists import main_diagnosis_limits
from lienthong.profiles.validator.registry import rule

Found = list[tuple[str, str, str, str, int]]

_LIMITS = main_diagnosis_limits()
_NOT_MAIN = _LIMITS.not_main
_ONE_SEX = _LIMITS.one_sex
_WHY = {
    "asterisk": "is an asterisk (manifestation) category: the main diagnosis is the dagger code of the "
    "underlying disease",
    "external_cause": "is an external cause (chapter XX, V01-Y98): the main diagnosis is the injury or "
    "condition it caused",
    "supplementary": "is a supplementary code (B95-B98, U82-U85), never used in primary coding",
}
_SEX = {"1": "male", "2": "female"}


@rule("record", "ICD-02")
def main_diagnosis_allowed(r: dict[str, str], i: int, out: Found) -> None:
    """MA_BENH_CHINH is not an asterisk, external-cause or supplementary code, nor of the other sex."""
    code = r.get("MA_BENH_CHINH", "")
    category = code[:3]
    why = _NOT_MAIN.get(category)
    if why is not None:
        out.append(("ICD-02", "MA_BENH_CHINH", code, f"{category} {_WHY[why]}", i))
    only = _ONE_SEX.get(category)
    if only is not None:
        sex = r.get("GIOI_TINH", "")
        # 3 (undetermined) and an empty sex are left alone: only a known, other sex is a contradiction.
        if sex in _SEX and sex != only:
            out.append(
                (
                    "ICD-02",
                    "MA_BENH_CHINH",
                    code,
                    f"{category} describes a {_SEX[only]} patient only; GIOI_TINH is {sex} ({_SEX[sex]})",
                    i,
                )
            )
