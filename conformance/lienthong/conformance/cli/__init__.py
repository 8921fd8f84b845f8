"""The ``lienthong`` command line: each command lives in its own module and registers itself
with ``app`` (from ``_app``); importing them here builds the whole command tree."""

from __future__ import annotations

from lienthong.conformance.cli._app import app

# isort: split
from lienthong.conformance.cli import (  # noqa: F401  (imported for their registrations)
    audit,
    bench,
    bench_audit,
    bench_book,
    bench_gateway,
    bench_generate,
    bench_load,
    bench_validate,
    certify,
    conformance,
    generate,
    load,
    load_k8s,
    load_run,
    replay,
    run,
    sign,
    simulate,
    validate,
)

__all__ = ["app", "main"]


def main() -> None:
    """Entry point of the ``lienthong`` script."""
    app()
