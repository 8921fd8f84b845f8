"""The generation hot path gives the same bytes as the plain per-field code it replaces."""

from __future__ import annotations

import hashlib
import multiprocessing
from pathlib import Path

import numpy as np
import pytest

from lienthong.simulators.population import CitizenBatch, citizens_csv, hashing, slots, stream, tables, text
from lienthong.simulators.population.events import REISSUE_EVERY


def joined_columns(batch: CitizenBatch) -> bytes:
    """citizens.csv lines the plain way: every field as bytes, joined row by row."""
    columns = batch.columns(quote_address=True)
    return b"\n".join(map(b",".join, zip(*columns.values(), strict=True))) + b"\n"


@pytest.mark.parametrize(
    ("seed", "start", "count"),
    [
        (42, 0, 3000),
        (7, 99_990, 25),  # indices go from 5 to 6 digits inside the batch
        (-5, 9_999_999, 2),
        (2**40 + 3, slots.CAPACITY - 700, 700),  # parents wrap around to small indices
        (3, 123_456, 1),
        (3, 0, 0),
    ],
)
def test_citizens_csv_equals_the_joined_columns(seed: int, start: int, count: int) -> None:
    batch = CitizenBatch(seed, start, count)
    assert citizens_csv.render(batch) == joined_columns(batch)


def test_the_compared_batch_has_every_kind_of_row() -> None:
    """Rows with a death, a move, a cancelled number, parents and none: each shape of line end."""
    batch = CitizenBatch(11, 0, 3 * REISSUE_EVERY)
    assert (~np.isnat(batch.death)).any()
    assert (~np.isnat(batch.moved)).any()
    assert (batch.previous_cccd >= 0).sum() == 3
    assert (batch.mother >= 0).any()
    assert (batch.father >= 0).any()
    assert (batch.guardian >= 0).any()
    assert (batch.mother < 0).mean() > 0.5
    assert citizens_csv.render(batch) == joined_columns(batch)


@pytest.mark.parametrize("width", [1, 2, 4, 5, 9, 10, 12])
def test_digit_matrix_equals_digits(width: int) -> None:
    values = np.random.default_rng(width).integers(0, 10**width, 5000)
    values[:3] = [0, 10**width - 1, 10 ** (width - 1)]
    assert text.row_bytes(text.digit_matrix(values, width)) == text.digits(values, width)
    assert text.digits(values, width) == [b"%0*d" % (width, v) for v in values.tolist()]


def test_ascii_table_gathers_rows_and_refuses_mixed_widths() -> None:
    words = [b"%010d" % (k * 7919) for k in range(300)]
    codes = np.random.default_rng(0).integers(0, 300, 1000)
    assert text.row_bytes(text.AsciiTable(words)[codes]) == [words[k] for k in codes.tolist()]
    assert text.row_bytes(text.AsciiTable([b"a", b"b"])[np.asarray([1, 0])]) == [b"b", b"a"]
    with pytest.raises(ValueError, match="differ in width"):
        text.AsciiTable([b"01", b"1"])


@pytest.mark.parametrize(
    "cumulative",
    [
        tables.places().residence,
        tables.given_names(2).cumulative,
        hashing.thresholds([1] * 5000),  # more thresholds than bands: most values are searched
        hashing.thresholds([1] * 40_000),  # too many for the table: all searched
        hashing.thresholds([1, 0, 0, 3]),  # empty categories are never picked
    ],
)
def test_pick_equals_a_binary_search(cumulative: np.ndarray) -> None:
    values = hashing.stream(9, "pick-test", np.arange(50_000, dtype=np.uint64))
    values[:2] = [0, 2**64 - 1]
    top = (values >> np.uint64(32)).astype(np.int64)
    assert (hashing.pick(values, cumulative) == np.searchsorted(cumulative, top, side="right")).all()


def _digest(path: Path) -> str:
    return hashlib.sha256((path / "citizens.csv").read_bytes()).hexdigest()


def test_workers_write_in_place_in_index_order(tmp_path: Path) -> None:
    one = stream.generate(5, 4321, "citizens-csv", tmp_path / "1", start=99_000, chunk=250)
    three = stream.generate(5, 4321, "citizens-csv", tmp_path / "3", start=99_000, workers=3, chunk=250)
    assert _digest(tmp_path / "1") == _digest(tmp_path / "3")
    assert one.files == three.files == {"citizens.csv": (tmp_path / "3" / "citizens.csv").stat().st_size}
    assert not [p for p in (tmp_path / "3").iterdir() if p.name != "citizens.csv"]


def _broken_render(name: str, seed: int, start: int, count: int) -> dict[str, bytes]:
    if start >= 1000:
        raise RuntimeError("renderer failed")
    return {"citizens.csv": b"x\n" * count}


@pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(), reason="patch reaches forks only")
def test_a_failing_worker_stops_the_run_with_its_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The other workers wait for the failed chunk's turn; they must be released, not hang."""
    monkeypatch.setattr(stream, "_render", _broken_render)  # workers are forked, so they see it
    with pytest.raises(RuntimeError, match="renderer failed"):
        stream.generate(1, 5000, "citizens-csv", tmp_path, workers=2, chunk=100)
