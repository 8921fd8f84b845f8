"""Streaming generation: chunks of ``CHUNK`` citizens, written in index order so the output bytes
never depend on the number of workers. Memory stays flat whatever the population size.

With several workers, each takes the next free chunk and renders it; chunks claim their place at
the end of the output files in index order, and each worker writes its own chunks there itself
(``pwrite``). Nothing is copied twice: shipping rendered bytes back through the pool's pipes cost
about a tenth of the generation time on two cores, and part files joined at the end cost a second
copy of the whole output after the workers had finished. A worker keeps rendering while an
earlier chunk is still being rendered elsewhere, holding at most ``AHEAD`` chunks."""

from __future__ import annotations

import multiprocessing
import os
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


class _Shared:
    """What the worker processes share (inherited through fork by ``_share``): the next chunk to
    take, the next chunk allowed to claim its place in the output files, each shared file's end,
    citizens rendered so far, and whether a worker failed."""

    def __init__(self, context: Any, ends: list[int]) -> None:
        self.turn = context.Condition()
        self.next_chunk = context.Value("q", 0, lock=False)
        self.next_turn = context.Value("q", 0, lock=False)
        self.ends = context.Array("q", ends, lock=False)
        self.done = context.Value("q", 0, lock=False)
        self.failed = context.Value("b", 0, lock=False)


_state: _Shared | None = None


def _share(state: _Shared) -> None:
    global _state
    _state = state


AHEAD = 4
"""Rendered chunks a worker may hold while an earlier chunk is still being rendered elsewhere: a
worker slowed down (by a busy core) holds the others back only after they are this far ahead."""


def _claim(
    state: _Shared, pending: dict[int, dict[str, bytes]], shared: list[str], *, block: bool
) -> list[tuple[dict[str, bytes], list[int]]]:
    """Reserve, in index order, the place at the end of each shared file of every pending chunk
    whose turn has come; with ``block``, first wait until the turn is one of them. Returns the
    claimed chunks with their offsets (removed from ``pending``)."""
    claimed = []
    with state.turn:
        if block:
            state.turn.wait_for(lambda: state.next_turn.value in pending or state.failed.value)
        if state.failed.value:
            raise _OtherWorkerFailed
        while state.next_turn.value in pending:
            files = pending.pop(state.next_turn.value)
            claimed.append((files, list(state.ends)))
            for index, path in enumerate(shared):
                state.ends[index] += len(files.get(path, b""))
            state.next_turn.value += 1
        if claimed:
            state.turn.notify_all()
    return claimed


class _OtherWorkerFailed(Exception):
    """Another worker failed: its error is the one the run reports."""


def _fail(state: _Shared) -> None:
    with state.turn:
        state.failed.value = 1
        state.turn.notify_all()


def _write_at(fd: int, data: bytes, offset: int) -> None:
    view = memoryview(data)
    while view:
        written = os.pwrite(fd, view, offset)
        view, offset = view[written:], offset + written


def _worker(
    name: str, seed: int, start: int, count: int, chunk: int, out: str, shared: list[str]
) -> dict[str, int]:
    """Render chunks in a worker, taking the next free one each time, and write them straight to
    their place: shared files at the offsets claimed in index order, files of their own directly.
    Returns bytes written per path."""
    state = _state
    assert state is not None
    fds = [os.open(os.path.join(out, path), os.O_WRONLY) for path in shared]
    sizes: dict[str, int] = {}
    pending: dict[int, dict[str, bytes]] = {}

    def write(files: dict[str, bytes], offsets: list[int]) -> None:
        for path, data in files.items():
            if path in shared:
                index = shared.index(path)
                _write_at(fds[index], data, offsets[index])
            else:
                target = Path(out) / path
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(data)
            sizes[path] = sizes.get(path, 0) + len(data)

    try:
        while True:
            with state.turn:
                number = state.next_chunk.value
                state.next_chunk.value = number + 1
            first = start + number * chunk
            if first < start + count:
                size = min(chunk, start + count - first)
                pending[number] = _render(name, seed, first, size)
                with state.turn:
                    state.done.value += size
            last = first >= start + count
            # Write what can be written; wait only with too much in hand, or at the end.
            while pending:
                for files, offsets in _claim(state, pending, shared, block=False):
                    write(files, offsets)
                if not pending or (len(pending) < AHEAD and not last):
                    break
                for files, offsets in _claim(state, pending, shared, block=True):
                    write(files, offsets)
            if last:
                return sizes
    except _OtherWorkerFailed:
        return sizes
    except BaseException:
        _fail(state)
        raise
    finally:
        for fd in fds:
            os.close(fd)


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
    shared = list(handles)
    for handle in handles.values():
        handle.flush()  # the headers; workers write after them
    context = multiprocessing.get_context(
        "fork" if "fork" in multiprocessing.get_all_start_methods() else None
    )
    state = _Shared(context, [handles[path].tell() for path in shared])
    with ProcessPoolExecutor(
        max_workers=workers, mp_context=context, initializer=_share, initargs=(state,)
    ) as pool:
        futures = [
            pool.submit(_worker, fmt, seed, start, count, chunk, str(out), shared) for _ in range(workers)
        ]
        reported = 0
        while True:
            finished, pending = wait(futures, timeout=0.2)
            if any(f.exception() is not None for f in finished):
                _fail(state)  # wake workers waiting for a chunk that will never come
            done = state.done.value
            if progress is not None and done > reported:
                progress(done - reported)
                reported = done
            if not pending:
                break
        for future in futures:
            for path, size in future.result().items():  # re-raises a worker's error here
                summary.files[path] = summary.files.get(path, 0) + size
    summary.citizens += count
    for handle in handles.values():
        handle.seek(0, os.SEEK_END)  # past what the workers wrote
