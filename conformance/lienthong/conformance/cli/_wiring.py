"""The composition root: builds the simulated network and the suite's contexts from it.

The only place (with the other CLI modules) where conformance meets the simulators; everything
else in conformance reaches them over HTTP or ASGI.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

from lienthong.conformance.context import SenderContext, ServerContext
from lienthong.conformance.journal import fetch_sent
from lienthong.conformance.recording import Recorder
from lienthong.conformance.registry import Check, registered
from lienthong.conformance.results import CheckResult, RunResult, Scope
from lienthong.conformance.runner import run_checks, summarise
from lienthong.simulators.network import NODES, Network
from lienthong.simulators.samples import Account, FacilitySamples

JUDGED_FACILITY = 0
"""The hospital whose traffic the sender checks judge (the suite itself sends as another one)."""
SUITE_FACILITY = 1
BATCH_OFFSET = 100
"""Citizens of the hospital's batch start here; the suite's own samples use citizens 0-99."""


def new_run_id(seed: int) -> str:
    return f"{datetime.now(UTC):%Y%m%d-%H%M%S}-s{seed}-{secrets.token_hex(2)}"


def tool_version() -> str:
    return version("lienthong")


def select_checks(names: Sequence[str] | None) -> list[Check]:
    """The checks to run, in registry order; unknown names get a clear error."""
    checks = registered()
    if not names:
        return list(checks.values())
    unknown = [n for n in names if n not in checks]
    if unknown:
        import difflib

        hints = [
            f"{n!r}"
            + (f" (did you mean {close[0]!r}?)" if (close := difflib.get_close_matches(n, checks, 1)) else "")
            for n in unknown
        ]
        raise ValueError(f"unknown check(s): {', '.join(hints)}")
    return [checks[n] for n in names]


OTHER_FACILITY = 2
"""A second facility's account, for the cross-facility checks."""


def network_samples(
    network: Network, index: int = SUITE_FACILITY, *, knows_population: bool = True
) -> FacilitySamples:
    """Samples of facility ``index``; the gateway's card register holds the population's first
    ``population`` citizens, so they are card holders it knows (unless ``knows_population`` is
    False: the suite then behaves as against a real gateway without a patients file)."""
    site = network.facilities[index]
    return FacilitySamples(
        Account(site.code, site.username, site.password, site.name, site.level, site.seed),
        network.config.seed,
        network.keys[site.code],
        network.clock,
        population=max(network.config.population, 1),
        known=network.config.population if knows_population else 0,
    )


@dataclass
class Suite:
    server: ServerContext
    sender: SenderContext | None


async def simulated_suite(
    network: Network, *, knows_population: bool = True, headers: dict[str, str] | None = None
) -> Suite:
    """Contexts over a simulated network: the suite calls every node and judges hospital 0.
    ``headers`` go with every request (a test network's ``X-Lienthong-Fault``)."""
    recorder = Recorder()
    clients = {
        node: network.client(node, event_hooks={"response": [recorder]}, headers=headers or {})
        for node in NODES
    }
    others = len(network.facilities) > OTHER_FACILITY
    server = ServerContext(
        clients,
        network_samples(network, knows_population=knows_population),
        recorder,
        service_token=network.gateway.config.service_token,
        settle=network.drain,
        moh_client=(network.facilities[SUITE_FACILITY].code, network.facilities[SUITE_FACILITY].moh_secret),
        advance=network.clock.advance,
        other=network_samples(network, OTHER_FACILITY, knows_population=knows_population) if others else None,
        # The simulated gateway's limits are ours to state: a 10 MiB request is refused (no field
        # but the document may pass 1 MiB, no body 32 MiB), so the body check is firm on it.
        max_body_stated=True,
    )
    judged = network.facilities[JUDGED_FACILITY].code
    sent = await fetch_sent(network.client("bhxh"), network.admin_token, facility=judged)
    sender = SenderContext(sent, {judged: [network.keys[judged].cert_pem]})
    return Suite(server, sender)


async def send_batch(
    network: Network,
    visits: int,
    *,
    faults: frozenset[str] = frozenset(),
    progress: Callable[[], None] | None = None,
) -> None:
    """Hospital 0 sends ``visits`` seeded visits through the chain, then the outbox drains."""
    hospital = network.hospital(JUDGED_FACILITY, faults=faults)
    for number in range(visits):
        await hospital.send_visit(network.visit(BATCH_OFFSET + number))
        if progress:
            progress()
    await network.drain()


async def execute(
    checks: list[Check],
    suite: Suite,
    under_test: frozenset[str],
    *,
    seed: int,
    run_id: str,
    targets: dict[str, str],
    scope: Scope | None = None,
    progress: Callable[[CheckResult], None] | None = None,
) -> RunResult:
    started = datetime.now(UTC).isoformat(timespec="seconds")
    results = await run_checks(
        checks, server=suite.server, sender=suite.sender, under_test=under_test, progress=progress
    )
    return RunResult(
        run_id,
        started,
        datetime.now(UTC).isoformat(timespec="seconds"),
        seed,
        tool_version(),
        targets,
        results,
        summarise(results, scope),
        scope,
    )


def run_directory(out: Path, run_id: str) -> Path:
    path = out / run_id
    path.mkdir(parents=True, exist_ok=True)
    return path
