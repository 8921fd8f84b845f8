"""Every user mistake on the command line ends with exit 2 and a one-paragraph message (what was
wrong, the value, what to do), never a traceback; a bug of ours ends with exit 3 and one line that
says so and names the file holding the traceback.

The table runs each invocation in-process (typer's CliRunner goes through ``LienthongGroup.main``,
the one place exceptions become exit codes). Commands that would run long get a value that fails
validation before any work starts.
"""

from __future__ import annotations

import socket
import string
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner, Result

from lienthong.conformance.cli import app
from lienthong.conformance.cli import validate as validate_module

runner = CliRunner()


def _invoke(args: list[str], **env: str) -> Result:
    return runner.invoke(app, args, env={"COLUMNS": "200", **env})


def _text(result: Result) -> str:
    return " ".join(result.output.split())


@pytest.fixture
def paths(tmp_path: Path) -> dict[str, str]:
    a_file = tmp_path / "a-file.txt"
    a_file.write_text("not a directory, not a PEM, not XML\n", encoding="utf-8")
    empty = tmp_path / "empty"
    empty.mkdir()
    return {"tmp": str(tmp_path), "file": str(a_file), "empty": str(empty), "missing": str(tmp_path / "nope")}


def _closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


REAL = ["run", "--out", "{tmp}", "--target", "bhxh=http://127.0.0.1:9", "--facility", "79001"]
REAL += ["--username", "u", "--password", "p"]
MISTAKES: list[tuple[list[str], list[str]]] = [
    # run
    (["run", "--out", "{file}"], ["--out", "{file}", "is a file, not a directory"]),
    (["run", "--out", "/proc/lienthong-cannot-be-here"], ["--out", "cannot be created"]),
    (["run", "--out", "{tmp}", "--fault", "nonsense"], ["--fault 'nonsense'", "ACTOR:VALUE"]),
    (["run", "--out", "{tmp}", "--fault", "bhxh:no_such_fault"], ["no_such_fault"]),
    (["run", "--out", "{tmp}", "--fault", "xyz:drops_forward"], ["unknown actor 'xyz'"]),
    (["run", "--out", "{tmp}", "--target", "moh=http://127.0.0.1:1"], ["only bhxh"]),
    (["run", "--out", "{tmp}", "--target", "bhxh=notaurl"], ["'notaurl'", "http://"]),
    (["run", "--out", "{tmp}", "--target", "bhxh="], ["ACTOR=VALUE"]),
    (["run", "--out", "{tmp}", "--check", "no_such_check"], ["unknown check", "no_such_check"]),
    (["run", "--out", "{tmp}", "--key", "{file}"], ["--key", "without --target"]),
    (["run", "--out", "{tmp}", "--visits", "0"], ["--visits"]),
    (["run", "--out", "{tmp}", "--target", "bhxh=http://127.0.0.1:9"], ["needs --facility"]),
    (
        [*REAL, "--key", "{file}"],
        ["--key and --cert go together"],
    ),
    (
        [*REAL, "--key", "{missing}", "--cert", "{file}"],
        ["--key {missing}", "cannot be read"],
    ),
    (
        [*REAL, "--key", "{file}", "--cert", "{file}"],
        ["--key {file}", "not an unencrypted PEM private key"],
    ),
    # simulate (each fails before any server starts)
    (["simulate", "--port", "80"], ["--port"]),
    (["simulate", "--population", "0"], ["--population"]),
    (["simulate", "--fleet", "99"], ["--fleet"]),
    (["simulate", "--register-cert", "no-equals-sign"], ["'no-equals-sign'", "FACILITY=cert.pem"]),
    (["simulate", "--register-cert", "79001={missing}"], ["cannot be read"]),
    (["simulate", "--register-cert", "79001={file}"], ["not a PEM certificate"]),
    (["simulate", "--port", "{free}", "--data-dir", "{file}"], ["--data-dir", "is a file"]),
    (
        ["simulate", "--port", "{free}", "--data-dir", "{tmp}", "--database-url", "mysql://x/y"],
        ["'mysql://x/y'", "not a PostgreSQL URL"],
    ),
    (
        ["simulate", "--port", "{free}", "--data-dir", "{tmp}", "--database-url", "mysql://u:secret@x/y"],
        ["'mysql://u:***@x/y'", "not a PostgreSQL URL"],
    ),
    (
        [
            "simulate",
            "--port",
            "{free}",
            "--data-dir",
            "{tmp}",
            "--database-url",
            "postgresql://u:secret@127.0.0.1:{closed}/db",
        ],
        ["cannot connect to the database at 127.0.0.1:{closed}/db", "running PostgreSQL"],
    ),
    (
        ["simulate", "--port", "{free}", "--data-dir", "{tmp}", "--server", "nginx"],
        ["unknown server 'nginx'"],
    ),
    (
        ["simulate", "--port", "{free}", "--data-dir", "{tmp}", "--server", "granian"],
        ["--server granian works only with --processes"],
    ),
    # validate, coverage-matrix
    (["validate", "{missing}"], ["no such file or directory"]),
    (["validate", "{empty}"], ["no XML file found in {empty}"]),
    (["validate", "--profile", "999", "{empty}"], ["--profile '999' is not a profile", "3176"]),
    (["validate", "--version", "qd1", "{empty}"], ["'qd1' is not a profile"]),
    (["validate", "--format", "yaml", "{empty}"], ["--format 'yaml'", "text, json"]),
    (["validate"], ["Missing argument"]),
    (["coverage-matrix", "--out", "{tmp}"], ["--out {tmp}", "cannot be written"]),
    (["coverage-matrix", "--out", "{missing}/x/m.csv"], ["cannot be written"]),
    # generate
    (["generate", "--out", "{file}"], ["--out", "not a directory"]),
    (["generate", "--out", "/proc/lienthong-cannot-be-here"], ["cannot be created"]),
    (["generate", "--out", "{tmp}", "--count", "0"], ["--count"]),
    (["generate", "--out", "{tmp}", "--workers", "999"], ["--workers", "999"]),
    (["generate", "--out", "{tmp}", "--seed", "-1"], ["--seed"]),
    (["generate", "--out", "{tmp}", "--format", "pdf"], ["'pdf'", "not a known format"]),
    (["generate", "--out", "{tmp}", "--start", "-5"], ["outside"]),
    # load
    (["load", "plan", "--scale", "0"], ["--scale"]),
    (["load", "run", "--run-time", ""], ["--run-time ''", "s, m or h"]),
    (["load", "run", "--run-time", "10x"], ["--run-time '10x'"]),
    (["load", "run", "--users", "0"], ["--users"]),
    (["load", "run", "--out", "{file}"], ["--out", "is a file"]),
    # bench
    (["bench", "validate", "--count", "0"], ["--count must be at least 5, not 0"]),
    (["bench", "validate", "--rounds", "0"], ["--rounds must be at least 1, not 0"]),
    (["bench", "validate", "--version", "qd999"], ["'qd999' is not a profile"]),
    (["bench", "validate", "--profile", "5000"], ["'5000' is not a profile"]),
    (["bench", "generate", "--count", "5"], ["--count must be at least 10000, not 5"]),
    (["bench", "gateway", "--server", "nginx"], ["--server 'nginx'", "granian, uvicorn"]),
    (["bench", "gateway", "--loop", "x"], ["--loop 'x'"]),
    (["bench", "gateway", "--synchronous", "off"], ["--synchronous 'OFF'"]),
    (["bench", "gateway", "--port", "80"], ["--port"]),
    (["bench", "book", "--port", "80"], ["--port"]),
    # global
    (["--lang", "fr", "validate", "{empty}"], ["--lang 'fr' is not a language of lienthong", "en, vi"]),
    (["no-such-command"], ["No such command", "Run 'lienthong --help'"]),
    # click's own errors, worded as one paragraph with the value and where the options are
    (["run", "--visits", "x"], ["'--visits'", "(given: 'x')", "Run 'lienthong run --help'"]),
    (["simulate", "--population=0"], ["'--population'", "(given: '0')"]),
    (["run", "--no-such-option"], ["No such option: --no-such-option"]),
]


