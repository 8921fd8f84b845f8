"""The audit's resumable state (``audit/state.py``): what a save writes, a load gives back whole;
saves append what changed; the log is written anew once it has grown; a half-written save is cut off."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

from lienthong.conformance.audit.state import COMPACT_AT, EPISODES, STATE, AuditState
from lienthong.conformance.traffic import Received, TrafficJudge
from lienthong.profiles.validation import Violation

T0 = datetime(2026, 3, 2, 8, 0)
LABELS = ["gateway.db"]


def _checkin(seq: int, ma_lk: str, at: datetime) -> Received:
    record = {"MA_LK": ma_lk, "NGAY_YL": f"{T0:%Y%m%d%H%M}", "MA_LOAI_KCB": "01", "MA_DOITUONG_KCB": "1.1"}
    return Received(seq, "checkin", "01001", at, {"XML0": [record]})


def _dossier(seq: int, ma_lk: str, at: datetime, **more: object) -> Received:
    summary = {
        "MA_LK": ma_lk,
        "SO_CCCD": "001080000001",
        "NGAY_SINH": "198001010000",
        "GIOI_TINH": "1",
        "NGAY_VAO": f"{T0:%Y%m%d%H%M}",
        "NGAY_RA": f"{T0 + timedelta(hours=2):%Y%m%d%H%M}",
        "MA_LOAI_KCB": "01",
        "MA_DOITUONG_KCB": "1.1",
        "MA_THE_BHYT": "DN4010123456789",
    }
    return Received(seq, "dossier", "01001", at, {"XML1": [summary]}, **more)  # type: ignore[arg-type]


LATE = T0 + timedelta(days=9, microseconds=123_456)
SUBMISSIONS = [
    _checkin(1, "A", T0 + timedelta(minutes=5)),
    _dossier(
        2,
        "A",
        LATE,
        delivered_at=LATE + timedelta(hours=30),
        identity="verified",
        violations=[Violation("CODE-01", "XML1", "MA_LOAI_KCB", "99", "not in the list", 1)],
    ),
    _dossier(3, "B", T0 + timedelta(hours=3)),  # no check-in
    _checkin(
        4,
        "C",
        T0,
    ),  # no dossier
    _dossier(5, "A", LATE + timedelta(hours=1)),  # a replacement of A
]


def _feed(judge: TrafficJudge, subs: list[Received], changed: dict[int, object]) -> None:
    for sub in subs:
        episode = judge.add(sub)
        changed[id(episode)] = episode


def _same(again: TrafficJudge, judge: TrafficJudge) -> None:
    assert again.episodes == judge.episodes
    assert list(again.episodes) == list(judge.episodes)
    assert again.latest_received == judge.latest_received
    assert again.submissions == judge.submissions
    assert [f.as_dict() for f in again.findings()] == [f.as_dict() for f in judge.findings()]


def test_a_save_loads_back_to_the_same_judge(tmp_path: Path) -> None:
    """Times to the microsecond, violations of check-ins and of versions, the episodes' order."""
    judge, changed = TrafficJudge(), {}
    _feed(judge, SUBMISSIONS[:4], changed)  # A's violation and late forwarding still count
    judge.episodes[("01001", "C")].checkin_violations = (Violation("XML0-03", "XML0", "NGAY_YL", "x", "bad"),)
    AuditState(tmp_path, LABELS).save(judge, changed.values(), [5], done=True)  # type: ignore[arg-type]
    loaded = AuditState(tmp_path, LABELS).load()
    assert loaded is not None
    again, positions = loaded
    assert positions == [5]
    _same(again, judge)
    assert again.episodes[("01001", "A")].first_dossier_at == LATE
    assert {f.requirement for f in judge.findings()} == {
        "CODE-01",
        "XML0-03",
        "XML0-06",
        "MOH-03",
        "TRAFFIC-02",
    }
    assert AuditState(tmp_path, ["another.db"]).load() is None  # another list of sources


def test_saves_append_what_changed_and_the_log_is_written_anew_once_grown(tmp_path: Path) -> None:
    judge, changed = TrafficJudge(), {}
    state = AuditState(tmp_path, LABELS)
    _feed(judge, SUBMISSIONS[:2], changed)
    state.save(judge, changed.values(), [2], done=False)  # type: ignore[arg-type]
    changed.clear()
    first = (tmp_path / EPISODES).stat().st_size
    _feed(judge, SUBMISSIONS[2:4], changed)  # B and C: A unchanged
    state.save(judge, changed.values(), [4], done=False)  # type: ignore[arg-type]
    assert state.written == 3  # A once, then B and C
    assert (tmp_path / EPISODES).stat().st_size > first  # appended
    loaded = AuditState(tmp_path, LABELS).load()
    assert loaded is not None
    _same(loaded[0], judge)
    changed.clear()
    _feed(judge, SUBMISSIONS[4:], changed)  # A again
    for _ in range(COMPACT_AT * 3):
        state.save(judge, changed.values(), [5], done=False)  # type: ignore[arg-type]
    assert state.written <= COMPACT_AT * len(judge.episodes) + 1  # written anew, whole, when grown
    loaded = AuditState(tmp_path, LABELS).load()
    assert loaded is not None
    _same(loaded[0], judge)


def test_a_half_written_save_is_cut_off(tmp_path: Path) -> None:
    """A run killed while appending: the JSON of the save before vouches for fewer bytes, and the
    load stops there; the next save writes over the rest."""
    judge, changed = TrafficJudge(), {}
    state = AuditState(tmp_path, LABELS)
    _feed(judge, SUBMISSIONS[:3], changed)
    state.save(judge, changed.values(), [3], done=False)  # type: ignore[arg-type]
    before = TrafficJudge()
    before.extend(SUBMISSIONS[:3])
    with (tmp_path / EPISODES).open("ab") as handle:
        handle.write(b"\xe3half a record")
    loaded = AuditState(tmp_path, LABELS).load()
    assert loaded is not None
    resumed_state = AuditState(tmp_path, LABELS)
    again, _ = resumed_state.load() or (None, None)
    assert again is not None
    _same(again, before)
    changed.clear()
    _feed(again, SUBMISSIONS[3:], changed)
    resumed_state.save(again, changed.values(), [5], done=True)  # type: ignore[arg-type]
    whole = TrafficJudge()
    whole.extend(SUBMISSIONS)
    final = AuditState(tmp_path, LABELS).load()
    assert final is not None
    _same(final[0], whole)
    assert json.loads((tmp_path / STATE).read_text(encoding="utf-8"))["complete"] is True
    (tmp_path / EPISODES).write_bytes(b"")  # fewer bytes than the JSON vouches for: start over
    assert AuditState(tmp_path, LABELS).load() is None
