"""The suite is tested too: every check fails against its named fault and passes against the
conformant simulators (DESIGN decision 4)."""

from __future__ import annotations

import asyncio

import pytest

from lienthong.conformance.checks.sender_rules import DATA_RULES
from lienthong.conformance.cli._wiring import send_batch, simulated_suite
from lienthong.conformance.registry import registered
from lienthong.conformance.results import CheckResult, Outcome
from lienthong.conformance.runner import is_firm, run_checks
from lienthong.simulators.faults import FAULTS, breaks_fault
from lienthong.simulators.network import NetworkConfig, build_network
from tests.conftest import ALL_ACTORS, run_sync

CHECKS = registered()


@pytest.fixture(scope="module")
def conformant_results() -> dict[str, CheckResult]:
    async def go() -> list[CheckResult]:
        network = build_network(NetworkConfig(seed=7, population=120))
        try:
            await send_batch(network, 5)
            suite = await simulated_suite(network)
            return await run_checks(
                CHECKS.values(), server=suite.server, sender=suite.sender, under_test=ALL_ACTORS
            )
        finally:
            await network.aclose()

    return {r.check: r for r in asyncio.run(go())}


@pytest.mark.selftest
@pytest.mark.parametrize("name", sorted(CHECKS))
def test_check_passes_on_conformant_simulators(name: str, conformant_results: dict[str, CheckResult]) -> None:
    result = conformant_results[name]
    assert result.outcome is Outcome.PASS, (
        f"{name}: {result.outcome.value}: {result.message} {result.details[:3]}"
    )


@pytest.mark.selftest
@pytest.mark.parametrize("name", sorted(CHECKS))
def test_check_fails_on_its_fault(name: str) -> None:
    item = CHECKS[name]
    actor, _, fault = item.fault.partition(":")
    assert FAULTS[fault].actor == actor, (
        f"{name} names fault {item.fault}, which belongs to {FAULTS[fault].actor}"
    )
    result = run_sync(item, {actor: frozenset({fault})})
    # A check of a firm SHALL fails; one of a SHOULD or an [I]-only fact warns (never passes).
    expected = Outcome.FAIL if is_firm(item.verifies) else Outcome.WARN
    assert result.outcome is expected, (
        f"{name} did not fail against fault {item.fault}: {result.outcome.value}: {result.message}"
    )
    assert result.message


# Faults beyond each check's own, and the check that must catch them.
ALSO_CAUGHT = {
    "tampered_after_signing": "sent_documents_signed",
    "drops_visits": "visit_reaches_book",
    "server_error": "answers_carry_receipt_fields",
    "wrong_success_code": "answers_carry_receipt_fields",
    "hangs_after_commit": "submission_answered_promptly",
}
# The generic breaks_<rule> faults of rules that also have a hand-written fault: caught by the same check.
ALSO_CAUGHT |= {
    breaks_fault(req_id): f"sent_{req_id.lower().replace('-', '_')}"
    for req_id in DATA_RULES
    if breaks_fault(req_id) in FAULTS
}


@pytest.mark.selftest
@pytest.mark.parametrize(("fault", "name"), sorted(ALSO_CAUGHT.items()))
def test_secondary_fault_is_caught(fault: str, name: str) -> None:
    result = run_sync(CHECKS[name], {FAULTS[fault].actor: frozenset({fault})})
    expected = Outcome.FAIL if is_firm(CHECKS[name].verifies) else Outcome.WARN
    assert result.outcome is expected, f"{name} missed fault {fault}: {result.message}"


def test_every_fault_in_the_catalogue_is_caught_by_some_check() -> None:
    primary = {CHECKS[name].fault.partition(":")[2] for name in CHECKS}
    assert set(FAULTS) == primary | set(ALSO_CAUGHT)
