"""A live certification session end to end: ``lienthong certify --open`` on free ports with a small
patients file, a little vendor HIS (``certify_his``) sending correct episodes and episodes with one
defect each (three of which the gateway itself accepts, and an unknown citizen C06 rejects later),
then ``lienthong certify verdict``: no finding on the correct episodes, each defect flagged on its
requirement and field; the bundle re-judges to the identical verdict, and an edited transcript
changes it."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from lienthong.conformance.cli import app
from lienthong.conformance.cli._served import free_port_block
from lienthong.profiles.patients import Patient, write_patients
from tests.conformance.certify_his import VendorHIS, episode

pytestmark = pytest.mark.live
FACILITY = "79123"
PATIENTS = [
    Patient(
        "079080001001",
        "DN4791234500001",
        "Nguyễn Văn Bình",
        date(1980, 4, 2),
        "1",
        "12 Lê Lợi, Quận 1",
        date(2025, 1, 1),
        date(2025, 12, 31),
        "79123",
    ),
    Patient(
        "079185002002",
        "DN4791234500002",
        "Trần Thị Hoa",
        date(1985, 7, 9),
        "2",
        "3 Hai Bà Trưng",
        date(2025, 1, 1),
        date(2025, 12, 31),
        "79123",
    ),
    Patient(
        "079070003003",
        "HT3791234500003",
        "Lê Văn Cường",
        date(1970, 1, 20),
        "1",
        "8 Pasteur",
        date(2024, 1, 1),
        date(2024, 12, 31),
        "79123",
    ),
    Patient(
        "079190004004",
        "GD4791234500004",
        "Phạm Thị Mai",
        date(1990, 11, 30),
        "2",
        "5 Nguyễn Huệ",
        date(2025, 1, 1),
        date(2025, 12, 31),
        "79123",
    ),
]
UNKNOWN_CCCD = "079080999999"
"""Well formed (HCM, a man born in 1980) but not in the patients file: C06 does not know it."""


@contextmanager
def _served(
    data_dir: Path, accounts: Path, *options: str
) -> Iterator[tuple[VendorHIS, subprocess.Popen[bytes]]]:
    """``lienthong certify`` with ``options`` on free ports, and a logged-in vendor HIS."""
    port = free_port_block()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "lienthong.conformance.cli",
            "certify",
            *options,
            "--facility",
            FACILITY,
            "--write-accounts",
            str(accounts),
            "--port",
            str(port),
            "--data-dir",
            str(data_dir),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=os.environ | {"COLUMNS": "200"},
    )
    try:
        deadline = time.monotonic() + 60
        while not accounts.exists():
            assert process.poll() is None, process.stderr.read().decode()[-800:]  # type: ignore[union-attr]
            assert time.monotonic() < deadline, "the session did not start within 60 s"
            time.sleep(0.1)
        his = VendorHIS(f"http://127.0.0.1:{port}", accounts, FACILITY)
        his.login()
        yield his, process
        his.close()
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def session(tmp_path: Path) -> Iterator[tuple[VendorHIS, Path, subprocess.Popen[bytes]]]:
    patients, accounts, data_dir = tmp_path / "patients.csv", tmp_path / "accounts.json", tmp_path / "session"
    write_patients(PATIENTS, patients)
    options = ("--open", "--patients", str(patients), "--dossier-deadline", "0")
    with _served(data_dir, accounts, *options) as (his, process):
        yield his, data_dir, process


def _send_all(his: VendorHIS) -> dict[str, str]:
    """Every episode the HIS sends: MA_LK -> what it is."""
    p1, p2, p3, p4 = PATIENTS
    sent: dict[str, str] = {}

    def visit(
        ma_lk: str,
        what: str,
        patient: Patient,
        *,
        seed: int,
        kind: str = "01",
        checkin: bool = True,
        checkin_refused: bool = False,
        dossier: bool = True,
        edit: Any = None,
        loai: str | None = None,
        tamper: bool = False,
        times: int = 1,
    ) -> None:
        tables = episode(seed, patient, ma_lk, FACILITY, kind=kind)
        if edit:
            edit(tables["XML1"][0])
        if checkin:
            answer = his.send("checkin", his.checkin_bytes(tables))["maKetQua"]
            assert (answer != "200") if checkin_refused else (answer == "200"), answer
        if checkin and kind == "03":  # admitted to the ward: a second check-in there
            assert his.send("checkin", his.checkin_bytes(tables, admission=True))["maKetQua"] == "200"
        if dossier:
            document = his.dossier_bytes(tables)
            if tamper:
                document = document.replace(b"<NGAYLAP>2025", b"<NGAYLAP>2024", 1)
            for _ in range(times):
                his.send("dossier", document, loai_ho_so=loai)
        sent[ma_lk] = what

    visit("OK-OUT", "correct: outpatient visit", p1, seed=1)
    visit("OK-IN", "correct: inpatient stay", p2, seed=2, kind="03")
    visit("OK-RESEND", "correct: a resend after a lost answer", p4, seed=3, times=2)
    visit(
        "OK-EMERG",
        "correct: emergency without check-in",
        p4,
        seed=13,
        checkin=False,
        edit=lambda r: r.update(MA_DOITUONG_KCB="2"),
    )
    visit("D-NOCHECKIN", "XML0-06 MA_LK", p1, seed=5, checkin=False)
    visit("D-NODOSSIER", "TRAFFIC-01 MA_LK", p2, seed=6, dossier=False)
    # the card's validity as sent does not cover the visit: the gateway refuses it (CARD-02)
    visit("D-EXPIRED", "CARD-02 GT_THE_DEN", p3, seed=7, checkin_refused=True)
    visit("D-UNKNOWN", "TRAFFIC-04 SO_CCCD", p1, seed=8, edit=lambda r: r.update(SO_CCCD=UNKNOWN_CCCD))
    visit("D-NAME", "TRAFFIC-04 HO_TEN", p2, seed=9, edit=lambda r: r.update(HO_TEN="Trần Thị Hoà Bình"))
    visit("D-DIAG", "XML1-05 MA_BENH_CHINH", p4, seed=10, edit=lambda r: r.update(MA_BENH_CHINH="J06.9;I10"))
    visit("D-TAMPER", "SIG-01 CHUKYDONVI", p1, seed=11, tamper=True)
    visit("D-LOAI", "API-08 loaiHoSo", p2, seed=12, loai="0")
    return sent


def _judge(data_dir: Path, out: Path, *extra: str) -> tuple[int, dict[str, Any], str]:
    result = CliRunner().invoke(
        app,
        ["certify", "verdict", "--data-dir", str(data_dir), "--out", str(out), *extra],
        env={"COLUMNS": "200"},
    )
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, json.loads(out.read_text(encoding="utf-8")), result.output


def _wait_for_c06(his: VendorHIS, ma_lks: list[str]) -> dict[str, dict[str, Any]]:
    deadline = time.monotonic() + 20
    while True:
        results = {m: his.feedback(maLK=m)["dsKetQua"][-1] for m in ma_lks}
        if all(r["trangThai"] != "pending" for r in results.values()) or time.monotonic() > deadline:
            return results
        time.sleep(0.2)


@pytest.mark.slow
def test_open_session_verdict_flags_each_defect_and_nothing_else(
    session: tuple[VendorHIS, Path, subprocess.Popen[bytes]], tmp_path: Path
) -> None:
    his, data_dir, _ = session
    sent = _send_all(his)
    fed_back = _wait_for_c06(his, ["D-UNKNOWN", "D-NAME", "OK-OUT"])
    assert fed_back["OK-OUT"]["trangThai"] == "delivered"
    for ma_lk, field in (("D-UNKNOWN", "SO_CCCD"), ("D-NAME", "HO_TEN")):
        result = fed_back[ma_lk]
        assert result["trangThai"] == "identity_rejected"
        assert "thành công" not in result["thongDiep"]
        assert [(e["truong"], e["maQuyTac"]) for e in result["dsLoi"]] == [(field, "TRAFFIC-04")]

    code, verdict, output = _judge(data_dir, tmp_path / "verdict.json", "--bundle", str(tmp_path / "b.zip"))
    assert code == 1, output
    assert verdict["outcome"] == "fail"
    episodes = {e["ma_lk"]: e for e in verdict["episodes"]}
    assert set(episodes) == set(sent)
    for ma_lk, what in sent.items():
        findings = episodes[ma_lk]["findings"]
        if what.startswith("correct"):
            assert findings == [], (what, findings)
            assert episodes[ma_lk]["outcome"] == "pass"
            continue
        requirement, field = what.split()
        hits = [f for f in findings if (f["requirement"], f["field"]) == (requirement, field)]
        assert hits, (ma_lk, what, [(f["requirement"], f["field"]) for f in findings])
        assert all(h["ma_lk"] == ma_lk and h["facility"] == FACILITY and h["table"] for h in hits)
        assert hits[0]["outcome"] in ("fail", "warn")
        if requirement != "CARD-02":  # [I]: a warning
            assert hits[0]["outcome"] == "fail", hits[0]
    assert "2 submission(s)" not in episodes["OK-RESEND"]["note"]
    assert "2 accepted (resends of one content)" in episodes["OK-RESEND"]["note"]

    # the same journal with a later deadline: the missing dossier is awaited, not failed
    _, later, _ = _judge(data_dir, tmp_path / "later.json", "--dossier-deadline", "2d")
    [awaited] = {e["ma_lk"]: e for e in later["episodes"]}["D-NODOSSIER"]["findings"]
    assert (awaited["requirement"], awaited["outcome"]) == ("TRAFFIC-01", "pending")

    # the bundle re-judges to the identical verdict; an edited transcript changes it
    rejudged = CliRunner().invoke(
        app, ["certify", "verdict", "--bundle", str(tmp_path / "b.zip")], env={"COLUMNS": "200"}
    )
    assert "identical verdict" in rejudged.output, rejudged.output
    edited = tmp_path / "edited.zip"
    _edit_transcript(tmp_path / "b.zip", edited, seq=_first_dossier(verdict, "OK-OUT"))
    changed = CliRunner().invoke(app, ["certify", "verdict", "--bundle", str(edited)], env={"COLUMNS": "200"})
    assert changed.exit_code == 1
    assert "differs" in changed.output, changed.output
    assert "OK-OUT" in changed.output


def _first_dossier(verdict: dict[str, Any], ma_lk: str) -> int:
    episode_ = next(e for e in verdict["episodes"] if e["ma_lk"] == ma_lk)
    return int(next(s["submission"] for s in episode_["submissions"] if s["kind"] == "dossier"))


def _edit_transcript(source: Path, target: Path, *, seq: int) -> None:
    """Copy the bundle with one byte of one dossier's file changed (its signature no longer holds)."""
    with zipfile.ZipFile(source) as archive, zipfile.ZipFile(target, "w") as out:
        for item in archive.infolist():
            data = archive.read(item.filename)
            if item.filename == f"transcripts/{seq:06d}.json":
                transcript = json.loads(data)
                import base64

                document = base64.b64decode(transcript["request"]["fileHSBase64"])
                document = document.replace(b"<NGAYLAP>", b"<NGAYLAP>1", 1)
                transcript["request"]["fileHSBase64"] = base64.b64encode(document).decode("ascii")
                data = json.dumps(transcript).encode()
            out.writestr(item, data)


