"""The shapes as Locust ``LoadTestShape`` classes, built from the run configuration.

The master runs the shape: each tick it sets the user pool for the current rate of every stream
(``RunConfig.pool``), and it ends the test at the run time. The arrival rate itself follows the
same course in every process (``RunConfig.rate``), so the users follow the load, not the other way.
"""

from __future__ import annotations

from typing import Any

from locust import LoadTestShape

from lienthong.load.runconfig import RunConfig
from lienthong.load.shapes import shape

_CACHE: list[RunConfig] = []


def _config() -> RunConfig:
    if not _CACHE:
        config = RunConfig.from_environment()
        if config is None:
            raise RuntimeError("LIENTHONG_LOAD_CONFIG is not set")
        _CACHE.append(config)
    return _CACHE[0]


CLASS_NAMES = {
    "flat": "FlatPeakShape",
    "day": "VietnameseDayShape",
    "monday": "MondaySurgeShape",
    "month_end": "MonthEndShape",
    "campaign": "CampaignSpikeShape",
    "soak": "SoakShape",
}


class PlanShape(LoadTestShape):
    """The user pool for the plan's highest rate over the run (the arrival schedule follows the
    shape's course); stops the run at the configured run time."""

    abstract = True
    shape_name = "flat"

    def tick(self) -> tuple[int, float] | None:
        config = _config()
        elapsed: float = self.get_run_time()  # type: ignore[no-untyped-call]
        if elapsed >= config.run_time_s:
            return None
        users = config.users()
        return users, max(float(users), 50.0)


def shape_class(name: str) -> Any:
    """The ``LoadTestShape`` subclass of shape ``name`` (raises UnknownShape for a wrong name)."""
    made = shape(name)
    return type(
        CLASS_NAMES[made.name],
        (PlanShape,),
        {"abstract": False, "shape_name": made.name, "__doc__": made.summary},
    )
