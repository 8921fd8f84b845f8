"""Shared helpers: serialise sample tables into XML 130 documents."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from lienthong.profiles.validator import native
from lienthong.simulators.xml130 import checkin_xml, envelope, table_xml

Tables = dict[str, list[dict[str, str]]]


def dossier_bytes(tables: Tables, facility: str | None = None) -> bytes:
    return envelope(
        facility or tables["XML1"][0]["MA_CSKCB"],
        "20250310",
        {kind: table_xml(kind, rows) for kind, rows in tables.items()},
    )


@pytest.fixture
def to_dossier() -> Callable[..., bytes]:
    return dossier_bytes


@pytest.fixture
def to_checkin() -> Callable[[list[dict[str, str]]], bytes]:
    return checkin_xml


@pytest.fixture(params=["compiled", "python"], scope="module")
def scanner(request: pytest.FixtureRequest) -> Iterator[str]:
    """Run a module's tests with the compiled record scanner and with the pure-Python one."""
    if request.param == "compiled" and not native.AVAILABLE:
        pytest.skip("the compiled scanner is not built (no C compiler, or LIENTHONG_PURE_PYTHON)")
    saved = native.COMPILED
    native.COMPILED = request.param == "compiled"
    yield request.param
    native.COMPILED = saved
