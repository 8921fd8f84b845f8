"""Waivers of a certification verdict: an approved exception for one requirement, in a scope,
until an expiry. A failing finding a waiver covers is shown as *waived*, apart from passes; a
waiver lapses after its expiry, judged as of the verdict's judged-at time (so a bundle re-judged
later gives the same verdict).

The file is JSON, a list of ``{"requirement", "scope", "reason", "approver", "expiry"}``;
``scope`` is ``*`` (every episode), a facility code, an MA_LK, or ``FACILITY/MA_LK``; ``expiry`` is
a date (``yyyy-mm-dd``, the end of that day in Vietnam) or an ISO time with its offset.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import datetime, time
from pathlib import Path

from lienthong.conformance.traffic.findings import Finding
from lienthong.conformance.traffic.transcripts import VN
from lienthong.profiles import requirement
from lienthong.profiles.catalogue import UnknownRequirement

FIELDS = ("requirement", "scope", "reason", "approver", "expiry")


class WaiverError(ValueError):
    """The waivers file cannot be used; the message names the entry, the field and the value."""


@dataclass(frozen=True, slots=True)
class Waiver:
    requirement: str
    scope: str
    reason: str
    approver: str
    expiry: str

    @property
    def expires(self) -> datetime:
        if len(self.expiry) == 10:
            return datetime.combine(datetime.fromisoformat(self.expiry).date(), time(23, 59, 59), VN)
        moment = datetime.fromisoformat(self.expiry)
        return moment if moment.tzinfo else moment.replace(tzinfo=VN)

    def covers(self, f: Finding) -> bool:
        if f.requirement != self.requirement:
            return False
        return self.scope in ("*", f.facility, f.ma_lk, f"{f.facility}/{f.ma_lk}")

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


def waiver_for(waivers: Iterable[Waiver], f: Finding, at: datetime) -> Waiver | None:
    """The unexpired waiver covering ``f`` as of ``at``, if any."""
    return next((w for w in waivers if w.covers(f) and at <= w.expires), None)


def parse_waivers(data: object, source: str = "waivers file") -> list[Waiver]:
    if not isinstance(data, list):
        raise WaiverError(f"{source}: expected a JSON list of waivers ({', '.join(FIELDS)})")
    out = []
    for n, item in enumerate(data, start=1):
        if not isinstance(item, dict):
            raise WaiverError(f"{source}, waiver {n}: expected an object with {', '.join(FIELDS)}")
        missing = [k for k in FIELDS if not str(item.get(k, "")).strip()]
        if missing:
            raise WaiverError(f"{source}, waiver {n}: {', '.join(missing)} missing or empty")
        waiver = Waiver(*(str(item[k]).strip() for k in FIELDS))
        try:
            requirement(waiver.requirement)
        except UnknownRequirement as exc:
            raise WaiverError(f"{source}, waiver {n}, requirement: {exc.args[0]}") from None
        try:
            waiver.expires  # noqa: B018 (parsed to check it)
        except ValueError:
            raise WaiverError(
                f"{source}, waiver {n}, expiry: {waiver.expiry!r} is not yyyy-mm-dd or an ISO time"
            ) from None
        out.append(waiver)
    return out


def read_waivers(path: Path) -> list[Waiver]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise WaiverError(f"cannot read the waivers file {path}: {exc.strerror}") from None
    except ValueError as exc:
        raise WaiverError(f"{path}: not JSON ({exc})") from None
    return parse_waivers(data, str(path))
