"""The dossier deadline of a certification session (``--dossier-deadline``): how long after a
check-in its dossier may take before the verdict fails the episode (TRAFFIC-01); until then the
episode is *pending*.

Written ``7wd`` (working days, Monday to Friday; public holidays are not counted out), ``2d``,
``4h``, ``30m``, ``90s`` or ``0``. The default is the catalogue's ``dossier_after_episode``
(``profiles/data/deadlines.csv``: TT 48/2017/TT-BYT Đ7 k1, the payment-request data within 7
working days after the episode ends [S]); a session cannot know when an episode without a dossier
ended, so the clock starts at its check-in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from lienthong.profiles.monitoring import Deadline, deadline

CATALOGUED = "dossier_after_episode"
"""The deadline of ``profiles/data/deadlines.csv`` a session uses unless told otherwise."""
_FORM = re.compile(r"(\d{1,6})\s*(wd|d|h|m|s)?")
MISSING_DOSSIER = "TRAFFIC-01"
_UNITS = {"d": "days", "h": "hours", "m": "minutes", "s": "seconds"}


class DeadlineError(ValueError):
    """A ``--dossier-deadline`` that is not of a known form."""


@dataclass(frozen=True, slots=True)
class SessionDeadline:
    text: str
    working_days: int = 0
    delta: timedelta = timedelta(0)
    source: str = ""

    def due(self, start: datetime) -> datetime:
        """When the deadline of an event at ``start`` ends."""
        if not self.working_days:
            return start + self.delta
        counted = Deadline("session", MISSING_DOSSIER, self.working_days, "working_days", "", self.source, "")
        return counted.due(start)

    def describe(self) -> str:
        return f"{self.text} ({self.source})"


def parse_deadline(text: str) -> SessionDeadline:
    """The deadline ``text`` names (empty: the catalogue's default, with its source)."""
    given = (text or "").strip().lower()
    if not given:
        row = deadline(CATALOGUED)
        source = f"{row.source} [{row.mark}]"
        if row.unit == "working_days":
            return SessionDeadline(f"{row.limit}wd", working_days=row.limit, source=source)
        return SessionDeadline(
            f"{row.limit} {row.unit}", delta=timedelta(**{row.unit: row.limit}), source=source
        )
    match = _FORM.fullmatch(given)
    if match is None:
        raise DeadlineError(
            "not a duration: write a whole number and a unit, wd (working days), d, h, m or s "
            "(for example 7wd, 2d, 4h, 30m), or 0"
        )
    number, unit = int(match.group(1)), match.group(2)
    source = "--dossier-deadline of the session"
    if unit == "wd":
        return SessionDeadline(given, working_days=number, source=source)
    if unit is None and number != 0:
        raise DeadlineError(f"{number} has no unit: write {number}wd, {number}d, {number}h or {number}m")
    return SessionDeadline(given, delta=timedelta(**{_UNITS[unit or "s"]: number}), source=source)
