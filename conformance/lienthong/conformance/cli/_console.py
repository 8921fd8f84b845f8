"""Console output shared by the commands: errors without tracebacks, outcome colours."""

from __future__ import annotations

from typing import NoReturn

import typer
from rich.console import Console
from rich.markup import escape

from lienthong.profiles.catalogue import requirements
from lienthong.profiles.i18n import _, outcome_label, pick

__all__ = ["COLOURS", "console", "err_console", "fail", "local_title", "outcome_label"]

console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False)
COLOURS = {
    "pass": "green",
    "fail": "red",
    "warn": "magenta",
    "waived": "cyan",
    "error": "yellow",
    "skip": "bright_black",
    "omit": "bright_black",
}


def fail(message: str, *, hint: str = "", code: int = 2) -> NoReturn:
    """Print a user error as one paragraph (what was wrong and the value, then what to do) and
    exit with ``code``. ``message`` and ``hint`` are plain text (already translated), not markup."""
    label = _("error:")
    text = f"[bold red]{escape(label)}[/] {escape(message.rstrip('.'))}."
    if hint:
        text += f" {escape(hint[0].upper() + hint[1:])}{'' if hint.endswith(('.', '!', '?')) else '.'}"
    err_console.print(text)
    raise typer.Exit(code)


def local_title(req_id: str, title: str) -> str:
    """A requirement's title in the current language (``title`` when it has no translation)."""
    req = requirements().get(req_id)
    return pick(title, req.title_vi if req else "")
