"""The HTML report, opened in a real browser (Debian's chromium, headless), shows every requirement
and puts the failures first."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from lxml import html as lxml_html
from typer.testing import CliRunner

from lienthong.conformance.cli import app
from lienthong.profiles import requirements

CHROMIUM = shutil.which("chromium")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.mark.live
@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (apt-get install chromium)")
def test_report_renders_in_chromium_with_failures_first(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["run", "--out", str(tmp_path / "runs"), "--visits", "2", "--fault", "c06:leaks_personal_data"]
    )
    assert result.exit_code == 1, result.output
    (run_dir,) = list((tmp_path / "runs").iterdir())
    dom = subprocess.run(
        [
            str(CHROMIUM),
            *FLAGS,
            f"--user-data-dir={tmp_path / 'profile'}",
            "--dump-dom",
            (run_dir / "report.html").as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    page = lxml_html.fromstring(dom)
    rows = {row.get("id") for row in page.xpath("//table[@id='requirements']/tbody/tr")}
    assert rows == set(requirements())
    broken = [a.text_content() for a in page.xpath("//section[@class='broken']//a")]
    assert "C06-02" in broken
    assert page.xpath("//tr[@id='C06-02']//span[contains(@class, 'o fail')]")
