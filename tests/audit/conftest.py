from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from lienthong.simulators.audit_corpus import CorpusConfig, write_corpus

SMALL = CorpusConfig(seed=11, facilities=10, visits=14, problems_per_facility=2)
"""Half the facilities seeded with two problems each; every problem kind appears (10 kinds)."""


@pytest.fixture(scope="session")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return write_corpus(SMALL, tmp_path_factory.mktemp("audit-corpus"))


@pytest.fixture(scope="session")
def truth(corpus: dict[str, Path]) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(corpus["truth"].read_text(encoding="utf-8"))
    return loaded
