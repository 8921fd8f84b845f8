from __future__ import annotations

from pathlib import Path

import pytest

from lienthong.conformance.registry import registered
from lienthong.profiles.catalogue import UnknownRequirement, requirement, requirements
from lienthong.profiles.coverage import coverage_csv, coverage_rows
from lienthong.profiles.validator.registry import rules_by_requirement

STABLE = [
    "ENV-01",
    "ENV-02",
    "ENV-03",
    "ENV-04",
    "ENV-05",
    *(f"API-0{n}" for n in range(1, 9)),
    *(f"XML0-0{n}" for n in range(1, 7)),
    "FMT-01",
    "FMT-02",
    "XML1-01",
    "XML1-02",
    "XML1-03",
    "XML1-04",
    "XML1-05",
    "XML1-07",
    "CODE-01",
    "ID-CCCD-01",
    "ID-CCCD-02",
    "ID-BHYT-01",
    "ID-CSKCB-01",
    "SIG-01",
    "SIG-02",
    "C06-01",
    "C06-02",
    "MOH-01",
    "CHAIN-01",
    "CHAIN-02",
]
MATRIX = Path(__file__).resolve().parents[2] / "docs" / "coverage-matrix.csv"


def test_existing_requirement_ids_are_kept() -> None:
    assert set(STABLE) <= set(requirements())


def test_every_requirement_is_complete() -> None:
    for req in requirements().values():
        assert req.level in {"SHALL", "SHOULD"}, req.id
        assert req.mark in {"V", "S", "I"}, req.id
        assert req.text, req.id
        assert req.source, req.id
        assert req.article, req.id
        assert req.actors, req.id
        assert ("SHALL" in req.text) or ("SHOULD" in req.text), req.id


def test_every_rule_the_validator_emits_is_catalogued() -> None:
    for req_id in rules_by_requirement():
        requirement(req_id)


def test_unknown_requirement_suggests_close_ids() -> None:
    with pytest.raises(UnknownRequirement, match="Did you mean XML1-04"):
        requirement("XML1-4")


def _matrix() -> str:
    checks = {name: (c.verifies, c.fault) for name, c in registered().items()}
    return coverage_csv(coverage_rows(checks))


def test_every_shall_requirement_is_checked_or_explained() -> None:
    checks = {name: (c.verifies, c.fault) for name, c in registered().items()}
    missing = [r.requirement for r in coverage_rows(checks) if r.status == "MISSING"]
    assert missing == [], f"SHALL requirements with neither a check nor a not_tested_reason: {missing}"


def test_committed_coverage_matrix_is_current() -> None:
    assert MATRIX.read_text(encoding="utf-8") == _matrix(), (
        "docs/coverage-matrix.csv is stale: run `lienthong coverage-matrix`"
    )
