"""``lienthong run``: reports for every catalogued requirement; clear errors for bad options."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
from lxml import etree
from typer.testing import CliRunner

from lienthong.conformance.cli import app
from lienthong.profiles import requirements

runner = CliRunner()


def _run_dir(out: Path) -> Path:
    (run_dir,) = list(out.iterdir())
    return run_dir


def test_run_on_embedded_defaults_writes_reports_for_every_requirement(tmp_path: Path) -> None:
    result = runner.invoke(app, ["run", "--out", str(tmp_path), "--visits", "4"])
    assert result.exit_code == 0, result.output
    assert "PASSED" in result.output
    run_dir = _run_dir(tmp_path)
    report = orjson.loads((run_dir / "report.json").read_bytes())
    outcomes = {r["id"]: r["outcome"] for r in report["run"]["requirements"]}
    assert set(outcomes) == set(requirements())
    assert set(outcomes.values()) <= {"pass", "fail", "warn", "waived", "skip", "omit", "error"}
    junit = etree.parse(str(run_dir / "junit.xml")).getroot()
    in_scope = [r for r in report["run"]["requirements"] if r["in_scope"]]
    assert int(junit.get("tests")) == len(in_scope)  # one test case per requirement in scope
    html = (run_dir / "report.html").read_text(encoding="utf-8")
    assert all(f'id="{req_id}"' in html for req_id in outcomes)
    assert "<script" not in html
    assert "http://" not in html.split("<body>")[0]


def test_a_faulty_simulator_fails_the_run_and_the_report_says_which_requirement(
    tmp_path: Path,
) -> None:
    result = runner.invoke(
        app, ["run", "--out", str(tmp_path), "--visits", "2", "--fault", "bhxh:drops_forward"]
    )
    assert result.exit_code == 1, result.output
    report = orjson.loads((_run_dir(tmp_path) / "report.json").read_bytes())
    failed = {r["id"] for r in report["run"]["requirements"] if r["outcome"] == "fail"}
    assert "CHAIN-01" in failed
    evidence = _run_dir(tmp_path) / "failures" / "visit_reaches_book"
    assert "CHAIN-01" in (evidence / "errors.txt").read_text(encoding="utf-8")
    assert "curl -X POST" in (evidence / "reproduce.sh").read_text(encoding="utf-8")
    assert "[secret:" in (evidence / "exchanges.http").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--fault", "bhxh:drop_forward"], ["unknown bhxh fault", "drops_forward"]),
        (["--fault", "nonsense"], ["ACTOR:VALUE"]),
        (["--target", "moh=http://127.0.0.1:1"], ["only bhxh"]),
        (["--check", "token_take_open_session"], ["unknown check", "token_take_opens_session"]),
        (["--target", "bhxh=http://127.0.0.1:9"], ["needs --facility, --username, --password"]),
    ],
)
def test_bad_options_get_a_message_not_a_traceback(tmp_path: Path, args: list[str], words: list[str]) -> None:
    result = runner.invoke(app, ["run", "--out", str(tmp_path), *args])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    for word in words:
        assert word in result.output
