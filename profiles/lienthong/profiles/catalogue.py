"""The requirement catalogue: every rule lienthong checks, with its source and how firm it is.

A requirement's ``mark`` carries the verification mark of the fact behind it:
``V`` verified in a primary document, ``S`` secondary source, ``I`` inferred.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from lienthong.profiles._data import read_csv

MARKS = {"V": "verified", "S": "secondary", "I": "inferred"}
DUTIES = {
    "refuse": "the gateway refuses a submission that breaks it (maKetQua other than 200)",
    "flag": "the gateway may accept it, but flags the record in its feedback later",
    "serve": "the gateway's own behaviour, checked by calling its API",
    "sender_only": "only a judge of the sender's traffic can see it; the gateway has no duty",
}


@dataclass(frozen=True, slots=True)
class Requirement:
    """One normative statement, addressable by a stable ID."""

    id: str
    level: str
    """SHALL or SHOULD."""
    title: str
    text: str
    source: str
    """Document(s) the rule comes from."""
    article: str
    """Article, table or row inside the source."""
    mark: str
    actors: tuple[str, ...]
    not_tested_reason: str = ""
    gateway_duty: str = ""
    """What the BHXH gateway must do about a breach (``DUTIES``); empty: not a gateway rule."""
    duty_mark: str = ""
    """Verification mark of the duty itself (a rule can be verified while the gateway's duty to
    enforce it is only inferred: the portal's own rule catalogue is not public)."""
    duty_source: str = ""

    @property
    def mark_label(self) -> str:
        return MARKS[self.mark]

    @property
    def duty_is_firm(self) -> bool:
        """Whether the gateway can fail on this duty: a SHALL whose duty is [V] or [S]."""
        return self.level == "SHALL" and self.duty_mark in ("V", "S")


class UnknownRequirement(KeyError):
    """A requirement ID that is not in the catalogue; the message lists close IDs."""


@cache
def requirements() -> dict[str, Requirement]:
    """All catalogued requirements, keyed by ID, in catalogue order."""
    out: dict[str, Requirement] = {}
    for row in read_csv("requirements.csv"):
        req = Requirement(
            id=row["id"],
            level=row["level"],
            title=row["title"],
            text=row["requirement"],
            source=row["source"],
            article=row["article"],
            mark=row["mark"],
            actors=tuple(a for a in row["actors"].split(";") if a),
            not_tested_reason=row.get("not_tested_reason") or "",
            gateway_duty=row.get("gateway_duty") or "",
            duty_mark=row.get("duty_mark") or "",
            duty_source=row.get("duty_source") or "",
        )
        if req.gateway_duty and (req.gateway_duty not in DUTIES or req.duty_mark not in MARKS):
            raise ValueError(
                f"requirement {req.id}: gateway_duty {req.gateway_duty!r} / duty_mark {req.duty_mark!r}"
            )
        if req.id in out:
            raise ValueError(f"requirement {req.id} is catalogued twice")
        out[req.id] = req
    return out


def gateway_duties(duty: str) -> list[Requirement]:
    """The requirements whose gateway duty is ``duty`` (``refuse``, ``flag``...), in catalogue order."""
    return [req for req in requirements().values() if req.gateway_duty == duty]


def requirement(req_id: str) -> Requirement:
    """The requirement with this ID, or a clear error naming close matches."""
    try:
        return requirements()[req_id]
    except KeyError:
        import difflib

        close = difflib.get_close_matches(req_id, list(requirements()), n=3)
        hint = f" Did you mean {', '.join(close)}?" if close else ""
        raise UnknownRequirement(f"unknown requirement ID {req_id!r}.{hint}") from None
