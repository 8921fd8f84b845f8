"""The capacity model: from "40 million users" and stated assumptions to request rates.

Every input is a named assumption in ``data/assumptions.toml`` (ID, value, unit, source, mark); a
run can override any of them. The rates are computed, never typed in: the defaults reproduce the
project's performance baselines (base peak ≈ 1.8 k requests/s, 200 writes/s).
"""

from __future__ import annotations

import difflib
import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

SECONDS_PER_DAY = 86_400
SCENARIO_NAMES = ("low", "base", "high", "surge", "soak")
SHARES = frozenset({"monthly_active_share", "campaign_share_per_hour", "worker_cpu_ceiling"})
"""Assumptions that are a share: 0 < value ≤ 1."""


class AssumptionError(ValueError):
    """An override names no assumption, or gives it a value it cannot take (a usage error)."""


@dataclass(frozen=True, slots=True)
class Assumption:
    key: str
    id: str
    value: float
    unit: str
    summary: str
    source: str
    mark: str
    overridden: bool = False


def _data() -> dict[str, Any]:
    text = resources.files("lienthong.load").joinpath("data/assumptions.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


_DATA = _data()
DEFAULTS: dict[str, Assumption] = {
    key: Assumption(
        key, row["id"], float(row["value"]), row["unit"], row["summary"], row["source"], row["mark"]
    )
    for key, row in _DATA.items()
    if key != "scenarios"
}
SCENARIOS: dict[str, dict[str, Any]] = _DATA["scenarios"]


@dataclass(frozen=True, slots=True)
class Assumptions:
    """The model's inputs: the defaults with a run's overrides."""

    items: Mapping[str, Assumption] = field(default_factory=lambda: dict(DEFAULTS))

    def __getitem__(self, key: str) -> float:
        return self.items[key].value

    def with_values(self, values: Mapping[str, Any], *, origin: str = "override") -> Assumptions:
        """A copy with ``values`` (key → number) applied; a wrong key or value is an AssumptionError."""
        items = dict(self.items)
        for key, raw in values.items():
            if key not in items:
                close = difflib.get_close_matches(key, items, n=1)
                hint = f" Did you mean {close[0]!r}?" if close else ""
                raise AssumptionError(
                    f"{origin}: {key!r} is not an assumption of the capacity model.{hint} "
                    f"Valid keys: {', '.join(sorted(items))} (see `lienthong load plan --format json`)."
                )
            try:
                value = float(raw)
            except (TypeError, ValueError):
                raise AssumptionError(f"{origin}: {key} = {raw!r} is not a number.") from None
            if not math.isfinite(value) or value <= 0 or (key in SHARES and value > 1):
                bound = "a share in (0, 1]" if key in SHARES else "a positive number"
                raise AssumptionError(f"{origin}: {key} = {raw!r} must be {bound}.")
            old = items[key]
            items[key] = Assumption(
                key, old.id, value, old.unit, old.summary, old.source, old.mark, overridden=True
            )
        return Assumptions(items)


def overrides_from_toml(path: Path) -> dict[str, Any]:
    """The assumption values of a TOML file: its ``[tool.lienthong.load]`` table, else its top level."""
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise AssumptionError(f"cannot read the assumptions file {path}: {exc.strerror}.") from None
    except tomllib.TOMLDecodeError as exc:
        raise AssumptionError(f"{path} is not valid TOML: {exc}.") from None
    table = document.get("tool", {}).get("lienthong", {}).get("load", document)
    if not isinstance(table, dict):
        raise AssumptionError(f"{path}: [tool.lienthong.load] must be a table of assumption = value.")
    return {key: value for key, value in table.items() if not isinstance(value, dict)}


@dataclass(frozen=True, slots=True)
class Rates:
    """Requests per second a scenario puts on the national nodes, per stream of the load."""

    citizen_read: float
    """Citizens on VNeID: sign-in, book, referrals, appointments, labs, a child's vaccinations."""
    write: float
    """Facilities' check-ins and dossiers at the gateway."""
    lookup: float
    """Facilities' BHYT card look-ups at the gateway."""
    facility_read: float
    """Facilities reading a patient's book at the MoH store for treatment."""

    @property
    def total(self) -> float:
        return self.citizen_read + self.write + self.lookup + self.facility_read

    def scaled(self, factor: float) -> Rates:
        return Rates(*(value * factor for value in self.as_dict().values()))

    def as_dict(self) -> dict[str, float]:
        return {
            "citizen_read": self.citizen_read,
            "write": self.write,
            "lookup": self.lookup,
            "facility_read": self.facility_read,
        }


@dataclass(frozen=True, slots=True)
class Plan:
    scenario: str
    scale: float
    assumptions: Assumptions
    average: Rates
    peak: Rates

    @property
    def episodes_per_second(self) -> float:
        """New episodes (distinct MA_LK) per second at the peak."""
        return self.peak.write / self.assumptions["writes_sent_per_visit"]

    @property
    def workers(self) -> int:
        """Locust worker processes (one core each) needed for the peak at the per-core rate."""
        per_worker = self.assumptions["locust_rps_per_core"] * self.assumptions["worker_cpu_ceiling"]
        return max(1, math.ceil(self.peak.total / per_worker))

    def as_json(self) -> dict[str, Any]:
        def rates(r: Rates) -> dict[str, float]:
            return {k: round(v, 3) for k, v in r.as_dict().items()} | {"total": round(r.total, 3)}

        return {
            "scenario": self.scenario,
            "summary": SCENARIOS[self.scenario]["summary"],
            "scale": self.scale,
            "rates": {"average": rates(self.average), "peak": rates(self.peak)},
            "episodes_per_second": round(self.episodes_per_second, 3),
            "workers": self.workers,
            "assumptions": [
                {
                    "id": a.id,
                    "key": a.key,
                    "value": a.value,
                    "unit": a.unit,
                    "summary": a.summary,
                    "source": a.source,
                    "mark": a.mark,
                    "overridden": a.overridden,
                }
                for a in self.assumptions.items.values()
            ],
        }


def plan(scenario: str = "base", assumptions: Assumptions | None = None, *, scale: float = 1.0) -> Plan:
    """The rates of ``scenario`` from ``assumptions`` (the defaults), at ``scale`` of the population."""
    if scenario not in SCENARIOS:
        close = difflib.get_close_matches(scenario, SCENARIOS, n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        raise AssumptionError(f"unknown scenario {scenario!r}.{hint} Valid: {', '.join(SCENARIO_NAMES)}.")
    if not 0 < scale <= 1:
        raise AssumptionError(f"scale {scale!r} must be in (0, 1] (a share of the population).")
    chosen = SCENARIOS[scenario]
    a = (assumptions or Assumptions()).with_values(chosen.get("set", {}), origin=f"scenario {scenario}")
    if assumptions is not None:  # the run's own overrides win over the scenario's
        a = a.with_values(
            {k: v.value for k, v in assumptions.items.items() if v.overridden}, origin="override"
        )
    citizen_avg = (
        a["registered_users"]
        * a["monthly_active_share"]
        * a["sessions_per_active_user_month"]
        * a["calls_per_session"]
        / 30
        / SECONDS_PER_DAY
    )
    clinical_visits = a["visits_per_year"] / a["working_days"] / (a["clinical_hours"] * 3600)
    lookups = min(a["lookups_per_visit"], a["facility_reads_per_visit"])
    average = Rates(
        citizen_avg,
        clinical_visits * a["writes_per_visit"],
        clinical_visits * lookups,
        clinical_visits * (a["facility_reads_per_visit"] - lookups),
    )
    if chosen.get("peaks", True):
        facility = a["facility_peak_hour_factor"] * a["burst_factor"]
        citizen_peak = citizen_avg * a["citizen_peak_hour_factor"] * a["burst_factor"]
        if chosen.get("citizen") == "campaign":
            citizen_peak = (
                a["registered_users"] * a["campaign_share_per_hour"] * a["calls_per_session"] / 3600
            ) * a["burst_factor"]
        peak = Rates(
            citizen_peak,
            average.write * facility,
            average.lookup * facility,
            average.facility_read * facility,
        )
    else:
        peak = average
    return Plan(scenario, scale, a, average.scaled(scale), peak.scaled(scale))


def schema_path() -> Path:
    """The published JSON Schema of ``lienthong load plan --format json``."""
    return Path(str(resources.files("lienthong.load").joinpath("data/plan.schema.json")))
