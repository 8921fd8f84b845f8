"""Shared fixtures: a simulated network and the suite's contexts over it, all in-process."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping

from lienthong.conformance.cli._wiring import send_batch, simulated_suite
from lienthong.conformance.registry import Check
from lienthong.conformance.results import CheckResult
from lienthong.conformance.runner import run_check
from lienthong.simulators.network import NetworkConfig, build_network

ALL_ACTORS = frozenset({"bhxh", "c06", "moh", "hospital"})


async def run_against(item: Check, faults: Mapping[str, frozenset[str]], *, visits: int = 3) -> CheckResult:
    """Run one check against a fresh in-process network with ``faults``."""
    network = build_network(NetworkConfig(seed=7, population=120, faults=faults))
    try:
        await send_batch(network, visits, faults=faults.get("hospital", frozenset()))
        suite = await simulated_suite(network)
        return await run_check(item, server=suite.server, sender=suite.sender, under_test=ALL_ACTORS)
    finally:
        await network.aclose()


def run_sync(item: Check, faults: Mapping[str, frozenset[str]], **kwargs: int) -> CheckResult:
    return asyncio.run(run_against(item, faults, **kwargs))
