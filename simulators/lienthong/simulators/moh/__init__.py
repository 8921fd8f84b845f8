"""The simulated MoH health-book store (Sổ sức khỏe điện tử back end)."""

from __future__ import annotations

from lienthong.simulators.moh.app import MoHConfig, MoHStore, create_moh

__all__ = ["MoHConfig", "MoHStore", "create_moh"]
