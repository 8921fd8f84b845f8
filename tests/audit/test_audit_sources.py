"""The sources read every submission once, in order, from any position, whatever their batches."""

from __future__ import annotations

from pathlib import Path

import pytest

from lienthong.conformance.audit import sources
from lienthong.conformance.audit.sources import FolderSource, Raw, SqliteSource


def _read(source: sources.Source, after: object = None) -> list[tuple[object, Raw]]:
    return list(source.rows(after))


@pytest.mark.parametrize("batch", [1, 7, 10_000])
def test_a_database_read_in_batches_gives_every_row_once(
    corpus: dict[str, Path], monkeypatch: pytest.MonkeyPatch, batch: int
) -> None:
    whole = _read(SqliteSource(corpus["database"]))
    assert [position for position, _ in whole] == sorted({raw.seq for _, raw in whole})
    monkeypatch.setattr(sources, "SQLITE_BATCH", batch)
    assert _read(SqliteSource(corpus["database"])) == whole
    middle = len(whole) // 2 + 3
    assert _read(SqliteSource(corpus["database"]), whole[middle][0]) == whole[middle + 1 :]


def test_a_batch_that_ends_the_journal_exactly_ends_the_reading(
    corpus: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    whole = _read(SqliteSource(corpus["database"]))
    monkeypatch.setattr(sources, "SQLITE_BATCH", len(whole))
    assert _read(SqliteSource(corpus["database"])) == whole


def test_a_folder_is_read_by_path_from_any_position(corpus: dict[str, Path]) -> None:
    source = FolderSource(corpus["folder"])
    whole = _read(source)
    names = sorted(str(path.relative_to(corpus["folder"])) for path in corpus["folder"].rglob("*.xml"))
    assert [raw.name for _, raw in whole] == names
    assert [position for position, _ in whole] == list(range(1, len(names) + 1))
    for _, raw in whole:
        data = (corpus["folder"] / raw.name).read_bytes()
        assert raw.document == data
        assert raw.kind == ("checkin" if b"CHI_TIEU_TRANG_THAI_KCB" in data[:300] else "dossier")
    assert _read(FolderSource(corpus["folder"]), 5) == whole[5:]
