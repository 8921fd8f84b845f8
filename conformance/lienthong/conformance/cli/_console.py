"""Console output shared by the commands: errors without tracebacks, outcome colours."""

from __future__ import annotations

from typing import NoReturn

import typer
from rich.console import Console

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
    """Print a user error (what, and what to do) and exit with ``code``."""
    err_console.print(f"[bold red]error:[/] {message}")
    if hint:
        err_console.print(f"  [dim]{hint}[/]")
    raise typer.Exit(code)