def _fill(text: str, values: dict[str, str]) -> str:
    for name, value in values.items():
        text = text.replace("{" + name + "}", value)
    return text


@pytest.mark.parametrize(("args", "fragments"), MISTAKES, ids=[" ".join(a)[:70] for a, _ in MISTAKES])
def test_a_mistake_is_exit_2_and_a_message(
    paths: dict[str, str], args: list[str], fragments: list[str]
) -> None:
    values = {**paths, "free": str(_closed_port()), "closed": str(_closed_port())}
    result = _invoke([_fill(a, values) for a in args])
    text = _text(result)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    for fragment in fragments:
        assert _fill(fragment, values) in text, text
    assert "secret" not in text  # a database password is not echoed


def test_our_own_messages_are_one_paragraph(paths: dict[str, str]) -> None:
    result = _invoke(["run", "--out", paths["file"]])
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: --out")
    assert "Give --out a directory" in lines[0]  # what to do


def test_click_errors_are_one_paragraph_too() -> None:
    result = _invoke(["bench", "validate", "--count", "many"])
    assert result.exit_code == 2
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: Invalid value for '--count'")
    assert "(given: 'many')" in lines[0]
    assert lines[0].endswith("Run 'lienthong bench validate --help' to see the options and their values.")


def test_no_command_shows_the_help() -> None:
    result = _invoke([])
    assert result.exit_code == 2
    assert "Usage: lienthong" in _text(result)
    assert "run" in _text(result)


