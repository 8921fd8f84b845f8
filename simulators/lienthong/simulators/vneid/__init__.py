"""The simulated VNeID client: a citizen signs in (through C06) and reads their health book, a
guardian reads a child's vaccinations, and a visit downloads as a PDF."""

from __future__ import annotations

from lienthong.simulators.vneid.client import BookVisit, Vaccination, VNeIDClient, VNeIDError
from lienthong.simulators.vneid.pdf import FontMissing, visit_pdf

__all__ = ["BookVisit", "FontMissing", "VNeIDClient", "VNeIDError", "Vaccination", "visit_pdf"]
