"""Load tests shaped by the 40-million-user capacity model, with SLO gates.

``lienthong.load.locustfile`` holds the Locust users; it is loaded by Locust in its own process
(Locust patches the standard library with gevent), never imported here.
"""

from __future__ import annotations

from lienthong.load.capacity import SCENARIOS, Assumptions, Demand, demand, scaled, surge
from lienthong.load.slo import SLO, Observed, breaches

__all__ = [
    "SCENARIOS",
    "SLO",
    "Assumptions",
    "Demand",
    "Observed",
    "breaches",
    "demand",
    "scaled",
    "surge",
]
