"""Receiving a check-in or a dossier: authenticate, decode, verify the signature, validate,
journal, and (for accepted dossiers) queue the forward in the same transaction."""

from __future__ import annotations

import base64
import binascii
import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, insert, select, update

from lienthong.profiles import validate_checkin, validate_dossier, xml130
from lienthong.profiles.validation import Violation
from lienthong.simulators.clock import vn_stamp
from lienthong.simulators.gateway.config import GatewayConfig
from lienthong.simulators.gateway.schema import certificates, episodes, outbox, submissions
from lienthong.simulators.gateway.sessions import Session, current_session
from lienthong.simulators.pki import signature_problem

OK, MALFORMED, RULE_BROKEN, UNAUTHENTICATED, FORBIDDEN, BAD_SIGNATURE = "200", "400", "422", "401", "403", "125"
_ENVELOPE_RULES = {"ENV-01", "ENV-02", "ENV-03", "ENV-04", "XML0-01"}
_SHOWN = 20


@dataclass(frozen=True, slots=True)
class Submission:
    endpoint: str
    kind: str
    """``checkin`` or ``dossier``."""
    profile: str
    fields: dict[str, str]
    access_token: str
    id_token: str
    password_hash: str


@dataclass
class Outcome:
    code: str
    message: str
    payload: bytes
    ma_lk: str = ""
    signature_ok: bool | None = None
    session: Session | None = None


def _rejection(violations: list[Violation]) -> str:
    shown = "; ".join(v.message() for v in violations[:_SHOWN])
    more = f"; and {len(violations) - _SHOWN} more" if len(violations) > _SHOWN else ""
    return f"Từ chối (rejected): {len(violations)} error(s): {shown}{more}"


def receive(engine: Engine, config: GatewayConfig, sub: Submission) -> dict[str, str]:
    """Judge one submission, journal it, and give the immediate answer."""
    now = config.clock.now()
    outcome = _judge(engine, config, sub, now)
    transaction = "GD00000000000000000001" if "reuses_transaction_id" in config.faults else (
        "GD" + uuid.uuid4().hex[:20].upper())
    with engine.begin() as db:
        row_id = db.execute(insert(submissions).values(
            transaction_id=transaction, endpoint=sub.endpoint, kind=sub.kind, profile=sub.profile,
            username=sub.fields.get("username", ""),
            session_facility=outcome.session.facility if outcome.session else "",
            ma_cskcb=sub.fields.get("maCSKCB", "")[:20], loai_ho_so=sub.fields.get("loaiHoSo", "")[:10],
            ma_lk=outcome.ma_lk[:100], result_code=outcome.code, message=outcome.message,
            received_at=now, payload=outcome.payload, signature_ok=outcome.signature_ok,
        )).inserted_primary_key[0]
        if outcome.code == OK and sub.kind == "dossier" and outcome.session is not None:
            facility = sub.fields.get("maCSKCB", "")
            existing = db.execute(select(episodes.c.id).where(
                episodes.c.facility == facility, episodes.c.ma_lk == outcome.ma_lk)).first()
            if existing is None:
                db.execute(insert(episodes).values(facility=facility, ma_lk=outcome.ma_lk,
                                                   submission_id=row_id, versions=1))
            else:  # a replacement dossier for the same episode (late results, payment time)
                db.execute(update(episodes).where(episodes.c.id == existing.id).values(
                    submission_id=row_id, versions=episodes.c.versions + 1))
            db.execute(insert(outbox).values(submission_id=row_id, status="pending", attempts=0,
                                             next_attempt_at=now, last_error=""))
    stamp = now.strftime("%Y%m%d%H%M%S") if "answer_time_utc" in config.faults else vn_stamp(now)
    return {"maKetQua": outcome.code, "maGiaoDich": transaction, "thoiGianTiepNhan": stamp,
            "thongDiep": outcome.message}