def _free(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def test_simulate_on_a_taken_port_is_a_message() -> None:
    taken = socket.socket()
    for _ in range(50):  # a port whose two lower neighbours are free (other tests take ports too)
        taken.bind(("127.0.0.1", 0))
        port = taken.getsockname()[1]
        if _free(port - 1) and _free(port - 2):
            break
        taken.close()
        taken = socket.socket()
    with taken:
        taken.listen()
        for first in (port, port - 2):  # the gateway's port, or the MoH store's (gateway + 2)
            result = _invoke(["simulate", "--port", str(first)])
            assert result.exit_code == 2, result.output
            text = _text(result)
            assert f"port {port} on 127.0.0.1 cannot be used" in text
            assert "choose another --port" in text
            assert "Traceback" not in result.output


def test_the_lienthong_lang_variable_is_checked_too(paths: dict[str, str]) -> None:
    result = _invoke(["validate", paths["empty"]], LIENTHONG_LANG="klingon")
    assert result.exit_code == 2
    assert "LIENTHONG_LANG 'klingon' is not a language of lienthong" in _text(result)


def test_a_bug_of_ours_is_exit_3_one_line_and_a_traceback_file(
    paths: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("a bug planted by the test")

    monkeypatch.setattr(validate_module, "validate_files", broken)
    errors = tmp_path / "errors"
    result = _invoke(["validate", paths["empty"]], LIENTHONG_ERRORS_DIR=str(errors))
    assert result.exit_code == 3, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1, result.output
    assert "internal error of lienthong" in lines[0]
    assert "not a mistake of yours" in lines[0]
    assert "RuntimeError" in lines[0]
    assert "error:" not in lines[0]  # not worded as a usage error
    assert "Traceback" not in result.output
    (written,) = errors.iterdir()
    assert str(written) in lines[0]
    details = written.read_text(encoding="utf-8")
    assert "Traceback" in details
    assert "a bug planted by the test" in details
    assert "validate" in details.splitlines()[0]  # the command line


def test_a_bug_of_ours_in_vietnamese_still_points_at_the_file(
    paths: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(validate_module, "validate_files", lambda *a, **k: 1 / 0)
    result = _invoke(["--lang", "vi", "validate", paths["empty"]], LIENTHONG_ERRORS_DIR=str(tmp_path))
    assert result.exit_code == 3
    assert "lỗi nội bộ của lienthong" in result.output
    assert "ZeroDivisionError" in result.output


# A hypothesis pass: whatever the values, an option never ends in a traceback or an internal error.
_values = st.one_of(
    st.integers(min_value=-3, max_value=6).map(str),
    st.text(alphabet=string.ascii_letters + string.digits + "-_.:=/ đĐ", max_size=8),
    st.sampled_from(["", "0", "-1", "1e9", "99999999999999999999", "qd3176", "3176", "auto", "NaN"]),
)
_SETTINGS = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def _no_traceback(result: Result) -> None:
    assert result.exit_code in {0, 1, 2}, result.output
    assert "Traceback" not in result.output


@_SETTINGS
@given(count=_values, rounds=_values, profile=_values)
def test_bench_validate_options(count: str, rounds: str, profile: str) -> None:
    # at most a handful of dossiers when the values are valid
    _no_traceback(
        _invoke(["bench", "validate", "--count", count[:1], "--rounds", rounds, "--profile", profile])
    )


@_SETTINGS
@given(profile=_values, fmt=_values)
def test_validate_options(paths: dict[str, str], profile: str, fmt: str) -> None:
    _no_traceback(_invoke(["validate", "--profile", profile, "--format", fmt, paths["empty"]]))


@_SETTINGS
@given(visits=_values, seed=_values, fault=_values, target=_values)
def test_run_options(paths: dict[str, str], visits: str, seed: str, fault: str, target: str) -> None:
    # --out names a file, so a run whose other values are valid stops before it starts
    args = ["run", "--out", paths["file"], "--visits", visits, "--seed", seed, "--fault", fault]
    _no_traceback(_invoke([*args, "--target", target]))


@_SETTINGS
@given(
    port=st.integers(min_value=1024, max_value=65533).map(str) | _values,
    population=st.integers(min_value=1, max_value=50).map(str) | _values,
    cert=_values,
    lang=st.sampled_from(["en", "vi", "vi_VN"]) | _values,
)
def test_simulate_options(paths: dict[str, str], port: str, population: str, cert: str, lang: str) -> None:
    # --data-dir names a file, so a simulate whose other values are valid stops before serving
    args = [
        "--lang",
        lang,
        "simulate",
        "--port",
        port,
        "--population",
        population,
        "--data-dir",
        paths["file"],
    ]
    _no_traceback(_invoke([*args, "--register-cert", cert]))


@_SETTINGS
@given(run_time=_values, users=_values, scale=_values)
def test_load_options(paths: dict[str, str], run_time: str, users: str, scale: str) -> None:
    _no_traceback(_invoke(["load", "plan", "--scale", scale]))
    _no_traceback(_invoke(["load", "run", "--run-time", run_time, "--users", users, "--out", paths["file"]]))


def test_the_installed_entry_point_behaves_the_same(tmp_path: Path) -> None:
    """``python -m lienthong.conformance.cli`` (what the ``lienthong`` script runs): exit 2 and one
    line on stderr for a mistake, nothing on stdout."""
    import os
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "lienthong.conformance.cli", "bench", "validate", "--rounds", "0"],
        capture_output=True,
        text=True,
        timeout=120,
        env=os.environ | {"COLUMNS": "200"},
        check=False,
    )
    assert done.returncode == 2, done.stderr
    assert done.stdout == ""
    assert done.stderr.strip() == "error: --rounds must be at least 1, not 0. Give --rounds 1 or more."


@_SETTINGS
@given(count=_values, seed=_values, workers=_values, fmt=_values, start=_values)
def test_generate_options(
    paths: dict[str, str], count: str, seed: str, workers: str, fmt: str, start: str
) -> None:
    # --out names a file, so a generate whose other values are valid stops before writing
    args = ["generate", "--out", paths["file"], "--count", count, "--seed", seed, "--workers", workers]
    _no_traceback(_invoke([*args, "--format", fmt, "--start", start]))
