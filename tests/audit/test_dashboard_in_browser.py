"""The dashboard in headless Chromium (Debian's ``chromium``): it renders the league table, drills
down to a facility's failing records with the validator's message, logs no console error, makes no
request beyond 127.0.0.1, and its screenshot is a drawn page."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from lxml import html as lxml_html

from lienthong.conformance.audit.dashboard import serve
from lienthong.conformance.cli.audit import audit_to

CHROMIUM = shutil.which("chromium")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]
pytestmark = [
    pytest.mark.live,
    pytest.mark.skipif(
        CHROMIUM is None, reason="Debian's chromium is not installed (apt-get install -y chromium)"
    ),
]


@pytest.fixture(scope="module")
def served(corpus: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> Any:
    out = tmp_path_factory.mktemp("dashboard")
    result = audit_to(
        [str(corpus["database"])],
        out,
        formats=["json"],
        lang="vi",
        register_path=corpus["register"],
        show_progress=False,
    )
    server, thread = serve(out, port=0, lang="vi")
    try:
        yield result, f"http://127.0.0.1:{server.server_address[1]}/", tmp_path_factory.mktemp("chromium")
    finally:
        server.shutdown()
        thread.join(5)


def _chromium(profile: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(CHROMIUM), *FLAGS, f"--user-data-dir={profile}", "--window-size=1366,768", *args],
        capture_output=True,
        text=True,
        timeout=90,
        check=True,
    )


def test_league_and_drill_down_render(served: Any) -> None:
    result, url, profile = served
    league = lxml_html.fromstring(_chromium(profile / "a", "--dump-dom", url).stdout)
    assert league.xpath("//body[@data-ready='1']")
    shown = [a.text_content() for a in league.xpath("//table[@id='league']//a[@data-facility]")]
    assert shown == [row["facility"] for row in result["facilities"]]
    bad = next(row for row in result["facilities"] if row["rules"])
    rule = next(iter(bad["rules"]))
    page = lxml_html.fromstring(
        _chromium(
            profile / "b",
            "--dump-dom",
            f"{url}#province={bad['province']}&facility={bad['facility']}&rule={rule}",
        ).stdout
    )
    records = page.xpath("//table[@id='records']//tr[@class='record']")
    assert records
    messages = [r.xpath("string(td[contains(@class,'message')])") for r in records]
    assert messages == [f["message"] for f in bad["worst"][rule]]
    assert all(r.xpath("string(td[1])") == rule for r in records)
    province = lxml_html.fromstring(
        _chromium(profile / "c", "--dump-dom", f"{url}#province={bad['province']}").stdout
    )
    listed = {a.text_content() for a in province.xpath("//table[@id='league']//a[@data-facility]")}
    assert listed == {r["facility"] for r in result["facilities"] if r["province"] == bad["province"]}


def test_no_console_error_and_no_external_request(served: Any) -> None:
    _, url, profile = served
    netlog = profile / "net.json"
    run = _chromium(
        profile / "d",
        "--enable-logging=stderr",
        "--v=0",
        f"--log-net-log={netlog}",
        "--dump-dom",
        url + "#rule=XML0-06",
    )
    console = [line for line in run.stderr.splitlines() if "CONSOLE" in line]
    assert console == [], console
    text = netlog.read_text(encoding="utf-8").rstrip().rstrip(",")
    log = json.loads(text if text.endswith("}") else text + "]}")  # a log cut short lacks its end
    started = [
        event["params"]
        for event in log.get("events", [])
        if isinstance(event.get("params"), dict)
        and "url" in event["params"]
        and "initiator" in event["params"]
    ]
    # the browser's own traffic (updates, time) has no origin; what the page asked for has its origin
    by_page = [p for p in started if p["initiator"] != "not an origin"]
    urls = {p["url"] for p in started}
    external = sorted(p["url"] for p in by_page if "127.0.0.1" not in p["url"])
    assert external == []
    assert any("127.0.0.1" in u for u in urls), "the net log recorded the page's own request"


def test_screenshot_is_a_drawn_page(served: Any) -> None:
    image_module = pytest.importorskip("PIL.Image")
    _, url, profile = served
    shot = profile / "shot.png"
    _chromium(profile / "e", f"--screenshot={shot}", url)
    with image_module.open(shot) as image:
        assert image.size == (1366, 768)
        colours = image.convert("RGB").getcolors(maxcolors=1_000_000)
    assert colours is not None
    assert len(colours) > 20, "a blank or one-colour screenshot"
    header = (11, 79, 108)  # the header's colour: the style was applied
    assert any(colour == header for _, colour in colours)
