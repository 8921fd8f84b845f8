"""docs/server-checks.md lists every server check with its requirement, duty and firmness."""

from __future__ import annotations

from pathlib import Path

from lienthong.conformance.registry import registered
from lienthong.conformance.server_docs import render

PAGE = Path(__file__).resolve().parents[2] / "docs" / "server-checks.md"


def test_the_page_is_current() -> None:
    assert PAGE.read_text(encoding="utf-8") == render(), (
        "docs/server-checks.md is stale: run python -m lienthong.conformance.server_docs"
    )


def test_every_server_check_is_listed() -> None:
    page = render()
    for item in registered().values():
        if item.direction != "sender":
            assert f"`{item.name}`" in page
