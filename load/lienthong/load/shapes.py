"""The course of a load run over time: how each stream's rate moves against the plan's peak.

A shape maps the phase of the run (0 at the start, 1 at the end) to a multiplier of each stream's
peak rate. A day is compressed into the run: hour h of the day is phase h/24. Locust's
``LoadTestShape`` classes (``lienthong.load.shape_classes``) and the open-model arrivals both read
the same multipliers, so the user count and the arrival rate follow one course.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping
from dataclasses import dataclass

STREAMS = ("citizen_read", "write", "lookup", "facility_read")
FACILITY_STREAMS = frozenset({"write", "lookup", "facility_read"})

# Share of the peak hour in each hour of a Vietnamese day (Vietnam time) [I]: clinics open at 7,
# peak in the morning and close by 17; citizens use VNeID through the day and peak 19–21 h.
FACILITY_DAY = (
    0.02,
    0.02,
    0.02,
    0.02,
    0.02,
    0.05,
    0.2,
    0.7,
    1.0,
    1.0,
    0.8,
    0.5,
    0.3,
    0.5,
    0.7,
    0.6,
    0.4,
    0.15,
    0.05,
    0.05,
    0.03,
    0.02,
    0.02,
    0.02,
)
CITIZEN_DAY = (
    0.05,
    0.03,
    0.02,
    0.02,
    0.03,
    0.08,
    0.2,
    0.35,
    0.45,
    0.45,
    0.4,
    0.4,
    0.45,
    0.4,
    0.4,
    0.4,
    0.4,
    0.45,
    0.6,
    1.0,
    1.0,
    0.6,
    0.3,
    0.12,
)


class UnknownShape(ValueError):
    """A shape name that is not defined (a usage error)."""


def _hourly(table: tuple[float, ...], phase: float) -> float:
    """Linear interpolation in an hourly table at ``phase`` of a day."""
    hour = (phase % 1.0) * 24
    low = int(hour)
    weight = hour - low
    return table[low] * (1 - weight) + table[(low + 1) % 24] * weight


Multiplier = Callable[[str, float, Mapping[str, float]], float]


@dataclass(frozen=True, slots=True)
class Shape:
    name: str
    summary: str
    multiplier: Multiplier
    """(stream, phase, parameters) → multiplier of the stream's peak rate."""

    def mean(self, stream: str, params: Mapping[str, float], steps: int = 480) -> float:
        """The multiplier's average over the run (the target's average over its peak)."""
        return sum(self.multiplier(stream, (i + 0.5) / steps, params) for i in range(steps)) / steps

    def highest(self, stream: str, params: Mapping[str, float], steps: int = 480) -> float:
        return max(self.multiplier(stream, i / steps, params) for i in range(steps))


def _flat(stream: str, phase: float, params: Mapping[str, float]) -> float:
    return 1.0


def _day(stream: str, phase: float, params: Mapping[str, float]) -> float:
    return _hourly(FACILITY_DAY if stream in FACILITY_STREAMS else CITIZEN_DAY, phase)


def _monday(stream: str, phase: float, params: Mapping[str, float]) -> float:
    factor = params.get("monday_factor", 1.0) if stream in FACILITY_STREAMS else 1.0
    return _day(stream, phase, params) * factor


def _month_end(stream: str, phase: float, params: Mapping[str, float]) -> float:
    factor = params.get("month_end_factor", 1.0) if stream == "write" else 1.0
    return _day(stream, phase, params) * factor


def _campaign(stream: str, phase: float, params: Mapping[str, float]) -> float:
    """The scenario's peak, then a campaign spike on the citizen stream in the middle third."""
    if stream == "citizen_read" and 1 / 3 <= phase < 2 / 3:
        return params.get("campaign_spike", 1.0)
    return 1.0


SHAPES: dict[str, Shape] = {
    shape.name: shape
    for shape in (
        Shape("flat", "each stream at the scenario's peak for the whole run", _flat),
        Shape(
            "day",
            "a Vietnamese day compressed into the run: morning clinic peak, evening VNeID peak 19–21 h",
            _day,
        ),
        Shape("monday", "the day with facility streams × monday_factor (LOAD-A18)", _monday),
        Shape("month_end", "the day with dossier writes × month_end_factor (LOAD-A17)", _month_end),
        Shape(
            "campaign",
            "the peak, with citizens at the surge scenario's rate in the middle third (LOAD-A16)",
            _campaign,
        ),
        Shape(
            "soak",
            "each stream held at the scenario's rate (use with --scenario soak and a long --run-time)",
            _flat,
        ),
    )
}


def shape(name: str) -> Shape:
    if name not in SHAPES:
        close = difflib.get_close_matches(name, SHAPES, n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        raise UnknownShape(f"unknown shape {name!r}.{hint} Valid: {', '.join(SHAPES)}.")
    return SHAPES[name]