def test_certify_usage_errors_are_one_paragraph_and_exit_2(tmp_path: Path) -> None:
    runner = CliRunner()
    cases = [
        (["certify"], "needs --open"),
        (["certify", "--open", "--patients", "x.csv"], "at least one --facility"),
        (["certify", "--open", "--facility", "7912"], "5 characters"),
        (["certify", "--open", "--facility", "79123"], "--patients"),
        (
            ["certify", "--open", "--facility", "79123", "--patients", str(tmp_path / "none.csv")],
            "cannot read",
        ),
        (["certify", "--scenario", "nope", "--facility", "79123"], "unknown scenario"),
        (["certify", "--scenario", "referral-out", "--open", "--facility", "79123"], "cannot be combined"),
        (["certify", "verdict"], "--data-dir"),
        (["certify", "verdict", "--data-dir", str(tmp_path)], "not the data directory"),
        (["certify", "verdict", "--bundle", str(tmp_path / "none.zip")], "not a certification bundle"),
    ]
    for args, words in cases:
        result = runner.invoke(app, args, env={"COLUMNS": "200"})
        assert result.exit_code == 2, (args, result.output)
        assert words in " ".join(result.output.split()), (args, result.output)
        assert "Traceback" not in result.output


def test_list_scenarios_names_every_shipped_scenario() -> None:
    result = CliRunner().invoke(app, ["certify", "--list-scenarios"], env={"COLUMNS": "250"})
    assert result.exit_code == 0, result.output
    for name in (
        "outpatient-visit",
        "inpatient-over-midnight",
        "referral-out",
        "re-exam-appointment",
        "emergency-without-checkin",
        "profile-130",
        "profile-4750",
        "profile-3176",
        "newborn-guardian",
        "correction-after-error",
        "timeout-retry",
    ):
        assert name in result.output
    assert "refuse_first_dossier" in result.output  # the gateway column
    assert "withhold_first_answer" in result.output


