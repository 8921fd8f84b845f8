"""The dataclasses that write their ``__init__`` out (for mypyc, hatch_build.COMPILED) take their
fields in the declared order with the declared defaults: ``Episode(*state)`` rebuilds an audit's
episodes by position. Checked on the signature, which a compiled class also carries (but for
Dossier's: mypyc writes none for a default that is a name, so it is checked by constructing one)."""

from __future__ import annotations

import dataclasses
import inspect
from datetime import datetime
from typing import Any

import pytest

from lienthong.conformance.audit.stored import Raw
from lienthong.conformance.traffic.episodes import Episode, Received, Version
from lienthong.profiles.validation import Dossier
from lienthong.profiles.validator.envelope import Envelope

CLASSES = [Received, Version, Episode, Envelope, Raw]


@pytest.mark.parametrize("cls", CLASSES, ids=lambda cls: cls.__name__)
def test_a_written_init_takes_the_fields_in_their_order_with_their_defaults(cls: type[Any]) -> None:
    parameters = list(inspect.signature(cls).parameters.values())
    fields = dataclasses.fields(cls)
    assert [p.name for p in parameters] == [f.name for f in fields]
    for parameter, f in zip(parameters, fields, strict=True):
        if f.default_factory is not dataclasses.MISSING:
            assert parameter.default is None, f.name  # the factory is called in __init__
        elif f.default is dataclasses.MISSING:
            assert parameter.default is inspect.Parameter.empty, f.name
        else:
            assert parameter.default == f.default, f.name


def test_a_default_factory_gives_each_instance_its_own_value() -> None:
    at = datetime(2026, 1, 1)
    first, second = Received(1, "dossier", "01001", at, {}), Received(2, "dossier", "01001", at, {})
    assert first.violations == []
    assert first.violations is not second.violations
    assert Dossier("01001", "20260101").tables == {}
    assert Dossier("01001", "20260101").tables is not Dossier("01001", "20260101").tables


def test_the_dossier_takes_its_fields_in_their_order_with_their_defaults() -> None:
    tables: dict[str, list[dict[str, str]]] = {"XML1": []}
    made = Dossier("01001", "20260101", tables, "qd130")
    assert [getattr(made, f.name) for f in dataclasses.fields(Dossier)] == [
        "01001",
        "20260101",
        tables,
        "qd130",
    ]
    assert Dossier("01001", "20260101").version == dataclasses.fields(Dossier)[3].default
