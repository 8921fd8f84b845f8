"""Reading submissions for the judge: the same bytes are validated once, the answers held are
bounded and taken only for equal bytes, and the audit leaves the garbage collector as it found it."""

from __future__ import annotations

import gc
from datetime import datetime
from pathlib import Path

from lienthong.conformance.audit import engine
from lienthong.conformance.audit.sources import open_source
from lienthong.conformance.traffic.reading import RecentDocuments, read
from lienthong.profiles.mutations import apply
from lienthong.profiles.samples import sample_checkin, sample_tables
from lienthong.simulators.xml130 import checkin_xml
from tests.profiles.conftest import dossier_bytes

AT = datetime(2026, 1, 5, 9, 0)


def test_the_same_bytes_are_validated_once() -> None:
    broken = apply(sample_tables(3, kind="01"), "CODE-01")
    assert broken is not None
    data = dossier_bytes(broken)
    facility = broken["XML1"][0]["MA_CSKCB"]
    alone = read(1, "dossier", AT, data, facility=facility)
    recent = RecentDocuments()
    first = read(1, "dossier", AT, data, facility=facility, recent=recent)
    again = read(2, "dossier", AT, data, facility="99999", recent=recent)  # another request's maCSKCB
    assert (recent.misses, recent.hits) == (1, 1)
    assert first.violations == alone.violations
    assert first.tables == again.tables == alone.tables
    assert any(v.requirement == "CODE-01" for v in again.violations)
    # ENV-05 is the request's, not the document's: judged on each submission, not remembered
    assert [v.requirement for v in again.violations] == [v.requirement for v in alone.violations] + ["ENV-05"]
    assert [v.requirement for v in first.violations] == [v.requirement for v in alone.violations]
    checkin = checkin_xml(sample_checkin(3))
    read(3, "checkin", AT, checkin, recent=recent)
    read(4, "checkin", AT, checkin, recent=recent)
    read(5, "dossier", AT, checkin, recent=recent)  # the same bytes as another kind: judged as that kind
    assert (recent.misses, recent.hits) == (3, 2)


def test_the_answers_kept_are_bounded() -> None:
    recent = RecentDocuments(size=4)
    documents = [checkin_xml(sample_checkin(seed)) for seed in range(6)]
    for document in documents:
        recent.validate("checkin", document, "auto")
    assert len(recent) == 4
    assert recent.misses == 6
    recent.validate("checkin", documents[0], "auto")  # the oldest went
    assert (recent.misses, recent.hits) == (7, 0)
    recent.validate("checkin", documents[5], "auto")  # still there
    assert (recent.misses, recent.hits) == (7, 1)
    assert len(recent) == 4


def test_an_audit_restores_the_collector_threshold(corpus: dict[str, Path], tmp_path: Path) -> None:
    before = gc.get_threshold()
    seen: list[tuple[int, int, int]] = []
    engine.run_audit(
        [open_source(str(corpus["folder"]))], tmp_path, progress=lambda _: seen.append(gc.get_threshold())
    )
    assert seen
    assert all(t[0] >= engine.YOUNG_GENERATION for t in seen)
    assert gc.get_threshold() == before


def test_documents_alike_but_for_a_byte_are_told_apart() -> None:
    """Two check-ins of one length differing in one byte (STT): each gets its own answer, and a
    repeat of either gets its own again."""
    first = checkin_xml(sample_checkin(3)).replace(b"<STT>1</STT>", b"")
    first = first.replace(b"</TRANG_THAI_KCB>", b"<STT>1</STT></TRANG_THAI_KCB>")
    second = first.replace(b"<STT>1</STT>", b"<STT>2</STT>")
    assert len(first) == len(second)
    assert first != second
    recent = RecentDocuments()
    answers = [recent.validate("checkin", data, "auto") for data in (first, second, first, second)]
    assert (recent.misses, recent.hits) == (2, 2)
    assert [v.requirement for v in answers[0][1]] == []
    assert [v.requirement for v in answers[1][1]] == ["STT-01"]
    assert answers[2] == answers[0]
    assert answers[3] == answers[1]