def test_a_scenario_session_withholds_one_answer_and_refuses_nothing_else(tmp_path: Path) -> None:
    """``--scenario timeout-retry`` served on real sockets: the first dossier of the step's patient
    is kept but its answer withheld past the HIS's timeout; the HIS resends it under the same MA_LK,
    is answered at once, and the verdict passes the step (one episode, the resend counts)."""
    data_dir, accounts = tmp_path / "session", tmp_path / "accounts.json"
    options = ("--scenario", "timeout-retry", "--withhold-seconds", "3")
    with _served(data_dir, accounts, *options) as (his, _):
        patient = PATIENTS[1]  # Trần Thị Hoa, the scenario's patient
        tables = episode(21, patient, "TO-1", FACILITY)
        card = {"GT_THE_TU": "20240101", "GT_THE_DEN": "20261231", "MA_DKBD": ""}  # the scenario's card
        for records in tables.values():
            for record in records:
                record.update({k: v for k, v in card.items() if k in record})
        assert his.send("checkin", his.checkin_bytes(tables))["maKetQua"] == "200"
        document = his.dossier_bytes(tables)
        his.client.timeout = httpx.Timeout(1.0)
        with pytest.raises(httpx.ReadTimeout):
            his.send("dossier", document)
        resent = his.send("dossier", document)  # the retry: same MA_LK, same content
        assert resent["maKetQua"] == "200"
        assert "scenario step" not in resent["thongDiep"]
        his.client.timeout = httpx.Timeout(10.0)
        _wait_for_c06(his, ["TO-1"])
        code, verdict, output = _judge(data_dir, tmp_path / "verdict.json")
    assert code == 0, output
    [step] = verdict["steps"]
    assert (step["step"], step["outcome"], step["ma_lk"]) == ("timeout", "pass", "TO-1")
    [only] = verdict["episodes"]
    dossiers = [s for s in only["submissions"] if s["kind"] == "dossier"]
    assert [(s.get("scripted", ""), s["counts"]) for s in dossiers] == [("timeout", False), ("", True)]
