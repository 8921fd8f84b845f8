"""The four data-quality dimensions of QĐ 2062/QĐ-BYT, "đúng, đủ, sạch, sống", and which
requirement a finding on which dimension costs.

The wording [S] (S-2062, copied here so nothing reads the reference at run time):

- **đúng** (correct): accurately reflects the person, the event and the exam results;
- **đủ** (complete): all mandatory fields per the MoH structure;
- **sạch** (clean): no duplicates, no contradictions, correct standard code lists;
- **sống** (alive): updated in time, reflects the current state.

The assignment of each requirement to one dimension is lienthong's reading [I]: explicit for the
rules named below; otherwise a field-table rule ``XMLn-02`` (required fields) is *đủ*, and every
other per-file rule (types, sizes, formats, identifiers, amounts, cross-field rules) is *đúng*.
"""

from __future__ import annotations

import re

DIMENSIONS: tuple[str, ...] = ("dung", "du", "sach", "song")
SOURCE = "QĐ 2062/QĐ-BYT (07/07/2026), wording via S-2062 [S]; requirement assignment lienthong's [I]"
WEIGHTS: dict[str, float] = {"dung": 0.25, "du": 0.25, "sach": 0.25, "song": 0.25}
"""The overall score's weights: no source gives them, so equal weights [I]."""

EXPLICIT: dict[str, str] = {
    # đủ: the structure and the tables the visit implies are there
    "ENV-01": "du",
    "ENV-02": "du",
    "ENV-04": "du",
    "XML0-01": "du",
    "XML0-03": "du",
    "XML0-04": "du",
    "PRES-01": "du",
    "PRES-02": "du",
    "PRES-04": "du",
    "PRES-05": "du",
    "PRES-06": "du",
    "TAG-01": "du",
    # sạch: duplicates, contradictions (between tables, visits, versions), code lists
    "TRAFFIC-02": "sach",
    "TRAFFIC-03": "sach",
    "KEY-01": "sach",
    "ENV-05": "sach",
    "XML6-03": "sach",
    "XML13-03": "sach",
    "XML14-03": "sach",
    "CODE-01": "sach",
    "CODE-02": "sach",
    "CODE-03": "sach",
    "ICD-01": "sach",
    "ICD-02": "sach",
    "PRES-03": "sach",
    "PRES-07": "sach",
    # sống: sent in time, the current state
    "XML0-06": "song",
    "XML0-07": "song",
    "TIME-01": "song",
    "TRAFFIC-01": "song",
    "MOH-03": "song",
    # đúng: the person (C06's answer) and everything else read from the records
    "TRAFFIC-04": "dung",
}
_REQUIRED_FIELDS = re.compile(r"XML\d+-02")


def dimension(requirement: str) -> str:
    """The dimension a finding on ``requirement`` costs (see the module docstring)."""
    explicit = EXPLICIT.get(requirement)
    if explicit is not None:
        return explicit
    return "du" if _REQUIRED_FIELDS.fullmatch(requirement) else "dung"
