"""The audit's resumable state: two files in the output folder.

- ``audit-state.json`` (small): the sources, how far each was read, how many submissions, and
  how many bytes of the episodes file go with them.
- ``audit-state.episodes``: the judge's episodes as plain values in ``marshal``'s format
  (:func:`.traffic.episodes.episodes_state`), one record per save holding the episodes changed
  since the save before. A save appends; a load replays the records, a later one replacing an
  episode an earlier one held. Bounded by the number of episodes, never by the payloads: once
  the file holds twice as many episodes as the judge, it is written anew, whole.

A save costs what changed since the last one, not the whole judge (saving 500,000 episodes whole
took 2.5 s at every checkpoint of a 1 M audit). A run killed half-way through a save leaves the
JSON of the save before, and its byte count cuts off the half-written record.
"""

from __future__ import annotations

import gc
import io
import json
import marshal
import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from lienthong.conformance.traffic import TrafficJudge
from lienthong.conformance.traffic.episodes import (
    Episode,
    episodes_from_state,
    episodes_state,
    micros,
    moment,
)

STATE = "audit-state.json"
EPISODES = "audit-state.episodes"
STATE_VERSION = 3
"""3: the episodes file is a log of the changes (2: the whole judge, once)."""
MARSHAL_VERSION = 2
"""marshal's format without back-references: each value written whole, no table of the objects
seen (which, for every string of 500,000 episodes, made a save grow faster than the audit)."""
COMPACT_AT = 2
"""The episodes file is written anew once it holds this many times the judge's episodes."""


class AuditState:
    """The state files of one output folder for one list of sources."""

    def __init__(self, out: Path, labels: list[str]) -> None:
        self.out = out
        self.labels = labels
        self.size = 0
        """Bytes of the episodes file that the JSON vouches for."""
        self.written = 0
        """Episode records in those bytes."""

    def load(self) -> tuple[TrafficJudge, list[Any]] | None:
        """The judge and the positions of the last save, or None (no state, another list of
        sources, another version, or unreadable: the audit starts over)."""
        state_path, episodes_path = self.out / STATE, self.out / EPISODES
        if not state_path.is_file() or not episodes_path.is_file():
            return None
        try:
            state = json.loads(state_path.read_text(encoding="utf-8"))
            if state.get("version") != STATE_VERSION or state.get("sources") != self.labels:
                return None
            size = int(state["episodes_bytes"])
            with episodes_path.open("rb") as handle:
                data = handle.read(size)
            if len(data) != size:
                return None
            judge = TrafficJudge()
            with _no_collection():
                for latest_us, submissions, changed in _records(data):
                    judge.latest_received = moment(latest_us)
                    judge.submissions = int(submissions)
                    judge.episodes.update(((e.facility, e.ma_lk), e) for e in episodes_from_state(changed))
            self.size, self.written = size, int(state["episodes_written"])
            return judge, list(state["positions"])
        except (OSError, ValueError, EOFError, TypeError, KeyError, IndexError):
            return None

    def save(
        self, judge: TrafficJudge, changed: Iterable[Episode], positions: list[Any], *, done: bool
    ) -> None:
        """Append the episodes ``changed`` since the last save (all of them, written anew, once the
        file has grown to :data:`COMPACT_AT` times the judge), then the JSON that vouches for it."""
        self.out.mkdir(parents=True, exist_ok=True)
        path = self.out / EPISODES
        with _no_collection():
            if self.size == 0 or self.written >= COMPACT_AT * len(judge.episodes):
                changed = judge.episodes.values()
                self.size = self.written = 0
            states = episodes_state(changed)
            latest = judge.latest_received
            record = marshal.dumps(
                (None if latest is None else micros(latest), judge.submissions, states), MARSHAL_VERSION
            )
        if self.size == 0:
            temporary = self.out / (EPISODES + ".tmp")
            temporary.write_bytes(record)
            os.replace(temporary, path)
        else:
            with path.open("r+b") as handle:
                handle.seek(self.size)
                handle.truncate()  # what a killed save left after the bytes vouched for
                handle.write(record)
        self.size += len(record)
        self.written += len(states)
        state = {
            "version": STATE_VERSION,
            "sources": self.labels,
            "positions": positions,
            "submissions": judge.submissions,
            "complete": done,
            "episodes_bytes": self.size,
            "episodes_written": self.written,
        }
        temporary = self.out / (STATE + ".tmp")
        temporary.write_text(json.dumps(state, indent=2), encoding="utf-8")
        os.replace(temporary, self.out / STATE)


def _records(data: bytes) -> Iterator[tuple[Any, Any, Any]]:
    stream = io.BytesIO(data)
    while stream.tell() < len(data):
        latest_us, submissions, changed = marshal.load(stream)
        yield latest_us, submissions, changed


@contextmanager
def _no_collection() -> Iterator[None]:
    """No cyclic garbage collection while the state is written or read: its millions of fresh
    tuples (three an episode) would set off collections of the whole heap, each walking every
    episode (that doubled the time of a large audit's saves); they are freed as soon as done."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