def _judge(engine: Engine, config: GatewayConfig, sub: Submission, now: datetime) -> Outcome:
    raw = sub.fields.get("fileHSBase64", "").encode("utf-8", "replace")
    session = current_session(engine, sub.access_token, sub.id_token, now=now)
    if session is None and "skips_token_check" not in config.faults:
        return Outcome(UNAUTHENTICATED, "Chưa xác thực (unauthenticated): headers accessToken and "
                       "tokenId must name a live session from /api/token/take", raw)
    if session is not None and sub.password_hash and sub.password_hash.upper() != session.password_md5:
        return Outcome(UNAUTHENTICATED, "Chưa xác thực (unauthenticated): header passwordHash does not "
                       "match the account", raw, session=session)
    if session is not None and sub.fields.get("username", session.username) != session.username:
        return Outcome(FORBIDDEN, f"Không có quyền (unauthorised): username "
                       f"{sub.fields.get('username')!r} is not the session's user", raw, session=session)
    facility = sub.fields.get("maCSKCB", "")
    if session is not None and facility != session.facility and "no_facility_check" not in config.faults:
        return Outcome(FORBIDDEN, f"Không có quyền (unauthorised): maCSKCB {facility!r} is not the "
                       f"session's facility {session.facility} [API-05]", raw, session=session)
    if "accepts_malformed" in config.faults:
        return Outcome(OK, "Tiếp nhận thành công (accepted)", raw, session=session)
    expected = xml130.LOAIHOSO_CHECKIN if sub.kind == "checkin" else xml130.LOAIHOSO_DOSSIER
    given = sub.fields.get("loaiHoSo", "")
    if given != expected and "ignores_loaihoso" not in config.faults:
        return Outcome(MALFORMED, f"Từ chối (rejected): field loaiHoSo = {given!r}: must be {expected} "
                       f"for {sub.endpoint} [API-08]", raw, session=session)
    for name in ("username", "maTinh", "maCSKCB", "fileHSBase64"):
        if not sub.fields.get(name):
            return Outcome(MALFORMED, f"Từ chối (rejected): field {name} is missing or empty", raw,
                           session=session)
    try:
        document = base64.b64decode(raw, validate=True)
    except (binascii.Error, ValueError):
        return Outcome(MALFORMED, "Từ chối (rejected): field fileHSBase64: is not valid base64 "
                       "[ENV-03]", raw, session=session)
    outcome = _judge_document(engine, config, sub, document, facility, session)
    outcome.payload = raw  # the journal keeps exactly what was sent
    return outcome


def _judge_document(engine: Engine, config: GatewayConfig, sub: Submission, document: bytes,
                    facility: str, session: Session | None) -> Outcome:
    if sub.kind == "checkin":
        records, violations = validate_checkin(document, sub.profile)
        ma_lk = records[0].get("MA_LK", "") if records else ""
    else:
        dossier, violations = validate_dossier(document, sub.profile)
        ma_lk = dossier.ma_lk if dossier else ""
        if dossier is not None and dossier.facility != facility:
            violations.append(Violation("ENV-05", "GIAMDINHHS", "MACSKCB", dossier.facility,
                                        f"must equal the request's maCSKCB ({facility})"))
    parse_failed = any(v.field == "(document)" for v in violations)
    signature_ok: bool | None = None
    if not parse_failed and config.require_signature:
        with engine.connect() as db:
            certs = [r.cert_pem.encode() for r in db.execute(
                select(certificates.c.cert_pem).where(certificates.c.facility == facility))]
        problem = signature_problem(document, certs)
        signature_ok = problem is None
        if problem and "signature_not_checked" not in config.faults:
            return Outcome(BAD_SIGNATURE, f"Ký sai, file gốc có thể đã bị chỉnh sửa (bad signature): "
                           f"{problem} [SIG-02]", document, ma_lk, False, session)
    if violations:
        code = MALFORMED if any(v.requirement in _ENVELOPE_RULES for v in violations) else RULE_BROKEN
        return Outcome(code, _rejection(violations), document, ma_lk, signature_ok, session)
    return Outcome(OK, "Tiếp nhận thành công (accepted)", document, ma_lk, signature_ok, session)
