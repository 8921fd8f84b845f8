"""Reading a certification session's data directory: its gateway journal as transcripts, its
session facts and its patients file (the composition root reads the simulated gateway's tables;
the verdict itself sees only transcripts)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, select

from lienthong.conformance.cli._certify_session import (
    JOURNAL_FILE,
    PATIENTS_FILE,
    SCENARIO_FILE,
    SESSION_FILE,
)
from lienthong.conformance.traffic.certification import SessionFacts
from lienthong.conformance.traffic.session_deadline import parse_deadline
from lienthong.conformance.traffic.transcripts import Transcript
from lienthong.profiles.patients import Patient, parse_patients
from lienthong.profiles.scenarios import Scenario, parse_scenario
from lienthong.simulators.gateway.schema import certificates, outbox, submissions

_REASONED = {"identity_rejected", "failed"}


class SessionDirError(ValueError):
    """The data directory is not a certification session's; the message says what is missing."""


@dataclass
class SessionRecord:
    """Everything the verdict judges, read from a data directory or a bundle."""

    session: dict[str, Any]
    transcripts: list[Transcript]
    certificates: dict[str, list[bytes]]
    patients_bytes: bytes
    scenario_bytes: bytes = b""
    """The scenario file the session ran (empty: an open session)."""

    def scenario(self) -> Scenario | None:
        if not self.scenario_bytes:
            return None
        found = parse_scenario(self.scenario_bytes, "the session's scenario")
        recorded = (self.session.get("scenario") or {}).get("sha256")
        if recorded and recorded != found.sha256:
            raise SessionDirError(
                f"the session's scenario file does not have the SHA-256 the session recorded ({recorded})"
            )
        return found

    def patients(self) -> list[Patient]:
        text = self.patients_bytes.decode("utf-8-sig")
        return parse_patients(text.splitlines(keepends=True), source="the session's patients file")

    def facts(self, deadline_override: str = "") -> SessionFacts:
        stopped = self.session.get("stopped_at")
        return SessionFacts(
            tuple(self.session.get("facilities", [])),
            self.certificates,
            _aware(str(self.session["opened_at"])),
            _aware(str(stopped)) if stopped else None,
            parse_deadline(deadline_override or str(self.session.get("dossier_deadline", ""))),
        )


def _aware(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def read_session_dir(data_dir: Path) -> SessionRecord:
    session_path, journal = data_dir / SESSION_FILE, data_dir / JOURNAL_FILE
    if not session_path.exists() or not journal.exists():
        raise SessionDirError(
            f"{data_dir} is not the data directory of a certification session "
            f"(no {SESSION_FILE} or {JOURNAL_FILE})"
        )
    session = json.loads(session_path.read_text(encoding="utf-8"))
    engine = create_engine(f"sqlite:///file:{journal.resolve()}?mode=ro&uri=true")
    try:
        transcripts, certs = read_journal(engine)
    finally:
        engine.dispose()
    patients_path, scenario_path = data_dir / PATIENTS_FILE, data_dir / SCENARIO_FILE
    return SessionRecord(
        session,
        transcripts,
        certs,
        patients_path.read_bytes() if patients_path.exists() else b"",
        scenario_path.read_bytes() if scenario_path.exists() else b"",
    )


def read_journal(engine: Engine) -> tuple[list[Transcript], dict[str, list[bytes]]]:
    """Every journaled submission as a transcript (with its forward's outcome), and the
    certificates registered per facility, from a gateway's database."""
    with engine.connect() as db:
        rows = db.execute(
            select(submissions, outbox.c.status.label("forward"), outbox.c.last_error.label("reason"))
            .outerjoin(outbox, outbox.c.submission_id == submissions.c.id)
            .order_by(submissions.c.id)
        ).all()
        certs: dict[str, list[bytes]] = {}
        for row in db.execute(select(certificates.c.facility, certificates.c.cert_pem)):
            certs.setdefault(row.facility, []).append(row.cert_pem.encode("ascii"))
    transcripts = [
        Transcript(
            row.id,
            row.endpoint,
            row.kind,
            row.profile,
            row.username,
            row.ma_cskcb,
            row.loai_ho_so,
            bytes(row.payload).decode("ascii", "replace"),
            _aware(str(row.received_at)).isoformat(),
            row.result_code,
            row.transaction_id or "",
            row.message,
            row.forward or "",
            (row.reason or "") if row.forward in _REASONED else "",
        )
        for row in rows
    ]
    return transcripts, certs
