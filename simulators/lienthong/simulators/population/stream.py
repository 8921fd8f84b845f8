"""Streaming generation: chunks of ``CHUNK`` citizens, optionally in worker processes, written in
index order so the output bytes never depend on the number of workers. Memory stays flat: at most
``2 × workers`` chunks are in flight whatever the population size."""

from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

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
    name: str, seed: int, start: int, count: int, *, workers: int = 1, chunk: int = CHUNK
) -> Iterator[tuple[int, dict[str, bytes]]]:
    """(citizens in the chunk, files) for each chunk, in index order."""
    if workers <= 1:
        for first, size in _chunks(start, count, chunk):
            yield size, _render(name, seed, first, size)
        return
    context = multiprocessing.get_context(
        "fork" if "fork" in multiprocessing.get_all_start_methods() else None
    )
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        pending: deque[tuple[int, Future[dict[str, bytes]]]] = deque()
        for first, size in _chunks(start, count, chunk):
            pending.append((size, pool.submit(_render, name, seed, first, size)))
            if len(pending) >= 2 * workers:
                size0, future = pending.popleft()
                yield size0, future.result()
        while pending:
            size0, future = pending.popleft()
            yield size0, future.result()


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
    handles = {}
    try:
        for path, data in writer.header().items():
            target = out / path
            target.parent.mkdir(parents=True, exist_ok=True)
            handles[path] = target.open("wb")
            handles[path].write(data)
            summary.files[path] = len(data)
        for size, files in rendered(fmt, seed, start, count, workers=workers, chunk=chunk):
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
    finally:
        for handle in handles.values():
            handle.close()
    return summary
