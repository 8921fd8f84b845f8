"""``pytest -p lienthong.conformance.pytest_plugin --lienthong-target ROLE=URL``: one pytest test
per check with the outcomes of ``lienthong conformance`` (fail fails, skip and out of scope skip
with the reason), against C06 served on a real loopback port, conformant and faulty."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from lxml import etree

from lienthong.conformance.cli._served import served_network

pytestmark = [pytest.mark.live, pytest.mark.slow]  # each runs pytest in a child process
TOKEN = "plugin-service-token"
PYTEST = [sys.executable, "-m", "pytest", "-p", "lienthong.conformance.pytest_plugin"]


def _pytest(tmp_path: Path, *args: str) -> tuple[int, str, dict[str, str]]:
    (tmp_path / "empty").mkdir(exist_ok=True)
    junit = tmp_path / "junit.xml"
    done = subprocess.run(
        [*PYTEST, "-p", "no:cacheprovider", "-rs", f"--junitxml={junit}",
         f"--lienthong-out={tmp_path / 'runs'}", *args, str(tmp_path / "empty")],
        capture_output=True, text=True, timeout=120, cwd=tmp_path, env=os.environ | {"COLUMNS": "200"},
    )  # fmt: skip
    cases = {}
    for case in etree.parse(str(junit)).iter("testcase"):
        kinds = [child.tag for child in case if child.tag in ("failure", "error", "skipped")]
        cases[case.get("name", "")] = kinds[0] if kinds else "passed"
    return done.returncode, done.stdout + done.stderr, cases


@pytest.mark.parametrize(("faults", "code"), [((), 0), (("c06:leaks_personal_data",), 1)])
def test_each_check_is_a_pytest_test_with_its_outcome(
    tmp_path: Path, faults: tuple[str, ...], code: int
) -> None:
    with served_network(tmp_path / "net", population=200, service_token=TOKEN, faults=faults) as network:
        returned, output, cases = _pytest(
            tmp_path,
            f"--lienthong-target=c06={network.urls['c06']}",
            f"--lienthong-service-token={TOKEN}",
            f"--lienthong-patients={network.data_dir / 'patients.csv'}",
        )
    assert returned == code, output
    assert set(cases) == {
        "identity_verified_exactly",
        "identity_answer_minimal",
        "inactive_identities_not_matched",
    }
    assert "lienthong scope" in output
    if faults:
        assert cases["identity_answer_minimal"] == "failure"
        assert "C06-02" in output
        assert "dia_chi" in output
    else:
        assert set(cases.values()) == {"passed"}


def test_without_patients_the_checks_skip_with_the_reason(tmp_path: Path) -> None:
    with served_network(tmp_path / "net", population=200, service_token=TOKEN) as network:
        returned, output, cases = _pytest(
            tmp_path, f"--lienthong-target=c06={network.urls['c06']}", f"--lienthong-service-token={TOKEN}"
        )
    assert returned == 0, output
    assert set(cases.values()) == {"skipped"}
    assert "give --patients with patients the target knows" in output


def test_a_mistake_is_a_usage_error(tmp_path: Path) -> None:
    done = subprocess.run(
        [*PYTEST, "--lienthong-target=nonsense"],
        capture_output=True, text=True, timeout=60, cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 4  # pytest's usage error
    assert "ROLE=URL" in done.stderr
