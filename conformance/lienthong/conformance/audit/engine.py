"""Running an audit: every source streamed through the validator into the traffic judge, with a
progress callback and a resumable state.

The state is two files in the output folder: ``audit-state.json`` (small: the sources, how far each
was read, how many submissions) and ``audit-state.episodes`` (the judge's episodes as plain values
in ``marshal``'s format, :meth:`TrafficJudge.state`; bounded by the number of episodes, never by
the payloads), written at the end and, on the way, after at least
:data:`CHECKPOINT` submissions once the time since the last save is :data:`SAVE_SPACING` times
what that save took (a save of a large audit's episodes takes seconds: spaced so, the saves cost
at most a twentieth of the audit, whatever its size).
A run given the same sources picks up where the state says; ``restart`` ignores it.
"""

from __future__ import annotations

import gc
import json
import marshal
import os
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lienthong.conformance.audit.reading import received
from lienthong.conformance.audit.sources import Source
from lienthong.conformance.traffic import TrafficJudge
from lienthong.conformance.traffic.reading import RecentDocuments

CHECKPOINT = 50_000
SAVE_SPACING = 20.0
"""Time between two saves of the state, as a multiple of the last save's duration."""
STATE = "audit-state.json"
EPISODES = "audit-state.episodes"
STATE_VERSION = 2
"""2: the episodes as plain values in marshal's format (1: the judge pickled)."""
MARSHAL_VERSION = 2
"""marshal's format without back-references: each value written whole, no table of the objects
seen (which, for every string of 500,000 episodes, made a save grow faster than the audit)."""
YOUNG_GENERATION = 100_000
"""Allocations between two collections of the cyclic garbage collector's youngest generation
during an audit (Python's default is 700)."""


@dataclass
class Progress:
    """What the progress bar shows."""

    source: str = ""
    read: int = 0
    total: int | None = None
    resumed: int = 0


@dataclass
class AuditRun:
    """The judge after a run, and how the run went."""

    judge: TrafficJudge
    sources: list[str]
    read: int = 0
    """Submissions read in this run (after what a resumed state had)."""
    resumed_from: int = 0
    positions: list[Any] = field(default_factory=list)
    kinds: Counter[str] = field(default_factory=Counter)
    """Submissions read in this run by kind (``checkin``, ``dossier``)."""


def _load_state(out: Path, labels: list[str]) -> tuple[TrafficJudge, list[Any]] | None:
    state_path, episodes_path = out / STATE, out / EPISODES
    if not state_path.is_file() or not episodes_path.is_file():
        return None
    try:
        state = json.loads(state_path.read_text(encoding="utf-8"))
        if state.get("version") != STATE_VERSION or state.get("sources") != labels:
            return None
        with episodes_path.open("rb") as handle:
            judge = TrafficJudge.from_state(marshal.load(handle))
    except (OSError, ValueError, EOFError, TypeError, KeyError, IndexError):
        return None  # unreadable or of another shape: the audit starts over
    return judge, list(state["positions"])


def _save_state(out: Path, labels: list[str], judge: TrafficJudge, positions: list[Any], done: bool) -> None:
    out.mkdir(parents=True, exist_ok=True)
    temporary = out / (EPISODES + ".tmp")
    with temporary.open("wb") as handle, _no_collection():
        marshal.dump(judge.state(), handle, MARSHAL_VERSION)
    os.replace(temporary, out / EPISODES)
    state = {
        "version": STATE_VERSION,
        "sources": labels,
        "positions": positions,
        "submissions": judge.submissions,
        "complete": done,
    }
    (out / STATE).write_text(json.dumps(state, indent=2), encoding="utf-8")


@contextmanager
def _fewer_collections() -> Iterator[None]:
    """The cyclic garbage collector run less often while auditing: each submission allocates a few
    hundred containers (records, lists, violations) freed by reference counting, and with the
    default threshold the collector passed over them, and over the young episodes, about twice
    per submission (a sixth of the audit's time). Garbage in cycles waits at most
    :data:`YOUNG_GENERATION` allocations longer, so memory stays flat."""
    old = gc.get_threshold()
    gc.set_threshold(max(old[0], YOUNG_GENERATION), *old[1:])
    try:
        yield
    finally:
        gc.set_threshold(*old)


@contextmanager
def _no_collection() -> Iterator[None]:
    """No cyclic garbage collection while the state is written: its millions of fresh tuples
    (three an episode) would set off collections of the whole heap, each walking every episode,
    which doubled the time of a large audit's saves; they are freed as soon as it is written."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def run_audit(
    sources: Sequence[Source],
    out: Path,
    *,
    restart: bool = False,
    progress: Callable[[Progress], None] | None = None,
    checkpoint: int = CHECKPOINT,
) -> AuditRun:
    """Read every source into one judge (resuming from ``out``'s state unless ``restart``)."""
    with _fewer_collections():
        return _run(sources, out, restart, progress, checkpoint)


def _run(
    sources: Sequence[Source],
    out: Path,
    restart: bool,
    progress: Callable[[Progress], None] | None,
    checkpoint: int,
) -> AuditRun:
    labels = [source.label for source in sources]
    loaded = None if restart else _load_state(out, labels)
    judge, positions = loaded if loaded is not None else (TrafficJudge(), [None] * len(sources))
    run = AuditRun(judge, labels, resumed_from=judge.submissions, positions=positions)
    shown = Progress(resumed=judge.submissions)
    since = 0
    saved_at, save_took = time.perf_counter(), 0.0
    recent = RecentDocuments()
    for index, source in enumerate(sources):
        shown.source, shown.total, shown.read = source.label, source.total(), 0
        if progress is not None:
            progress(shown)
        for position, raw in source.rows(positions[index]):
            judge.add(received(raw, recent))
            positions[index] = position
            run.read += 1
            run.kinds[raw.kind] += 1
            shown.read += 1
            since += 1
            if since >= checkpoint and time.perf_counter() - saved_at >= SAVE_SPACING * save_took:
                since = 0
                started = time.perf_counter()
                _save_state(out, labels, judge, positions, done=False)
                saved_at = time.perf_counter()
                save_took = saved_at - started
            if progress is not None and shown.read % 256 == 0:
                progress(shown)
        if progress is not None:
            progress(shown)
    _save_state(out, labels, judge, positions, done=True)
    return run
