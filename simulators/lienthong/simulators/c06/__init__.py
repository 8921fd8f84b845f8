"""The simulated C06 node (national population database): identity checks, VNeID sign-in,
guardian links and account levels, behind lienthong's reference API (``profiles/openapi/c06.json``)."""

from __future__ import annotations

from lienthong.simulators.c06.app import create_c06
from lienthong.simulators.c06.registry import C06, C06Config

__all__ = ["C06", "C06Config", "create_c06"]
