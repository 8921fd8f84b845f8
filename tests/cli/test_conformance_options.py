"""``lienthong conformance``: every option mistake gets a message and exit 2 (never a traceback),
an unreachable target is an error of the run (exit 1, the URL named), and the patients file
decides which people the checks may use."""

from __future__ import annotations

import socket
from datetime import date
from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner

from lienthong.conformance.cli import app
from lienthong.conformance.cli._samples import TargetSamples
from lienthong.conformance.cli._target import TargetRun, UsageError, parse_account
from lienthong.conformance.context import NEEDS_PATIENTS
from lienthong.conformance.failures import Skipped
from lienthong.profiles.patients import Patient
from lienthong.profiles.validation import parse_dossier
from lienthong.simulators.samples import Account

runner = CliRunner()
GOOD = ["--role", "bhxh", "--target", "http://127.0.0.1:9", "--account", "79001:bv:pw"]


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--role", "his", "--target", "http://x"], ["--role 'his'", "bhxh, c06, moh"]),
        (["--role", "bhxh", "--target", "127.0.0.1:8080"], ["not an http(s) URL"]),
        (["--role", "bhxh", "--target", "http://x"], ["needs --account"]),
        (["--role", "bhxh", "--target", "http://x", "--account", "79001-bv"], ["MA_CSKCB:USERNAME:PASSWORD"]),
        ([*GOOD, "--account", "79001:other:pw2"], ["second --account", "another facility"]),
        (
            [*GOOD, "--key", "/nonexistent/key.pem", "--cert", "/nonexistent/c.pem"],
            ["--key /nonexistent", "cannot be read"],
        ),
        ([*GOOD, "--key", "/nonexistent/key.pem"], ["--key and --cert go together"]),
        ([*GOOD, "--profile", "999"], ["--profile '999'", "3176"]),
        ([*GOOD, "--peer", "c06=http://c"], ["role bhxh calls no c06 node"]),
        ([*GOOD, "--format", "pdf"], ["not a report format"]),
        ([*GOOD, "--check", "no_such_check"], ["unknown check"]),
        (
            ["--role", "moh", "--target", "http://x", "--client", "79002:s", "--account", "79001:bv:pw"],
            ["--client is of facility 79002"],
        ),
    ],
)
def test_mistakes_get_a_message_and_exit_2(tmp_path: Path, args: list[str], words: list[str]) -> None:
    result = runner.invoke(app, ["conformance", "--out", str(tmp_path), *args])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    for word in words:
        assert word in result.output


def test_a_bad_patients_row_names_its_line(tmp_path: Path) -> None:
    patients = tmp_path / "p.csv"
    patients.write_text("cccd,bhyt,name,dob,sex,address\n079095000001,,Lê Văn A,1995-13-01,1,HCM\n")
    result = runner.invoke(app, ["conformance", *GOOD, "--patients", str(patients), "--out", str(tmp_path)])
    assert result.exit_code == 2
    assert "line 2, column dob" in result.output


def test_the_password_of_a_bad_account_is_not_echoed() -> None:
    with pytest.raises(UsageError) as caught:
        parse_account("7900:bv:hunter2", 0)
    assert "hunter2" not in str(caught.value)


def test_the_first_password_may_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LIENTHONG_PASSWORD", "from-env")
    assert parse_account("79001:bv", 0).password == "from-env"
    with pytest.raises(UsageError):
        parse_account("79002:other", 1)  # only the main account's


def test_an_unreachable_target_is_an_error_of_the_run_naming_the_url(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{_closed_port()}"
    result = runner.invoke(
        app, ["conformance", "--role", "c06", "--target", url, "--out", str(tmp_path)], env={"COLUMNS": "200"}
    )
    assert result.exit_code == 1, result.output
    assert "scope" in result.output.splitlines()[0]  # printed first, before anything is sent
    report = orjson.loads(next(tmp_path.iterdir()).joinpath("report.json").read_bytes())
    messages = {c["outcome"]: c["message"] for c in report["run"]["checks"]}
    assert set(messages) == {"error"}
    assert url in messages["error"]
    assert report["run"]["scope"]["targets"] == {"c06": url}


def _patient(cccd: str, **extra: str) -> Patient:
    return Patient(cccd, "", "Trần Thị Bích", date(1990, 1, 2), "2", "Hà Nội", vneid_password="pw", **extra)  # type: ignore[arg-type]


def test_each_index_of_a_check_gets_its_own_patient_and_each_check_starts_afresh() -> None:
    people = [_patient("079190000001"), _patient("079190000002"), _patient("079190000003", status="deceased")]
    samples = TargetSamples(Account("79001", "bv", "pw"), 42, people=people)
    first, second = samples.identity(12), samples.identity(14)
    assert (first.cccd, second.cccd) == ("079190000001", "079190000002")
    assert samples.identity(12) == first  # the same index, the same person within a check
    with pytest.raises(Skipped, match="needs 3 different patients"):
        samples.identity(13)  # the deceased one is never handed out as a living patient
    assert samples.deceased().cccd == "079190000003"
    samples.next_check()
    assert samples.identity(13).cccd == "079190000001"
    dossier, _ = parse_dossier(samples.dossier(13))
    assert dossier is not None
    assert dossier.tables["XML1"][0]["SO_CCCD"] == "079190000001"  # the dossier wears the patient's identity
    assert [p.cccd for p in samples.patients] == ["079190000001", "079190000002"]


def test_without_patients_target_known_data_skips_and_dossiers_still_come() -> None:
    samples = TargetSamples(Account("79001", "bv", "pw"), 42)
    for ask in (lambda: samples.identity(1), lambda: samples.card(1), samples.deceased):
        with pytest.raises(Skipped, match=NEEDS_PATIENTS):
            ask()
    assert samples.dossier(1).startswith(b"<")
    assert samples.staff is None


def test_the_scope_is_fixed_by_the_options() -> None:
    run = TargetRun(role="c06", target="http://c06", service_token="tok-XYZ-987", wait_token_expiry=True)
    run.validate()
    scope = run.scope()
    assert scope.opt_in == {"wait-token-expiry": True}
    assert scope.credentials == ("service token",)
    assert "tok-XYZ-987" not in orjson.dumps(scope).decode()  # no secret value in the scope


@pytest.mark.parametrize(
    ("outcomes", "code"),
    [
        ([("pass", "passed"), ("warn", "a SHOULD"), ("skip", "no data")], 0),
        ([("skip", "no data")], 1),  # a SHALL in scope untested: INCOMPLETE
        ([("pass", "passed"), ("fail", "refused nothing")], 1),
        ([("error", "not run: cannot reach http://x")], 1),
        ([("error", "internal error in lienthong check c: KeyError"), ("pass", "")], 3),
        ([("error", "internal error in lienthong check c: KeyError"), ("fail", "x")], 1),
    ],
)
def test_exit_codes(outcomes: list[tuple[str, str]], code: int) -> None:
    from lienthong.conformance.cli._target import exit_code
    from lienthong.conformance.results import CheckResult, Outcome, RunResult, Scope
    from lienthong.conformance.runner import summarise

    checks = [
        CheckResult(
            f"c{i}", "t", ("API-01",), "bhxh", "server", Outcome(o), m, internal_error="internal" in m
        )
        for i, (o, m) in enumerate(outcomes)
    ]
    scope = Scope("conformance", ("bhxh",), requirements=("API-01",))
    assert exit_code(RunResult("r", "", "", 42, "0", {}, checks, summarise(checks, scope), scope)) == code
