"""Reading the reference tables shipped with the generator (offline; see data/SOURCES.md)."""

from __future__ import annotations

import csv
import io
from functools import cache
from importlib import resources


@cache
def rows(name: str) -> tuple[dict[str, str], ...]:
    """Rows of ``data/<name>.csv`` as dicts (UTF-8, NFC)."""
    node = resources.files("lienthong.simulators.population").joinpath("data", f"{name}.csv")
    with io.StringIO(node.read_text(encoding="utf-8")) as handle:
        return tuple(csv.DictReader(handle))


def weight(text: str) -> int:
    """A decimal weight as an integer number of thousandths (exact, no floating point)."""
    whole, _, frac = text.partition(".")
    return int(whole) * 1000 + int((frac + "000")[:3])
