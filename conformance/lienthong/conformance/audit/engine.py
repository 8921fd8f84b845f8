"""Running an audit: every source streamed through the validator into the traffic judge, with a
progress callback and a resumable state (:mod:`.state`: the sources, how far each was read, and the
episodes changed since the last save, appended).

The state is saved at the end and, on the way, after at least :data:`CHECKPOINT` submissions once
the time since the last save is :data:`SAVE_SPACING` times what that save took (the saves then
cost at most a fortieth of the audit, whatever its size, and a run stopped half-way loses at
most forty times one save: under a minute of a 1 M audit). A run given the same sources picks up
where the state says; ``restart`` ignores it.
"""

from __future__ import annotations

import gc
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lienthong.conformance.audit.reading import received
from lienthong.conformance.audit.sources import Source
from lienthong.conformance.audit.state import AuditState
from lienthong.conformance.traffic import TrafficJudge
from lienthong.conformance.traffic.episodes import Episode
from lienthong.conformance.traffic.reading import RecentDocuments

CHECKPOINT = 50_000
SAVE_SPACING = 40.0
"""Time between two saves of the state, as a multiple of the last save's duration."""
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


def _save_state(
    state: AuditState, judge: TrafficJudge, changed: dict[int, Episode], positions: list[Any], *, done: bool
) -> None:
    state.save(judge, changed.values(), positions, done=done)
    changed.clear()


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
    state = AuditState(out, labels)
    loaded = None if restart else state.load()
    judge, positions = loaded if loaded is not None else (TrafficJudge(), [None] * len(sources))
    changed: dict[int, Episode] = {}
    """The episodes changed since the last save, by identity (the next save appends them)."""
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
            episode = judge.add(received(raw, recent))
            changed[id(episode)] = episode
            positions[index] = position
            run.read += 1
            run.kinds[raw.kind] += 1
            shown.read += 1
            since += 1
            if since >= checkpoint and time.perf_counter() - saved_at >= SAVE_SPACING * save_took:
                since = 0
                started = time.perf_counter()
                _save_state(state, judge, changed, positions, done=False)
                saved_at = time.perf_counter()
                save_took = saved_at - started
            if progress is not None and shown.read % 256 == 0:
                progress(shown)
        if progress is not None:
            progress(shown)
    _save_state(state, judge, changed, positions, done=True)
    return run
