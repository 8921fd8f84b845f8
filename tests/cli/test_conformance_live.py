"""``lienthong conformance --role bhxh|c06|moh --target URL`` against simulated nodes served on
real loopback ports: a conformant network passes (exit 0), a network with one fault per node
fails on the requirement that fault breaks (exit 1), and ``lienthong replay`` re-sends a case."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
from typer.testing import CliRunner

from lienthong.conformance.cli import app
from lienthong.conformance.cli._served import ServedNetwork, served_network
from lienthong.simulators.facilities import facilities, staff_of

pytestmark = pytest.mark.live
TOKEN = "live-test-service-token"
FAULTS = ("c06:leaks_personal_data", "moh:cross_patient_read", "bhxh:accepts_any_password")
runner = CliRunner()


@pytest.fixture(scope="module")
def conformant(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServedNetwork]:
    with served_network(tmp_path_factory.mktemp("ok"), population=200, service_token=TOKEN) as network:
        yield network


@pytest.fixture(scope="module")
def faulty(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServedNetwork]:
    with served_network(
        tmp_path_factory.mktemp("bad"), population=200, service_token=TOKEN, faults=FAULTS
    ) as network:
        yield network


def _options(network: ServedNetwork, role: str, *, second: bool = False) -> list[str]:
    samples, site = network.samples(1), facilities(network.seed)[1]
    keys = network.data_dir / "keys"
    options = [
        "--role", role, "--target", network.urls[role], "--service-token", TOKEN,
        "--patients", str(network.data_dir / "patients.csv"),
    ]  # fmt: skip
    if role == "bhxh":
        options += [
            "--account", f"{samples.facility}:{samples.username}:{samples.password}",
            "--key", str(keys / f"{samples.facility}.key.pem"),
            "--cert", str(keys / f"{samples.facility}.cert.pem"),
            "--staff", ":".join(staff_of(samples.facility)),
        ]  # fmt: skip
        if second:
            other = network.samples(2)
            options += ["--account", f"{other.facility}:{other.username}:{other.password}"]
    if role == "moh":
        options += ["--peer", f"c06={network.urls['c06']}", "--client", f"{site.code}:{site.moh_secret}"]
    return options


Report = dict[str, Any]


def _conformance(
    network: ServedNetwork, role: str, out: Path, *extra: str, second: bool = False
) -> tuple[int, str, Report]:
    options = _options(network, role, second=second)
    result = runner.invoke(app, ["conformance", *options, "--out", str(out), *extra], env={"COLUMNS": "250"})
    runs = list(out.iterdir()) if out.exists() else []
    assert runs, result.output
    report = orjson.loads((runs[0] / "report.json").read_bytes()) if runs else {}
    return result.exit_code, result.output, report


@pytest.mark.parametrize("role", ["c06", "moh", pytest.param("bhxh", marks=pytest.mark.slow)])
def test_a_conformant_node_passes(conformant: ServedNetwork, role: str, tmp_path: Path) -> None:
    code, output, report = _conformance(conformant, role, tmp_path, second=role == "bhxh")
    assert code == 0, output
    assert output.index("scope") < output.index("PASSED")  # the scope comes first
    outcomes = {c["check"]: c["outcome"] for c in report["run"]["checks"]}
    assert "fail" not in outcomes.values()
    assert list(outcomes.values()).count("pass") >= 3
    assert {c["actor"] for c in report["run"]["checks"]} == {role}
    assert report["run"]["scope"]["role"] == role
    if role == "bhxh":  # the second account of another facility enables the cross-facility check
        assert outcomes["other_facility_account_cannot_submit"] == "pass"


def test_without_a_second_account_the_cross_facility_check_skips_saying_so(
    conformant: ServedNetwork, tmp_path: Path
) -> None:
    code, output, report = _conformance(
        conformant, "bhxh", tmp_path, "--check", "other_facility_account_cannot_submit"
    )
    assert code == 1, output  # a SHALL in scope untested: INCOMPLETE, never PASSED
    assert "INCOMPLETE" in output
    (only,) = report["run"]["checks"]
    assert (only["outcome"], only["message"]) == ("skip", "needs a second --account of another facility")
    assert "no account of another facility: cross-facility checks skip" in output  # in the scope


@pytest.mark.parametrize(
    ("role", "requirement", "check"),
    [
        ("c06", "C06-02", "identity_answer_minimal"),
        ("moh", "SEC-02", "citizen_reads_only_own_book"),
        ("bhxh", "API-02", "token_take_refuses_wrong_password"),
    ],
)
def test_a_faulty_node_fails_on_the_requirement_it_breaks(
    faulty: ServedNetwork, role: str, requirement: str, check: str, tmp_path: Path
) -> None:
    # the gateway's whole role takes long: its two session checks show the same thing
    only = ["--check", "token_take_opens_session", "--check", check] if role == "bhxh" else []
    code, output, report = _conformance(faulty, role, tmp_path, *only)
    assert code == 1, output
    assert "FAILED" in output
    assert requirement in output.split("Failed", 1)[1]  # listed among the failed requirements
    failed = {c["check"]: c["case_id"] for c in report["run"]["checks"] if c["outcome"] == "fail"}
    assert check in failed
    case = failed[check]
    assert case in output.replace("\n", "").replace("│", "").replace(" ", "")
    run_dir = next(tmp_path.iterdir())
    kept = (run_dir / "cases" / f"{check}.json").read_text(encoding="utf-8")
    assert TOKEN not in kept  # secrets are labelled, never kept
    assert "[secret:" in kept


def test_replay_resends_a_case_and_shows_both_answers(faulty: ServedNetwork, tmp_path: Path) -> None:
    code, output, report = _conformance(faulty, "c06", tmp_path)
    assert code == 1, output
    (case,) = [c["case_id"] for c in report["run"]["checks"] if c["outcome"] == "fail"]
    replayed = runner.invoke(
        app, ["replay", case, "--out", str(tmp_path), "--service-token", TOKEN], env={"COLUMNS": "200"}
    )
    assert replayed.exit_code == 0, replayed.output
    assert "recorded" in replayed.output
    assert "now" in replayed.output
    assert "dia_chi" in replayed.output  # the fault is still there: the new answer shows it too
    assert "answers have the recorded HTTP status" in replayed.output
    missing = runner.invoke(app, ["replay", case, "--out", str(tmp_path)])
    assert missing.exit_code == 2
    assert "--service-token" in missing.output


def _role_faults() -> list[Any]:
    """Every C06 and MoH fault with the role checks registered as proven by it."""
    from lienthong.conformance.registry import registered
    from lienthong.simulators.faults import faults_for

    checks = registered().values()
    return [
        pytest.param(actor, fault.name, sorted(c.name for c in checks if c.fault == f"{actor}:{fault.name}"))
        for actor in ("c06", "moh")
        for fault in faults_for(actor)
    ]


@pytest.mark.slow
@pytest.mark.parametrize(("role", "fault", "proven"), _role_faults())
def test_each_c06_and_moh_fault_is_caught_by_its_role(
    tmp_path: Path, role: str, fault: str, proven: list[str]
) -> None:
    """A node with the fault: its own check fails (or warns, when the requirement is not a firm
    SHALL), and a fault no role check names (``drops_visits``) still fails the run."""
    from lienthong.conformance.runner import is_firm

    extra = ["--wait-token-expiry"] if fault == "accepts_expired_tokens" else []
    with served_network(
        tmp_path / "net", population=200, service_token=TOKEN, faults=[f"{role}:{fault}"]
    ) as net:
        code, output, report = _conformance(net, role, tmp_path / "runs", *extra)
    outcomes = {c["check"]: c for c in report["run"]["checks"]}
    if fault == "accepts_expired_tokens":  # tokens live 1 h: above the 15-minute wait, so it skips saying so
        assert outcomes[proven[0]]["outcome"] == "skip"
        assert "at most 15 minutes" in outcomes[proven[0]]["message"]
        return
    if not proven:
        assert code == 1, output
        return
    for name in proven:
        firm = is_firm(outcomes[name]["requirement_ids"])
        assert outcomes[name]["outcome"] == ("fail" if firm else "warn"), outcomes[name]
    if any(is_firm(outcomes[n]["requirement_ids"]) for n in proven):
        assert code == 1, output
    else:  # only warnings: never FAILED (INCOMPLETE when some SHALL of the role was not tested)
        assert "fail" not in {c["outcome"] for c in outcomes.values()}, output


def test_replay_of_a_gateway_case_says_what_it_cannot_resend(faulty: ServedNetwork, tmp_path: Path) -> None:
    check = "token_take_refuses_wrong_password"
    code, output, report = _conformance(faulty, "bhxh", tmp_path, "--check", check)
    assert code == 1, output
    case = report["run"]["checks"][0]["case_id"]
    samples = faulty.samples(1)
    account = f"{samples.facility}:{samples.username}:{samples.password}"
    replayed = runner.invoke(
        app, ["replay", case, "--out", str(tmp_path), "--account", account], env={"COLUMNS": "200"}
    )
    assert replayed.exit_code == 0, replayed.output
    # the wrong password the check made up is not kept, so that request cannot be re-sent
    assert "not re-sent" in replayed.output
    assert samples.password not in replayed.output
