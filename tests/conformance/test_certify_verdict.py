"""The certification verdict in process (no sockets): transcripts built as a gateway journals them,
judged by ``judge_session``. What a correct HIS legitimately does is never a failure; each defect
is flagged on its requirement and field; waivers lapse after their expiry; a bundle re-judges to
the identical verdict and an edited transcript changes it."""

from __future__ import annotations

import base64
import json
import zipfile
from datetime import UTC, date, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from lienthong.conformance.cli._certify_bundle import read_bundle, verdict_bytes, write_bundle
from lienthong.conformance.cli._certify_journal import SessionRecord
from lienthong.conformance.cli.certify_verdict import judge_record, verdict_document
from lienthong.conformance.traffic.certification import SessionFacts, Verdict, judge_session
from lienthong.conformance.traffic.session_deadline import parse_deadline
from lienthong.conformance.traffic.transcripts import Transcript
from lienthong.conformance.traffic.waivers import Waiver
from lienthong.profiles.patients import Patient, write_patients
from lienthong.simulators.pki import SigningKey, shared_authority, sign_document
from lienthong.simulators.xml130 import checkin_xml, envelope, table_xml
from tests.conformance.certify_his import Tables, checkin_record, episode

FACILITY = "79123"
OPENED = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)
ADULT = Patient("079080001001", "DN4791234500001", "Nguyễn Văn Bình", date(1980, 4, 2), "1", "12 Lê Lợi",
                date(2025, 1, 1), date(2025, 12, 31), "79123")  # fmt: skip
MOTHER = Patient("079185002002", "DN4791234500002", "Trần Thị Hoa", date(1985, 7, 9), "2", "3 Hai Bà Trưng",
                 date(2025, 1, 1), date(2025, 12, 31), "79123")  # fmt: skip
NO_CARD = Patient("079190004004", "", "Phạm Thị Mai", date(1990, 11, 30), "2", "5 Nguyễn Huệ")
EXPIRED = Patient("079070003003", "HT3791234500003", "Lê Văn Cường", date(1970, 1, 20), "1", "8 Pasteur",
                  date(2024, 1, 1), date(2024, 12, 31), "79123")  # fmt: skip
PATIENTS = [ADULT, MOTHER, NO_CARD, EXPIRED]


@cache
def _key() -> SigningKey:
    return shared_authority().issue(f"Cơ sở KCB {FACILITY}")


class Journal:
    """Transcripts as the session's gateway would journal them, one a minute."""

    def __init__(self) -> None:
        self.items: list[Transcript] = []

    def add(
        self, kind: str, document: bytes, *, code: str = "200", forward: str = "", reason: str = ""
    ) -> None:
        seq = len(self.items) + 1
        self.items.append(
            Transcript(
                seq,
                "/api/qd130/checkInKcbQd3176" if kind == "checkin" else "/api/qd130/guiHoSoXmlQD3176",
                kind,
                "qd3176",
                f"{FACILITY}_BV",
                FACILITY,
                "0" if kind == "checkin" else "130",
                base64.b64encode(document).decode("ascii"),
                (OPENED + timedelta(minutes=seq)).isoformat(),
                code,
                f"GD{seq:020d}",
                "Tiếp nhận thành công (accepted)" if code == "200" else "Từ chối (rejected)",
                forward if kind == "dossier" and code == "200" else "",
                reason,
            )
        )

    def checkin(self, tables: Tables, **kw: Any) -> None:
        self.add("checkin", sign_document(checkin_xml([checkin_record(tables, **kw)]), _key()))

    def dossier(self, tables: Tables, **kw: Any) -> None:
        documents = {kind: table_xml(kind, records) for kind, records in tables.items() if records}
        document = sign_document(envelope(FACILITY, tables["XML1"][0]["NGAY_RA"][:8], documents), _key())
        self.add("dossier", document, **{"forward": "delivered"} | kw)


