"""The coverage matrix: for every requirement, the checks that verify it and the fault that proves
each check can fail, the validator rules that emit it and the mutation that proves them, or the
stated reason it is not tested.

The conformance check registry is passed in (``lienthong.profiles`` imports nothing else of
lienthong); ``lienthong coverage-matrix`` writes the result to docs/coverage-matrix.csv.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from lienthong.profiles.catalogue import requirements
from lienthong.profiles.mutations import MUTATIONS
from lienthong.profiles.validator.registry import rules_by_requirement

CheckInfo = tuple[Sequence[str], str]
"""(requirement IDs a check verifies, the ``actor:fault`` that makes it fail)."""


@dataclass(frozen=True, slots=True)
class CoverageRow:
    requirement: str
    level: str
    mark: str
    title: str
    checks: tuple[str, ...]
    faults: tuple[str, ...]
    validator_rules: tuple[str, ...]
    mutation: str
    not_tested_reason: str
    status: str
    """``checked`` (a registered check with its fault), ``validated`` (a validator rule, proven by
    ``mutation`` when one is named), ``explained`` (a reason), ``MISSING`` (a SHALL with none),
    ``untested`` (a SHOULD with none)."""


def coverage_rows(checks: Mapping[str, CheckInfo]) -> list[CoverageRow]:
    """One row per catalogued requirement, in catalogue order."""
    by_req: dict[str, list[tuple[str, str]]] = {}
    for name, (verifies, fault) in checks.items():
        for req_id in verifies:
            by_req.setdefault(req_id, []).append((name, fault))
    rules = rules_by_requirement()
    rows = []
    for req in requirements().values():
        found = sorted(by_req.get(req.id, []))
        validator = tuple(rules.get(req.id, ()))
        mutation = f"profiles.mutations:{req.id}" if req.id in MUTATIONS else ""
        if found:
            status = "checked"
        elif validator:
            status = "validated"
        elif req.not_tested_reason:
            status = "explained"
        else:
            status = "MISSING" if req.level == "SHALL" else "untested"
        rows.append(
            CoverageRow(
                req.id,
                req.level,
                req.mark,
                req.title,
                tuple(n for n, _ in found),
                tuple(f for _, f in found),
                validator,
                mutation,
                req.not_tested_reason,
                status,
            )
        )
    return rows


def coverage_csv(rows: Sequence[CoverageRow]) -> str:
    """The matrix as CSV text (stable order, so the committed file diffs cleanly)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(
        [
            "requirement",
            "level",
            "mark",
            "title",
            "status",
            "checks",
            "faults",
            "validator_rules",
            "mutation",
            "not_tested_reason",
        ]
    )
    for r in rows:
        writer.writerow(
            [
                r.requirement,
                r.level,
                r.mark,
                r.title,
                r.status,
                ";".join(r.checks),
                ";".join(r.faults),
                ";".join(r.validator_rules),
                r.mutation,
                r.not_tested_reason,
            ]
        )
    return buffer.getvalue()
