"""The typer application every command module registers with."""

from __future__ import annotations

import typer

app = typer.Typer(
    name="lienthong",
    help="Conformance harness and simulator for Vietnam's e-health chain "
    "(HIS -> BHXH -> C06 -> MoH -> VNeID).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