def _facts(deadline: str = "0", stopped: datetime | None = None) -> SessionFacts:
    return SessionFacts((FACILITY,), {FACILITY: [_key().cert_pem]}, OPENED, stopped, parse_deadline(deadline))


def _judge(
    journal: Journal,
    deadline: str = "0",
    waivers: list[Waiver] | None = None,
    stopped: datetime | None = None,
) -> Verdict:
    return judge_session(
        journal.items, PATIENTS, _facts(deadline, stopped), OPENED + timedelta(hours=1), waivers or []
    )


def _by_ma_lk(verdict: Verdict) -> dict[str, list[tuple[str, str, str, str]]]:
    return {
        e.ma_lk: [(j.finding.requirement, j.finding.table, j.finding.field, j.outcome) for j in e.findings]
        for e in verdict.episodes
    }


def _c06(result: str, field: str, value: str) -> str:
    error = {
        "table": "XML1",
        "record": 1,
        "field": field,
        "value": value,
        "rule": result,
        "requirement": "TRAFFIC-04",
    }
    return json.dumps({"c06": result, "mismatched": [], "errors": [error]})


def test_what_a_correct_his_legitimately_does_is_never_a_failure() -> None:
    journal = Journal()
    stay = episode(2, ADULT, "LK-STAY", FACILITY, kind="03")
    journal.checkin(stay)
    journal.checkin(stay, admission=True)  # a second check-in on admission to the ward
    journal.dossier(stay)
    late_lab = episode(1, ADULT, "LK-LAB", FACILITY)
    journal.checkin(late_lab)
    journal.dossier(late_lab)
    late_lab["XML4"][0]["GIA_TRI"] = late_lab["XML4"][0].get("GIA_TRI", "") + "1"
    journal.dossier(late_lab)  # a replacement dossier with the late lab result
    corrected = episode(5, MOTHER, "LK-FIX", FACILITY)
    journal.checkin(corrected)
    broken = json.loads(json.dumps(corrected))
    broken["XML1"][0]["MA_BENH_CHINH"] = "J06.9;I10"
    journal.dossier(broken, code="422")
    journal.dossier(corrected)  # corrected after the error answer
    emergency = episode(6, MOTHER, "LK-EMERG", FACILITY)
    emergency["XML1"][0]["MA_DOITUONG_KCB"] = "2"
    journal.dossier(emergency)  # no check-in due for an emergency
    newborn = episode(7, MOTHER, "LK-NEWBORN", FACILITY)
    newborn_identity = {
        "SO_CCCD": "",  # none yet (force majeure), the mother's name, the baby's birth and sex, no card
        "NGAY_SINH": "202502100000",
        "GIOI_TINH": "1",
        "MA_THE_BHYT": "",
        "GT_THE_TU": "",
        "GT_THE_DEN": "",
        "MA_DKBD": "",
    }
    for record in (r for records in newborn.values() for r in records):
        record.update({k: v for k, v in newborn_identity.items() if k in record})
    journal.checkin(newborn)
    journal.dossier(newborn, forward="identity_rejected", reason=_c06("unknown", "SO_CCCD", ""))
    private = episode(8, NO_CARD, "LK-NOCARD", FACILITY)
    private["XML1"][0]["MA_DOITUONG_KCB"] = "9"  # not a BHYT visit: no card
    journal.checkin(private)
    journal.dossier(private)
    verdict = _judge(journal)
    found = _by_ma_lk(verdict)
    assert found["LK-NOCARD"] == []
    assert found["LK-STAY"] == []
    assert found["LK-LAB"] == []
    assert found["LK-FIX"] == []
    assert found["LK-EMERG"] == []
    assert all(outcome == "warn" for *_, outcome in found["LK-NEWBORN"]), found["LK-NEWBORN"]
    assert ("TRAFFIC-04", "XML1", "SO_CCCD", "warn") in found["LK-NEWBORN"]
    lab = next(e for e in verdict.episodes if e.ma_lk == "LK-LAB")
    assert lab.counts == 6
    assert "replacements" in lab.note
    assert verdict.outcome == "pass"


