"""Synthetic Vietnam: citizens as a pure function of (seed, index).

Same seed and index give the same citizen on any machine, in any order, in any process.
"""

from __future__ import annotations

from lienthong.simulators.population.citizens import Citizen, citizen, citizens

__all__ = ["Citizen", "citizen", "citizens"]
