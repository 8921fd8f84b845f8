"""A fixed seed gives committed bytes: the first 1,000 citizens and their care, with 1 or 2 workers."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from lienthong.simulators.population.stream import generate

GOLDEN_SEED = 42
GOLDEN_COUNT = 1000
GOLDEN_SHA256 = "d475bce382bfe88b9c764d47327957bc27bdaca17b8e60b3e5498b4549915ec1"
"""sha256 over (relative path, NUL, bytes) of every file of ``generate --seed 42 --count 1000
--format csv`` (citizens.csv, visits.csv, immunisations.csv). Change it only on purpose."""


def tree_hash(root: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


@pytest.mark.parametrize("workers", [1, 2])
def test_golden_population_and_care(tmp_path: Path, workers: int) -> None:
    generate(GOLDEN_SEED, GOLDEN_COUNT, "csv", tmp_path, workers=workers, chunk=300)
    assert tree_hash(tmp_path) == GOLDEN_SHA256


@pytest.mark.parametrize("fmt", ["fhir", "xml130"])
def test_other_formats_do_not_depend_on_workers(tmp_path: Path, fmt: str) -> None:
    generate(7, 120, fmt, tmp_path / "one", workers=1, chunk=50)
    generate(7, 120, fmt, tmp_path / "two", workers=2, chunk=50)
    assert tree_hash(tmp_path / "one") == tree_hash(tmp_path / "two")


def test_chunk_size_does_not_change_bytes(tmp_path: Path) -> None:
    generate(3, 500, "csv", tmp_path / "a", chunk=500)
    generate(3, 500, "csv", tmp_path / "b", chunk=77)
    assert tree_hash(tmp_path / "a") == tree_hash(tmp_path / "b")