def test_each_defect_the_gateway_accepts_is_flagged_on_its_requirement_and_field() -> None:
    journal = Journal()
    journal.dossier(episode(1, ADULT, "LK-NOCHECKIN", FACILITY))
    journal.checkin(episode(2, MOTHER, "LK-NODOSSIER", FACILITY))
    card = episode(3, EXPIRED, "LK-EXPIRED", FACILITY)
    journal.checkin(card)
    journal.dossier(card)
    wrong = episode(4, ADULT, "LK-WRONGCARD", FACILITY)
    wrong["XML1"][0]["GT_THE_DEN"] = "20261231"
    journal.checkin(episode(4, ADULT, "LK-WRONGCARD", FACILITY))
    journal.dossier(wrong)
    unknown = episode(5, ADULT, "LK-UNKNOWN", FACILITY)
    unknown["XML1"][0]["SO_CCCD"] = "079080999999"
    journal.checkin(episode(5, ADULT, "LK-UNKNOWN", FACILITY))
    journal.dossier(unknown, forward="identity_rejected", reason=_c06("unknown", "SO_CCCD", "079080999999"))
    found = _by_ma_lk(_judge(journal))
    assert ("XML0-06", "XML0", "MA_LK", "fail") in found["LK-NOCHECKIN"]
    assert ("TRAFFIC-01", "XML0", "MA_LK", "fail") in found["LK-NODOSSIER"]
    assert ("CARD-02", "XML1", "GT_THE_DEN", "fail") in found["LK-EXPIRED"]  # [S] since the merge of certify
    assert ("CARD-01", "XML1", "GT_THE_DEN", "fail") in found["LK-WRONGCARD"]
    assert ("TRAFFIC-04", "XML1", "SO_CCCD", "fail") in found["LK-UNKNOWN"]
    pending = _by_ma_lk(_judge(journal, deadline="1d"))
    assert pending["LK-NODOSSIER"] == [("TRAFFIC-01", "XML0", "MA_LK", "pending")]
    # Once the session has stopped, no dossier can come: missing, whatever the deadline.
    ended = _by_ma_lk(_judge(journal, deadline="1d", stopped=OPENED + timedelta(minutes=50)))
    assert ended["LK-NODOSSIER"] == [("TRAFFIC-01", "XML0", "MA_LK", "fail")]


def test_waivers_show_apart_and_lapse_after_their_expiry() -> None:
    journal = Journal()
    journal.dossier(episode(1, ADULT, "LK-NOCHECKIN", FACILITY))
    judged = OPENED + timedelta(hours=1)
    valid = Waiver(
        "XML0-06",
        "LK-NOCHECKIN",
        "HIS 2.1 adds the check-in",
        "Sở Y tế",
        f"{judged + timedelta(days=1):%Y-%m-%d}",
    )
    lapsed = Waiver("XML0-06", "*", "old exception", "Sở Y tế", f"{judged - timedelta(days=1):%Y-%m-%d}")
    assert _by_ma_lk(_judge(journal, waivers=[valid]))["LK-NOCHECKIN"] == [
        ("XML0-06", "XML0", "MA_LK", "waived")
    ]
    assert _judge(journal, waivers=[valid]).outcome == "pass"
    assert _by_ma_lk(_judge(journal, waivers=[lapsed]))["LK-NOCHECKIN"] == [
        ("XML0-06", "XML0", "MA_LK", "fail")
    ]


