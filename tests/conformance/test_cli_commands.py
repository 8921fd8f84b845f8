"""Every ``lienthong`` command the README names exists (a command module not imported by
``lienthong.conformance.cli`` registers nothing, and its command is silently missing)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from lienthong.conformance.cli import app

README = Path(__file__).resolve().parents[2] / "README.md"
_BENCH = re.compile(r"`(?:lienthong )?bench (\w+)")
_TOP = re.compile(r"`lienthong (\w+)")


def _named() -> list[list[str]]:
    text = README.read_text(encoding="utf-8")
    commands = {(name,) for name in _TOP.findall(text) if name != "bench"}
    commands |= {("bench", name) for name in _BENCH.findall(text)}
    return sorted(list(c) for c in commands)


def test_the_readme_names_commands() -> None:
    assert ["bench", "book"] in _named()
    assert ["bench", "gateway"] in _named()


@pytest.mark.parametrize("command", _named(), ids=" ".join)
def test_each_command_the_readme_names_exists(command: list[str]) -> None:
    result = CliRunner().invoke(app, [*command, "--help"])
    assert result.exit_code == 0, result.output
