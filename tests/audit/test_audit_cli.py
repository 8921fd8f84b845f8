"""``lienthong audit`` from the command line: user mistakes are a message and exit code 2."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from lienthong.conformance.cli import app

runner = CliRunner()


def test_audit_command_writes_the_results(corpus: dict[str, Path], tmp_path: Path) -> None:
    result = runner.invoke(
        app,
        [
            "audit",
            str(corpus["database"]),
            "--out",
            str(tmp_path),
            "--format",
            "json,csv",
            "--facilities",
            str(corpus["register"]),
            "--lang",
            "en",
            "--quiet",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "lowest:" in result.output
    header = (tmp_path / "report-2733.csv").read_text(encoding="utf-8").splitlines()[0]
    assert header.startswith("Facility,Period,Visit type,BHYT visits")


def test_a_source_that_does_not_exist_is_a_usage_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["audit", str(tmp_path / "nowhere.db"), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert "nowhere.db" in result.output
    assert "Traceback" not in result.output


def test_a_file_that_is_not_a_gateway_database_is_a_usage_error(tmp_path: Path) -> None:
    junk = tmp_path / "junk.db"
    junk.write_text("not sqlite", encoding="utf-8")
    result = runner.invoke(app, ["audit", str(junk), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert "not a gateway database" in " ".join(result.output.split())


def test_unknown_format_and_language_are_usage_errors(corpus: dict[str, Path], tmp_path: Path) -> None:
    wrong_format = runner.invoke(app, ["audit", str(corpus["database"]), "--out", str(tmp_path), "-f", "pdf"])
    assert wrong_format.exit_code == 2
    assert "pdf" in wrong_format.output
    wrong_lang = runner.invoke(
        app, ["audit", str(corpus["database"]), "--out", str(tmp_path), "--lang", "fr"]
    )
    assert wrong_lang.exit_code == 2
    assert "fr" in wrong_lang.output


def test_a_register_without_its_columns_is_a_usage_error(corpus: dict[str, Path], tmp_path: Path) -> None:
    register = tmp_path / "register.csv"
    register.write_text("code,title\n01001,X\n", encoding="utf-8")
    result = runner.invoke(
        app,
        ["audit", str(corpus["database"]), "--out", str(tmp_path / "o"), "--facilities", str(register), "-q"],
    )
    assert result.exit_code == 2
    assert "facility,name,province,level" in result.output


def test_dashboard_without_results_is_a_usage_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["dashboard", "--results", str(tmp_path), "--port", "0"])
    assert result.exit_code == 2
    assert "audit.json" in result.output
    assert "Traceback" not in result.output
    wrong = runner.invoke(app, ["dashboard", "--results", str(tmp_path), "--port", "70000"])
    assert wrong.exit_code == 2


def test_a_journal_api_that_answers_no_list_is_reported(tmp_path: Path) -> None:
    import httpx
    import pytest

    from lienthong.conformance.audit import engine
    from lienthong.conformance.audit.sources import JournalApiSource, SourceProblem

    def refuse(request: httpx.Request) -> httpx.Response:
        return (
            httpx.Response(401)
            if "bad" in request.headers["authorization"]
            else httpx.Response(200, text="<html>")
        )

    for token, words in (("bad", "refused the admin token"), ("good", "did not answer a list")):
        source = JournalApiSource("http://gateway.test", token, transport=httpx.MockTransport(refuse))
        with pytest.raises(SourceProblem, match=words):
            engine.run_audit([source], tmp_path / token)
