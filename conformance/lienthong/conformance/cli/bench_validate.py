"""Placeholder: filled in by the issue that builds this command."""

from __future__ import annotations
