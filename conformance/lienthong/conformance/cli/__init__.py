"""The ``lienthong`` command line: each command lives in its own module and registers itself."""

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

# Command modules import ``app`` and decorate their function with ``@app.command()``.
from lienthong.conformance.cli import (  # noqa: E402
    bench as _bench,  # noqa: F401
    bench_generate as _bench_generate,  # noqa: F401
    bench_validate as _bench_validate,  # noqa: F401
    generate as _generate,  # noqa: F401
    run as _run,  # noqa: F401
    simulate as _simulate,  # noqa: F401
    validate as _validate,  # noqa: F401
)


def main() -> None:
    """Entry point of the ``lienthong`` script."""
    app()
