"""Load tests shaped by the 40-million-user capacity model, with SLO gates.

``lienthong.load.locustfile`` holds the Locust users and shapes; it is loaded by Locust in its own
process (Locust patches the standard library with gevent), never imported here. Everything else
(the capacity model, shapes, open-model arrivals, gates, summaries, reports) is plain Python.
"""

from __future__ import annotations

from lienthong.load import k8s, load_report, runconfig
from lienthong.load.capacity import (
    DEFAULTS,
    SCENARIO_NAMES,
    SCENARIOS,
    Assumption,
    AssumptionError,
    Assumptions,
    Plan,
    Rates,
    overrides_from_toml,
    plan,
)
from lienthong.load.gates import Gate, GateError, GateResult, default_gates, evaluate, passed, verdict_line
from lienthong.load.shapes import SHAPES, Shape, UnknownShape, shape
from lienthong.load.summary import Figures, RunSummary, Stream

__all__ = [
    "DEFAULTS",
    "SCENARIOS",
    "SCENARIO_NAMES",
    "SHAPES",
    "Assumption",
    "AssumptionError",
    "Assumptions",
    "Figures",
    "Gate",
    "GateError",
    "GateResult",
    "Plan",
    "Rates",
    "RunSummary",
    "Shape",
    "Stream",
    "UnknownShape",
    "default_gates",
    "evaluate",
    "k8s",
    "load_report",
    "overrides_from_toml",
    "passed",
    "plan",
    "runconfig",
    "shape",
    "verdict_line",
]
