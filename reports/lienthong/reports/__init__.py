"""Report writers: JSON, JUnit XML and self-contained HTML for a conformance run."""

from __future__ import annotations

from lienthong.reports.writer import FORMATS, write_all

__all__ = ["FORMATS", "write_all"]
