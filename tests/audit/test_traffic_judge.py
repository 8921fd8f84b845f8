"""The traffic judge's rules on hand-made episodes: each fails on its fault and stays quiet on the
conformant variant (an emergency without check-in, a replacement, a fixed refusal)."""

from __future__ import annotations

from datetime import datetime, timedelta

from lienthong.conformance.traffic import Received, TrafficJudge
from lienthong.profiles.validation import Violation

T0 = datetime(2026, 3, 2, 8, 0)  # a Monday


def _checkin(seq: int, ma_lk: str, at: datetime, *, category: str = "1.1") -> Received:
    record = {"MA_LK": ma_lk, "NGAY_YL": f"{T0:%Y%m%d%H%M}", "MA_LOAI_KCB": "01", "MA_DOITUONG_KCB": category}
    return Received(seq, "checkin", "01001", at, {"XML0": [record]})


def _dossier(
    seq: int, ma_lk: str, at: datetime, *, category: str = "1.1", birth: str = "19800101", **more: object
) -> Received:
    summary = {
        "MA_LK": ma_lk,
        "SO_CCCD": "001080000001",
        "NGAY_SINH": birth + "0000",
        "GIOI_TINH": "1",
        "NGAY_VAO": f"{T0:%Y%m%d%H%M}",
        "NGAY_RA": f"{T0 + timedelta(hours=2):%Y%m%d%H%M}",
        "MA_LOAI_KCB": "01",
        "MA_DOITUONG_KCB": category,
        "MA_THE_BHYT": "DN4010123456789",
    }
    return Received(seq, "dossier", "01001", at, {"XML1": [summary]}, **more)  # type: ignore[arg-type]


def _rules(judge: TrafficJudge) -> list[str]:
    return sorted(f.requirement for f in judge.findings())


def test_conformant_traffic_has_no_finding() -> None:
    judge = TrafficJudge()
    judge.extend([_checkin(1, "A", T0 + timedelta(minutes=5)), _dossier(2, "A", T0 + timedelta(hours=3))])
    assert _rules(judge) == []


def test_emergency_needs_no_checkin_but_others_do() -> None:
    emergency = TrafficJudge()
    emergency.add(_dossier(1, "A", T0 + timedelta(hours=3), category="2"))
    assert _rules(emergency) == []
    missing = TrafficJudge()
    missing.add(_dossier(1, "A", T0 + timedelta(hours=3)))
    assert _rules(missing) == ["XML0-06"]


def test_order_of_reading_does_not_matter() -> None:
    subs = [_dossier(2, "A", T0 + timedelta(hours=3)), _checkin(1, "A", T0 + timedelta(minutes=5))]
    judge = TrafficJudge()
    judge.extend(subs)  # the dossier read first: the check-in was still received before it
    assert _rules(judge) == []


def test_deadline_counts_working_days_from_the_first_version() -> None:
    judge = TrafficJudge()
    # ended Monday 10:00; 7 working days later is the next Wednesday but one, 10:00
    judge.extend([_checkin(1, "A", T0), _dossier(2, "A", datetime(2026, 3, 11, 9, 0))])
    assert _rules(judge) == []
    late = TrafficJudge()
    late.extend([_checkin(1, "A", T0), _dossier(2, "A", datetime(2026, 3, 11, 11, 0))])
    assert _rules(late) == ["TIME-01"]


def test_the_latest_version_counts() -> None:
    broken = Violation("XML1-02", "XML1", "MA_BN", "", "is required")
    judge = TrafficJudge()
    judge.extend(
        [
            _checkin(1, "A", T0),
            _dossier(2, "A", T0 + timedelta(hours=3), violations=[broken], accepted=False),
            _dossier(3, "A", T0 + timedelta(hours=4)),
        ]
    )
    assert _rules(judge) == []
    stale = TrafficJudge()
    stale.extend([_checkin(1, "A", T0), _dossier(2, "A", T0 + timedelta(hours=3), violations=[broken])])
    assert _rules(stale) == ["XML1-02"]


def test_checkin_without_dossier_once_overdue() -> None:
    judge = TrafficJudge()
    judge.add(_checkin(1, "A", T0))
    assert _rules(judge) == []  # judged at its own receipt: not overdue yet
    assert [f.requirement for f in judge.findings(as_of=T0 + timedelta(days=31))] == ["TRAFFIC-01"]


def test_duplicates_and_contradictions() -> None:
    judge = TrafficJudge()
    judge.extend(
        [
            _checkin(1, "A", T0),
            _dossier(2, "A", T0 + timedelta(hours=3)),
            _checkin(3, "B", T0 + timedelta(minutes=1)),
            _dossier(4, "B", T0 + timedelta(hours=4)),
        ]
    )
    findings = list(judge.findings())
    assert [(f.requirement, f.ma_lk) for f in findings] == [("TRAFFIC-02", "B")]
    person = TrafficJudge()
    later = T0 + timedelta(days=3)
    person.extend(
        [
            _checkin(1, "A", T0),
            _dossier(2, "A", T0 + timedelta(hours=3), identity="verified"),
            _dossier(3, "C", later, birth="19800102", category="2"),
        ]
    )
    found = [(f.requirement, f.ma_lk, f.field) for f in person.findings()]
    assert ("TRAFFIC-03", "C", "NGAY_SINH") in found
    assert all(ma_lk == "C" for _, ma_lk, _ in found)


def test_unverified_identity_and_late_vneid() -> None:
    judge = TrafficJudge()
    received = T0 + timedelta(hours=3)
    judge.extend(
        [
            _checkin(1, "A", T0),
            _dossier(2, "A", received, identity="rejected", delivered_at=received + timedelta(hours=25)),
        ]
    )
    assert _rules(judge) == ["MOH-03", "TRAFFIC-04"]