def test_a_bundle_rejudges_identically_and_an_edited_transcript_changes_the_verdict(tmp_path: Path) -> None:
    journal = Journal()
    ok = episode(1, ADULT, "LK-OK", FACILITY)
    journal.checkin(ok)
    journal.dossier(ok)
    write_patients(PATIENTS, tmp_path / "p.csv")
    session = {"session_id": "t", "facilities": [FACILITY], "opened_at": OPENED.isoformat(),
               "stopped_at": None, "dossier_deadline": "0", "seed": 42}  # fmt: skip
    record = SessionRecord(
        session, journal.items, {FACILITY: [_key().cert_pem]}, (tmp_path / "p.csv").read_bytes()
    )
    judged = OPENED + timedelta(hours=2)
    document = verdict_document(record, judge_record(record, judged, []))
    assert document["outcome"] == "pass"
    path = write_bundle(tmp_path / "b.zip", record, document, judged.isoformat(), [])
    found = read_bundle(path)
    assert found.edited == []
    again = verdict_document(found.record, judge_record(found.record, judged, found.waivers))
    assert verdict_bytes(again) == verdict_bytes(found.verdict)
    edited = tmp_path / "edited.zip"
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(edited, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "transcripts/000002.json":
                t = json.loads(data)
                xml = base64.b64decode(t["request"]["fileHSBase64"]).replace(
                    b"<NGAYLAP>2025", b"<NGAYLAP>2024", 1
                )
                t["request"]["fileHSBase64"] = base64.b64encode(xml).decode("ascii")
                data = json.dumps(t).encode()
            target.writestr(item, data)
    changed = read_bundle(edited)
    assert changed.edited == ["transcripts/000002.json"]
    rejudged = verdict_document(changed.record, judge_record(changed.record, judged, changed.waivers))
    assert rejudged["outcome"] == "fail"
    [episode_] = rejudged["episodes"]
    assert any(f["requirement"] == "SIG-01" and f["field"] == "CHUKYDONVI" for f in episode_["findings"])


def test_an_upper_case_name_and_the_bhxh_number_alone_are_not_defects() -> None:
    journal = Journal()
    shouting = episode(1, ADULT, "LK-UPPER", FACILITY)
    for record in (r for records in shouting.values() for r in records):
        if "HO_TEN" in record:
            record["HO_TEN"] = record["HO_TEN"].upper()
        if "MA_THE_BHYT" in record:
            record["MA_THE_BHYT"] = ADULT.bhyt[-10:]  # new-format card: the BHXH number alone
    journal.checkin(shouting)
    journal.dossier(shouting)
    assert _by_ma_lk(_judge(journal))["LK-UPPER"] == []


def test_a_defect_in_a_later_check_in_or_in_a_refused_replacement_is_flagged() -> None:
    journal = Journal()
    stay = episode(2, ADULT, "LK-ADMIT", FACILITY, kind="03")
    journal.checkin(stay)
    admission = checkin_record(stay, admission=True)
    admission["LY_DO_VNT"] = ""  # XML0-05: the reason for admission is required with NGAY_VAO_NOI_TRU
    journal.add("checkin", sign_document(checkin_xml([admission]), _key()), code="422")
    journal.dossier(stay)
    replaced = episode(1, MOTHER, "LK-REPLACED", FACILITY)
    journal.checkin(replaced)
    journal.dossier(replaced)
    broken = json.loads(json.dumps(replaced))
    broken["XML1"][0]["MA_BENH_CHINH"] = "J06.9;I10"
    journal.dossier(broken, code="422")  # the replacement is refused and never corrected
    found = _by_ma_lk(_judge(journal))
    assert ("XML0-05", "XML0", "LY_DO_VNT", "fail") in found["LK-ADMIT"]
    assert ("XML1-05", "XML1", "MA_BENH_CHINH", "fail") in found["LK-REPLACED"]


def test_an_identity_c06_has_not_checked_yet_is_pending() -> None:
    journal = Journal()
    visit = episode(1, ADULT, "LK-WAIT", FACILITY)
    journal.checkin(visit)
    journal.dossier(visit, forward="pending")
    verdict = _judge(journal)
    assert _by_ma_lk(verdict)["LK-WAIT"] == [("TRAFFIC-04", "XML1", "SO_CCCD", "pending")]
    assert verdict.outcome == "pending"
