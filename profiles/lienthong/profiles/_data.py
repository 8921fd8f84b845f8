"""Reading the data files shipped inside the package (offline, no ../shared at run time)."""

from __future__ import annotations

import csv
import io
from importlib import resources


def read_csv(*parts: str) -> list[dict[str, str]]:
    """Rows of a CSV file under ``lienthong/profiles/data`` as dicts, UTF-8."""
    node = resources.files("lienthong.profiles").joinpath("data", *parts)
    with io.StringIO(node.read_text(encoding="utf-8")) as handle:
        return list(csv.DictReader(handle))
