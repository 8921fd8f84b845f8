"""Streaming generation: chunks of ``CHUNK`` citizens, written in index order so the output bytes
never depend on the number of workers. Memory stays flat whatever the population size.

With several workers, each renders contiguous index ranges and writes its own part files; the
parent then joins the parts in index order with an in-kernel copy. Shipping rendered bytes back
through the pool's pipes cost about a tenth of the generation time on two cores."""

from __future__ import annotations

import math
import multiprocessing
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lienthong.simulators.population.exporters import exporter

CHUNK = 10_000


@dataclass
class Summary:
    """What a run wrote."""

    citizens: int = 0
    files: dict[str, int] = field(default_factory=dict)
    """Relative path -> bytes written."""


def _render(name: str, seed: int, start: int, count: int) -> dict[str, bytes]:
    return exporter(name).render(seed, start, count)


def _chunks(start: int, count: int, size: int) -> Iterator[tuple[int, int]]:
    for first in range(start, start + count, size):
        yield first, min(size, start + count - first)


def rendered(
    name: str, seed: int, start: int, count: int, *, chunk: int = CHUNK
) -> Iterator[tuple[int, dict[str, bytes]]]:
    """(citizens in the chunk, files) for each chunk, in index order (one process)."""
    for first, size in _chunks(start, count, chunk):
        yield size, _render(name, seed, first, size)


_done: Any = None
"""Citizens rendered so far, shared by the worker processes (set by ``_share``)."""


def _share(counter: Any) -> None:
    global _done
    _done = counter


def _render_range(
    name: str, seed: int, first: int, count: int, chunk: int, out: str, part: str
) -> dict[str, int]:
    """Render citizens ``first .. first + count - 1`` in a worker: files shared by the whole run go
    to ``part/<index>``, files of their own straight to ``out``. Returns bytes written per path."""
    shared = list(exporter(name).header())
    handles: dict[str, Any] = {}
    sizes: dict[str, int] = {}
    try:
        for begin, size in _chunks(first, count, chunk):
            for path, data in _render(name, seed, begin, size).items():
                if path in shared:
                    if path not in handles:
                        handles[path] = open(os.path.join(part, str(shared.index(path))), "wb")  # noqa: SIM115
                    handles[path].write(data)
                else:
                    target = Path(out) / path
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_bytes(data)
                sizes[path] = sizes.get(path, 0) + len(data)
            with _done.get_lock():
                _done.value += size
    finally:
        for handle in handles.values():
            handle.close()
    return sizes


def _join(part: Path, target: Any) -> None:
    """Append a part file to an open output file without passing the bytes through Python."""
    target.flush()  # the buffered header (or earlier fallback writes) must land first
    with part.open("rb") as source:
        remaining = part.stat().st_size
        while remaining > 0:
            try:
                copied = os.copy_file_range(source.fileno(), target.fileno(), remaining)
            except OSError:  # a file system without copy_file_range
                copied = 0
            if copied == 0:
                shutil.copyfileobj(source, target)
                target.flush()
                return
            remaining -= copied


def generate(
    seed: int,
    count: int,
    fmt: str,
    out: Path,
    *,
    start: int = 0,
    workers: int = 1,
    chunk: int = CHUNK,
    progress: Callable[[int], None] | None = None,
) -> Summary:
    """Write citizens ``start .. start + count - 1`` of ``seed`` (and their care) under ``out``."""
    writer = exporter(fmt)
    summary = Summary()
    out.mkdir(parents=True, exist_ok=True)
    handles: dict[str, Any] = {}
    try:
        for path, data in writer.header().items():
            target = out / path
            target.parent.mkdir(parents=True, exist_ok=True)
            handles[path] = target.open("wb")
            handles[path].write(data)
            summary.files[path] = len(data)
        if workers <= 1:
            for size, files in rendered(fmt, seed, start, count, chunk=chunk):
                for path, data in files.items():
                    handle = handles.get(path)
                    if handle is None:  # a file of its own (e.g. one XML dossier)
                        target = out / path
                        target.parent.mkdir(parents=True, exist_ok=True)
                        target.write_bytes(data)
                    else:
                        handle.write(data)
                    summary.files[path] = summary.files.get(path, 0) + len(data)
                summary.citizens += size
                if progress is not None:
                    progress(size)
        else:
            _generate_in_workers(fmt, seed, start, count, out, workers, chunk, handles, summary, progress)
    finally:
        for handle in handles.values():
            handle.close()
    return summary


def _generate_in_workers(
    fmt: str,
    seed: int,
    start: int,
    count: int,
    out: Path,
    workers: int,
    chunk: int,
    handles: dict[str, Any],
    summary: Summary,
    progress: Callable[[int], None] | None,
) -> None:
    # Four ranges per worker balance the load; parts are joined in index order at the end.
    span = max(chunk, math.ceil(count / (4 * workers) / chunk) * chunk)
    ranges = list(_chunks(start, count, span))
    shared = list(handles)
    context = multiprocessing.get_context(
        "fork" if "fork" in multiprocessing.get_all_start_methods() else None
    )
    counter = context.Value("q", 0)
    with tempfile.TemporaryDirectory(prefix=".parts-", dir=out) as scratch:
        parts = [Path(scratch) / str(index) for index in range(len(ranges))]
        for part in parts:
            part.mkdir()
        with ProcessPoolExecutor(
            max_workers=workers, mp_context=context, initializer=_share, initargs=(counter,)
        ) as pool:
            futures = [
                pool.submit(_render_range, fmt, seed, first, size, chunk, str(out), str(part))
                for (first, size), part in zip(ranges, parts, strict=True)
            ]
            reported = 0
            while True:
                _, pending = wait(futures, timeout=0.2)
                done = counter.value
                if progress is not None and done > reported:
                    progress(done - reported)
                    reported = done
                if not pending:
                    break
            for future in futures:
                for path, size in future.result().items():  # re-raises a worker's error here
                    summary.files[path] = summary.files.get(path, 0) + size
        summary.citizens += count
        for part in parts:
            for index, path in enumerate(shared):
                piece = part / str(index)
                if piece.exists():
                    _join(piece, handles[path])
