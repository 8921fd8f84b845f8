"""The capacity model: from "40 million users" and stated assumptions to request rates.

Every input is an assumption a user can change; the derived figures are computed, never typed in.
Defaults reproduce the project's performance baselines (§6): base peak ≈ 1.8 k requests/s.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

SECONDS_PER_DAY = 86_400


@dataclass(frozen=True, slots=True)
class Assumptions:
    registered_users: int = 40_000_000
    monthly_active_share: float = 0.35
    sessions_per_active_user_month: float = 4.8
    calls_per_session: int = 15
    visits_per_year: int = 180_000_000
    working_days: int = 300
    clinical_hours: int = 10
    writes_per_visit: int = 4
    facility_reads_per_visit: int = 3
    citizen_peak_hour_factor: float = 2.5
    """Evening peak (VNeID's 19–21 h) over the daily average."""
    facility_peak_hour_factor: float = 2.0
    """Morning clinic peak over the clinical-day average (inferred from the baseline table) [I]."""
    burst_factor: float = 1.5


SCENARIOS = {
    "low": Assumptions(
        monthly_active_share=0.10,
        sessions_per_active_user_month=3,
        calls_per_session=10,
        visits_per_year=170_000_000,
        writes_per_visit=3,
        facility_reads_per_visit=2,
    ),
    "base": Assumptions(),
    "high": Assumptions(
        monthly_active_share=0.60,
        sessions_per_active_user_month=8,
        calls_per_session=20,
        visits_per_year=250_000_000,
        writes_per_visit=10,
        facility_reads_per_visit=5,
    ),
}


@dataclass(frozen=True, slots=True)
class Demand:
    """Requests per second a scenario puts on the national nodes."""

    citizen_avg: float
    citizen_peak: float
    write_avg: float
    write_peak: float
    facility_read_peak: float

    @property
    def total_peak(self) -> float:
        return self.citizen_peak + self.write_peak + self.facility_read_peak


def demand(a: Assumptions) -> Demand:
    citizen_per_day = (
        a.registered_users
        * a.monthly_active_share
        * a.sessions_per_active_user_month
        * a.calls_per_session
        / 30
    )
    citizen_avg = citizen_per_day / SECONDS_PER_DAY
    visits_per_day = a.visits_per_year / a.working_days
    clinical_seconds = a.clinical_hours * 3600
    write_avg = visits_per_day * a.writes_per_visit / clinical_seconds
    read_avg = visits_per_day * a.facility_reads_per_visit / clinical_seconds
    facility_peak = a.facility_peak_hour_factor * a.burst_factor
    return Demand(
        citizen_avg,
        citizen_avg * a.citizen_peak_hour_factor * a.burst_factor,
        write_avg,
        write_avg * facility_peak,
        read_avg * facility_peak,
    )


def surge(a: Assumptions, *, share_in_hour: float = 0.10) -> float:
    """A national "check your book" campaign: ``share_in_hour`` of users open the app in one hour."""
    return a.registered_users * share_in_hour * a.calls_per_session / 3600 * a.burst_factor


def scaled(a: Assumptions, factor: float) -> Assumptions:
    """The same mix at ``factor`` of the population (run big scenarios scaled down here)."""
    return replace(
        a,
        registered_users=int(a.registered_users * factor),
        visits_per_year=int(a.visits_per_year * factor),
    )
