"""``python -m lienthong.conformance.cli`` runs the command line."""

from __future__ import annotations

from lienthong.conformance.cli import main

main()
