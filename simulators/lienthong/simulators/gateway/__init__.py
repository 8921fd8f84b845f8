"""The simulated BHXH gateway (Cổng tiếp nhận dữ liệu giám định BHYT)."""

from __future__ import annotations

from lienthong.simulators.gateway.app import Gateway, create_gateway
from lienthong.simulators.gateway.config import GatewayConfig
from lienthong.simulators.gateway.forwarding import Links

__all__ = ["Gateway", "GatewayConfig", "Links", "create_gateway"]
