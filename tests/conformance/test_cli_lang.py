"""``lienthong --lang vi|en`` (and ``LIENTHONG_LANG``): the CLI's messages, its help, the run
summary and the HTML report in Vietnamese; ``lienthong --version``."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner, Result

from lienthong.conformance.cli import app
from lienthong.profiles.catalogue import catalogue_version, requirements

runner = CliRunner()
CHECK = "token_take_opens_session"
"""One quick check (VN-API-01): a run of it alone takes a few seconds."""


def _invoke(args: list[str], **env: str) -> Result:
    return runner.invoke(app, args, env={"COLUMNS": "200", **env})


def _text(result: Result) -> str:
    return " ".join(result.output.split())


def test_an_error_in_vietnamese(tmp_path: Path) -> None:
    result = _invoke(["--lang", "vi", "run", "--out", str(tmp_path), "--fault", "nonsense"])
    assert result.exit_code == 2
    text = _text(result)
    assert "lỗi: --fault 'nonsense' không có dạng ACTOR:VALUE" in text
    assert "Ví dụ: --fault bhxh:drops_forward" in text


def test_the_environment_variable_chooses_the_language(tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("x", encoding="utf-8")
    result = _invoke(["run", "--out", str(tmp_path / "a-file")], LIENTHONG_LANG="vi")
    assert result.exit_code == 2
    assert "là một tệp, không phải thư mục" in _text(result)
    english = _invoke(["run", "--out", str(tmp_path / "a-file")], LIENTHONG_LANG="en")
    assert "is a file, not a directory" in _text(english)


def test_the_language_does_not_stick_to_the_next_command(tmp_path: Path) -> None:
    _invoke(["--lang", "vi", "validate", str(tmp_path)])
    result = _invoke(["validate", str(tmp_path)])
    assert "no XML file found" in _text(result)


def test_run_help_in_vietnamese() -> None:
    result = _invoke(["--lang", "vi", "run", "--help"])
    assert result.exit_code == 0, result.output
    text = _text(result)
    assert "Chạy toàn bộ bộ kiểm thử tuân thủ" in text
    assert "Hạt giống (seed) của dân số tổng hợp" in text
    english = _text(_invoke(["run", "--help"]))
    assert "Run the conformance suite end to end" in english
    assert "Chạy toàn bộ" not in english


def test_root_help_in_vietnamese_lists_the_commands_in_vietnamese() -> None:
    text = _text(_invoke(["--lang", "vi", "--help"]))
    assert "Công cụ kiểm thử tuân thủ" in text
    assert "Ngôn ngữ của thông báo và báo cáo" in text


def test_version() -> None:
    result = _invoke(["--version"])
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0].startswith("lienthong ")
    assert "130 (qd130), 4750 (qd4750), 3176 (qd3176)" in lines[1]
    assert catalogue_version() in lines[2]
    assert f"{len(requirements())} requirements" in lines[2]
    vi = _invoke(["--lang", "vi", "--version"])
    assert "danh mục yêu cầu" in vi.output


def test_a_run_summary_and_its_html_report_in_vietnamese(tmp_path: Path) -> None:
    result = _invoke(["--lang", "vi", "run", "--out", str(tmp_path), "--visits", "1", "--check", CHECK])
    assert result.exit_code in (0, 1), result.output
    text = _text(result)
    assert "lienthong run · phạm vi" in text  # the scope, first
    assert "đối tượng bhxh = mô phỏng" in text
    assert "yêu cầu trong phạm vi" in text
    assert any(verdict in text for verdict in ("— mọi yêu cầu bắt buộc", "KHÔNG ĐẠT —", "CHƯA ĐỦ —"))
    for english in ("PASSED", "FAILED", "INCOMPLETE", "requirements in scope", "under test"):
        assert english not in text
    assert "đạt" in text or "bỏ qua" in text  # outcome names
    (run_dir,) = tmp_path.iterdir()
    html = (run_dir / "report.html").read_text(encoding="utf-8")
    assert '<html lang="vi">' in html
    assert "báo cáo kiểm thử tuân thủ lienthong" in html
    assert "<th>Bằng chứng</th>" in html
    translated = next(r for r in requirements().values() if r.text_vi)
    assert translated.text in html  # the English stays ...
    assert f'<p lang="vi">{translated.text_vi}</p>' in html.replace("&#39;", "'").replace("&#34;", '"') or (
        translated.text_vi[:40] in html
    )  # ... with the Vietnamese next to it


def test_the_html_report_in_english_says_so(tmp_path: Path) -> None:
    result = _invoke(["run", "--out", str(tmp_path), "--visits", "1", "--check", CHECK])
    assert result.exit_code in (0, 1), result.output
    assert "requirements in scope" in _text(result)
    (run_dir,) = tmp_path.iterdir()
    html = (run_dir / "report.html").read_text(encoding="utf-8")
    assert '<html lang="en">' in html
    assert "<th>Evidence</th>" in html
    assert 'lang="vi"' not in html
