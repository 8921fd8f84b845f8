"""The simulated MoH health-book store (Sổ sức khỏe điện tử back end)."""

from __future__ import annotations

from lienthong.simulators.moh.app import create_moh
from lienthong.simulators.moh.config import MoHConfig
from lienthong.simulators.moh.store import MoHStore

__all__ = ["MoHConfig", "MoHStore", "create_moh"]
