"""``lienthong validate`` (conformance/lienthong/conformance/cli/validate.py)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from typer.testing import CliRunner

from lienthong.conformance.cli import app
from lienthong.profiles.samples import sample_tables

runner = CliRunner()


def test_valid_directory_exits_0_with_a_summary(tmp_path: Path, to_dossier: Callable[..., bytes]) -> None:
    for seed in range(3):
        (tmp_path / f"{seed}.xml").write_bytes(to_dossier(sample_tables(seed)))
    result = runner.invoke(app, ["validate", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "3 file(s) judged (3 qd3176): 3 valid, 0 with errors, 0 error(s)" in result.output


def test_errors_exit_1_naming_the_requirement(tmp_path: Path, to_dossier: Callable[..., bytes]) -> None:
    tables = sample_tables(1)
    tables["XML1"][0]["T_BHTT"] = "1.00"
    (tmp_path / "bad.xml").write_bytes(to_dossier(tables))
    (tmp_path / "notxml.xml").write_bytes(b"hello")
    result = runner.invoke(app, ["validate", str(tmp_path)])
    assert result.exit_code == 1
    assert "field T_BHTT = '1.00'" in result.output
    assert "[XML1-04]" in result.output
    assert "is not well-formed UTF-8 XML" in result.output
    assert "[ENV-01]" in result.output
    assert "Traceback" not in result.output


def test_missing_path_is_a_message_not_a_traceback(tmp_path: Path) -> None:
    result = runner.invoke(app, ["validate", str(tmp_path / "nope.xml")])
    assert result.exit_code == 2
    assert "no such file or directory" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_json_output_and_version_option(tmp_path: Path, to_dossier: Callable[..., bytes]) -> None:
    (tmp_path / "a.xml").write_bytes(to_dossier(sample_tables(2, version="qd4750", referral=True)))
    result = runner.invoke(app, ["validate", "--format", "json", "--version", "qd3176", str(tmp_path)])
    assert result.exit_code == 1
    body = json.loads(result.stdout)
    assert body["summary"]["versions"] == {"qd3176": 1}
    assert any(
        e["requirement"] == "TAG-01" and e["field"] == "MA_NOI_DEN" for e in body["files"][0]["errors"]
    )
    bad = runner.invoke(app, ["validate", "--version", "qd1", str(tmp_path)])
    assert bad.exit_code == 2
    assert "is not a profile" in bad.output


def test_same_episode_key_for_two_patients_is_key_01(
    tmp_path: Path, to_dossier: Callable[..., bytes]
) -> None:
    first, second = sample_tables(1), sample_tables(2)
    for _kind, rows in second.items():
        for row in rows:
            if "MA_LK" in row:
                row["MA_LK"] = first["XML1"][0]["MA_LK"]
    (tmp_path / "a.xml").write_bytes(to_dossier(first))
    (tmp_path / "b.xml").write_bytes(to_dossier(second))
    result = runner.invoke(app, ["validate", str(tmp_path)])
    assert result.exit_code == 1
    assert "[KEY-01]" in result.output
