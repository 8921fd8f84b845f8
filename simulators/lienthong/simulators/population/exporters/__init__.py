"""Exporters as plug-ins: each turns a chunk of the population into bytes appended to files.

Built-ins: ``csv``, ``xml130``, ``fhir``. Third parties register more under the entry-point group
``lienthong.population.exporters`` (value: a zero-argument callable returning an :class:`Exporter`).
"""

from __future__ import annotations

from collections.abc import Callable
from importlib.metadata import entry_points
from typing import Protocol

GROUP = "lienthong.population.exporters"


class Exporter(Protocol):
    """Renders chunks of citizens (and their care) as file fragments, in order."""

    name: str

    def header(self) -> dict[str, bytes]:
        """Bytes that open each appendable file (e.g. a CSV header line)."""
        ...

    def render(self, seed: int, start: int, count: int) -> dict[str, bytes]:
        """Relative path -> bytes to append, for citizens ``start .. start + count - 1``."""
        ...


def _builtins() -> dict[str, Callable[[], Exporter]]:
    from lienthong.simulators.population.exporters import csv, fhir, xml130

    return {
        "csv": csv.CsvExporter,
        "xml130": xml130.Xml130Exporter,
        "fhir": fhir.FhirExporter,
        "citizens-csv": csv.CitizensCsvExporter,
    }


def exporters() -> dict[str, Callable[[], Exporter]]:
    """Every known exporter factory by name (built-ins first, then entry points)."""
    found = _builtins()
    for point in entry_points(group=GROUP):
        found.setdefault(point.name, point.load())
    return found


def exporter(name: str) -> Exporter:
    """The exporter ``name``; the error lists the known names."""
    known = exporters()
    if name not in known:
        raise KeyError(f"unknown format {name!r}; known formats: {', '.join(sorted(known))}")
    return known[name]()
