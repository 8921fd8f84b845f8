"""10,000 dossiers, a third with one injected error tagged with its requirement ID: the validator
finds every injected error (and only it) and nothing in the clean ones."""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path

from lienthong.profiles.files import validate_files
from lienthong.profiles.mutations import MUTATIONS, apply
from lienthong.profiles.samples import sample_tables

COUNT = 10_000


def test_validate_finds_every_injected_error(tmp_path: Path, to_dossier: Callable[..., bytes]) -> None:
    rng = random.Random(20250310)
    tags: dict[str, str] = {}
    reqs = sorted(MUTATIONS)
    for seed in range(COUNT):
        tables = sample_tables(seed)
        tag = ""
        if seed % 3 == 0:
            for req in rng.sample(reqs, len(reqs)):
                mutated = apply(tables, req)
                if mutated is not None:
                    tables, tag = mutated, req
                    break
        name = f"{seed:05d}.xml"
        (tmp_path / name).write_bytes(to_dossier(tables))
        tags[str(tmp_path / name)] = tag
    reports = list(validate_files([tmp_path]))
    assert len(reports) == COUNT
    for report in reports:
        found = {v.requirement for v in report.violations}
        expected = {tags[report.path]} - {""}
        assert found == expected, (report.path, [v.message() for v in report.violations])
    injected = [t for t in tags.values() if t]
    assert len(injected) > COUNT // 4
    assert len(set(injected)) > 30  # most mutation kinds were exercised
