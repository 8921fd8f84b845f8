"""Receiving a check-in or a dossier: authenticate, decode, verify the signature, validate,
journal, and (for accepted dossiers) queue the forward in the same transaction."""

from __future__ import annotations

import asyncio
import binascii
import secrets
import time
import weakref
from dataclasses import asdict, dataclass, field
from datetime import datetime

import orjson
from sqlalchemy import Engine, and_, select

from lienthong.profiles import validate_checkin, validate_dossier, xml130
from lienthong.profiles.base64_strict import b64decode_strict
from lienthong.profiles.validation import Violation, document_limit, parse_document, root_causes
from lienthong.simulators.clock import vn_stamp
from lienthong.simulators.faults import BhxhFault, ignores_fault
from lienthong.simulators.gateway.config import GatewayConfig
from lienthong.simulators.gateway.faults import FORWARD_FAULTS
from lienthong.simulators.gateway.journal import Entry, GroupCommit, write_entries
from lienthong.simulators.gateway.schema import certificates, submissions
from lienthong.simulators.gateway.scripted import REFUSE, WITHHOLD, apply_scripted
from lienthong.simulators.gateway.sessions import CACHE_SECONDS, Session, current_session
from lienthong.simulators.pki import canonical_verifies, signature_problem

OK, MALFORMED, RULE_BROKEN, UNAUTHENTICATED, FORBIDDEN, BAD_SIGNATURE = (
    "200",
    "400",
    "422",
    "401",
    "403",
    "125",
)
FLAGGED_LATER = frozenset({"XML1-09", "XML1-10", "XML1-11"})
"""Totals that disagree with the detail rows: the ``flags_totals_later`` variant accepts them and
flags them in the feedback."""
_ENVELOPE_RULES = {"ENV-01", "ENV-02", "ENV-03", "ENV-04", "XML0-01"}
WRONG_SUCCESS_CODE = "00"
"""What the ``wrong_success_code`` fault answers instead of 200."""
_SHOWN = 20
_KEPT = 200
HISTORY_FIELDS = (
    "MA_LK",
    "MA_CSKCB",
    "NGAY_VAO",
    "NGAY_RA",
    "CHAN_DOAN_RV",
    "MA_BENH_CHINH",
    "KET_QUA_DTRI",
    "LY_DO_VV",
    "MA_LOAI_RV",
    "MA_THE_BHYT",
)


@dataclass(frozen=True, slots=True)
class Submission:
    endpoint: str
    kind: str
    """``checkin`` or ``dossier``."""
    profile: str
    fields: dict[str, str]
    session: Session | None
    """The session :func:`authenticate` found (None only under the ``skips_token_check`` fault)."""


NO_SESSION = (
    "Chưa xác thực (unauthenticated): headers accessToken and tokenId must name a live session "
    "from /api/token/take"
)
NO_PASSWORD_HASH = (
    "Chưa xác thực (unauthenticated): header passwordHash is missing: send the MD5 of the "
    "account's password in hex, as /api/token/take takes it"
)
WRONG_PASSWORD_HASH = "Chưa xác thực (unauthenticated): header passwordHash does not match the account"


def authenticate(
    engine: Engine,
    access_token: str,
    id_token: str,
    password_hash: str,
    *,
    now: datetime,
    faults: frozenset[str],
) -> tuple[Session | None, str | None]:
    """(session, None) for the headers of a live session and its account's password hash, else
    (None, the 401 message). The regulation's submission calls take the headers accessToken,
    tokenId and passwordHash (MD5); the hash is compared without regard to case, as the token
    call's password is (the source gives the case, upper, only for that call)."""
    session = current_session(
        engine, access_token, id_token, now=now, accept_expired="accepts_expired_token" in faults
    )
    if "skips_token_check" in faults:
        return session, None
    if session is None:
        return None, NO_SESSION
    if "ignores_password_hash" in faults:
        return session, None
    if not password_hash:
        return None, NO_PASSWORD_HASH
    if not secrets.compare_digest(password_hash.upper().encode(), session.password_md5.encode()):
        return None, WRONG_PASSWORD_HASH
    return session, None


async def refuse_unauthenticated(
    journal: GroupCommit,
    config: GatewayConfig,
    endpoint: str,
    kind: str,
    profile: str,
    message: str,
    faults: frozenset[str],
) -> dict[str, str]:
    """Journal a request refused before authentication, as metadata only (its body is not even
    read: nothing of an unauthenticated sender is kept), and answer maKetQua 401."""
    now = config.clock.now()
    sub = Submission(endpoint, kind, profile, {}, None)
    outcome = Outcome(UNAUTHENTICATED, message, b"")
    entry, transaction = journal_entry(sub, outcome, now, faults)
    await journal.submit(entry)
    if outcome.withheld:  # kept and committed; the HIS is not told in time (a scenario step)
        await asyncio.sleep(outcome.withheld)
    return answer(outcome, transaction, now, faults)


@dataclass
class Outcome:
    code: str
    message: str
    payload: bytes
    ma_lk: str = ""
    signature_ok: bool | None = None
    session: Session | None = None
    violations: list[Violation] = field(default_factory=list)
    summary: dict[str, str] = field(default_factory=dict)
    withheld: float = 0.0
    """Seconds the answer is withheld after the commit (a scenario step's ``withhold_first_answer``)."""


def _rejection(violations: list[Violation], config: GatewayConfig | None = None) -> str:
    """The thongDiep of a refusal: the errors counted by root cause, their consequences shown
    after them as such (``Violation.consequence_of``); the ``other_wording`` variant words it
    otherwise, as another conformant gateway may."""
    if config is not None and "other_wording" in config.variants:
        listed = "; ".join(f"bảng {v.table}, trường {v.field}: {v.rule}" for v in violations[:_SHOWN])
        return f"Hồ sơ không hợp lệ ({len(violations)} lỗi): {listed}"
    shown = "; ".join(v.message() for v in violations[:_SHOWN])
    more = f"; and {len(violations) - _SHOWN} more" if len(violations) > _SHOWN else ""
    errors = len(root_causes(violations))
    follow = len(violations) - errors
    counted = f"{errors} error(s)" + (f" and {follow} consequence(s)" if follow else "")
    return f"Từ chối (rejected): {counted}: {shown}{more}"


def receive(
    engine: Engine, config: GatewayConfig, sub: Submission, faults: frozenset[str] | None = None
) -> dict[str, str]:
    """Judge one submission, journal it, and give the immediate answer.

    The journal row, the episode and the queued forward commit in one transaction before the
    answer is returned: a ``maKetQua`` 200 is never lost to a crash.
    """
    faults = config.faults if faults is None else faults
    now = config.clock.now()
    outcome = _judge(engine, config, sub, now, faults)
    entry, transaction = journal_entry(sub, outcome, now, faults)
    with engine.begin() as db:
        write_entries(db, [entry])
    return answer(outcome, transaction, now, faults)


async def receive_grouped(
    journal: GroupCommit, config: GatewayConfig, sub: Submission, faults: frozenset[str] | None = None
) -> dict[str, str]:
    """:func:`receive` with the write committed in a group with concurrent requests' writes; the
    answer still waits for the commit that holds this submission."""
    faults = config.faults if faults is None else faults
    now = config.clock.now()
    outcome = _judge(journal.engine, config, sub, now, faults)
    entry, transaction = journal_entry(sub, outcome, now, faults)
    await journal.submit(entry)
    if outcome.withheld:  # kept and committed; the HIS is not told in time (a scenario step)
        await asyncio.sleep(outcome.withheld)
    return answer(outcome, transaction, now, faults)


def journal_entry(
    sub: Submission, outcome: Outcome, now: datetime, faults: frozenset[str]
) -> tuple[Entry, str]:
    """What the journal keeps of a judged submission, and its transaction id (maGiaoDich)."""
    transaction = (
        "GD00000000000000000001"
        if BhxhFault.REUSES_TRANSACTION_ID in faults
        else ("GD" + secrets.token_hex(10).upper())  # 80 random bits; uuid4 cost 7x more
    )
    fields = sub.fields
    entry = Entry(
        {
            "transaction_id": transaction,
            "endpoint": sub.endpoint,
            "kind": sub.kind,
            "profile": sub.profile,
            "username": fields.get("username", ""),
            "session_facility": outcome.session.facility if outcome.session else "",
            "ma_cskcb": fields.get("maCSKCB", "")[:20],
            "loai_ho_so": fields.get("loaiHoSo", "")[:10],
            "ma_lk": outcome.ma_lk[:100],
            "result_code": outcome.code,
            "message": outcome.message,
            "received_at": now,
            "payload": outcome.payload,
            "signature_ok": outcome.signature_ok,
            "errors": orjson.dumps([asdict(v) for v in outcome.violations[:_KEPT]]).decode()
            if outcome.violations
            else "[]",
        }
    )
    if outcome.code == OK and sub.kind == "dossier" and outcome.session is not None:
        summary = {name: outcome.summary.get(name, "") for name in HISTORY_FIELDS}
        entry.episode = {
            "facility": fields.get("maCSKCB", ""),
            "ma_lk": outcome.ma_lk,
            "ma_the": outcome.summary.get("MA_THE_BHYT", "")[:20],
            "summary": orjson.dumps(summary).decode(),
        }
        entry.forward = {
            "status": "pending",
            "attempts": 0,
            "next_attempt_at": now,
            "last_error": "",
            "faults": ",".join(sorted(faults & FORWARD_FAULTS)),
        }
    return entry, transaction


def answer(outcome: Outcome, transaction: str, now: datetime, faults: frozenset[str]) -> dict[str, str]:
    """The immediate answer to a journaled submission."""
    code = (
        WRONG_SUCCESS_CODE if outcome.code == OK and BhxhFault.WRONG_SUCCESS_CODE in faults else outcome.code
    )
    stamp = now.strftime("%Y%m%d%H%M%S") if BhxhFault.ANSWER_TIME_UTC in faults else vn_stamp(now)
    return {
        "maKetQua": code,
        "maGiaoDich": transaction,
        "thoiGianTiepNhan": stamp,
        "thongDiep": outcome.message,
    }


def forget_certificates(engine: Engine) -> None:
    """Drop the memory copy of the registered certificates (after one is registered)."""
    _certificates.pop(engine, None)


def facility_certificates(engine: Engine, facility: str) -> list[bytes]:
    """The certificates registered for ``facility`` (kept in memory like the sessions are)."""
    known = _certificates.get(engine)
    if known is None:
        known = _certificates[engine] = {}
    cached = known.get(facility)
    if cached is not None and time.monotonic() - cached[0] <= CACHE_SECONDS:
        return cached[1]
    with engine.connect() as db:
        certs = [
            r.cert_pem.encode()
            for r in db.execute(select(certificates.c.cert_pem).where(certificates.c.facility == facility))
        ]
    known[facility] = (time.monotonic(), certs)
    return certs


_certificates: weakref.WeakKeyDictionary[Engine, dict[str, tuple[float, list[bytes]]]] = (
    weakref.WeakKeyDictionary()
)


def _judge(
    engine: Engine, config: GatewayConfig, sub: Submission, now: datetime, faults: frozenset[str]
) -> Outcome:
    raw = sub.fields.get("fileHSBase64", "").encode("utf-8", "replace")
    session = sub.session
    if session is not None and sub.fields.get("username", session.username) != session.username:
        return Outcome(
            FORBIDDEN,
            f"Không có quyền (unauthorised): username "
            f"{sub.fields.get('username')!r} is not the session's user",
            raw,
            session=session,
        )
    facility = sub.fields.get("maCSKCB", "")
    if not facility and BhxhFault.ACCEPTS_MALFORMED not in faults:
        return Outcome(MALFORMED, _missing("maCSKCB"), raw, session=session)
    if session is not None and facility != session.facility and BhxhFault.NO_FACILITY_CHECK not in faults:
        return Outcome(
            FORBIDDEN,
            f"Không có quyền (unauthorised): maCSKCB {facility!r} is not the "
            f"session's facility {session.facility} [API-05]",
            raw,
            session=session,
        )
    if BhxhFault.ACCEPTS_MALFORMED in faults:
        return Outcome(OK, "Tiếp nhận thành công (accepted)", raw, session=session)
    expected = xml130.LOAIHOSO_CHECKIN if sub.kind == "checkin" else xml130.LOAIHOSO_DOSSIER
    given = sub.fields.get("loaiHoSo", "")
    if given != expected and BhxhFault.IGNORES_LOAIHOSO not in faults:
        return Outcome(
            MALFORMED,
            f"Từ chối (rejected): field loaiHoSo = {given!r}: must be {expected} for {sub.endpoint} [API-08]",
            raw,
            session=session,
        )
    for name in ("username", "maTinh", "maCSKCB", "fileHSBase64"):
        if not sub.fields.get(name):
            return Outcome(MALFORMED, _missing(name), raw, session=session)
    try:
        document = b64decode_strict(raw)
    except (binascii.Error, ValueError):
        return Outcome(
            MALFORMED,
            "Từ chối (rejected): field fileHSBase64: is not valid base64 [ENV-03]",
            raw,
            session=session,
        )
    outcome = _judge_document(engine, config, sub, document, facility, session, faults)
    outcome.payload = raw  # the journal keeps exactly what was sent
    return outcome


def _missing(name: str) -> str:
    return f"Từ chối (rejected): field {name} is missing or empty (thiếu trường {name})"


def _judge_document(
    engine: Engine,
    config: GatewayConfig,
    sub: Submission,
    document: bytes,
    facility: str,
    session: Session | None,
    faults: frozenset[str],
) -> Outcome:
    # A document signed as written verifies from its bytes and is validated from them; any
    # other is parsed once, for the validation and then the signature check.
    certs = facility_certificates(engine, facility) if config.require_signature else []
    verified = bool(certs) and canonical_verifies(document, certs)
    if not verified:  # bounded work before lxml builds a tree (the validator checks it too)
        over = document_limit(document, sub.kind)
        if over is not None:
            return Outcome(MALFORMED, _rejection([over]), document, session=session, violations=[over])
    root = None if verified else parse_document(document)
    if sub.kind == "checkin":
        records, violations = validate_checkin(document, sub.profile, root=root)
        ma_lk = records[0].get("MA_LK", "") if records else ""
        summary: dict[str, str] = {}
    else:
        dossier, violations = validate_dossier(document, sub.profile, root=root, well_formed=verified)
        ma_lk = dossier.ma_lk if dossier else ""
        summary = dict((dossier.tables.get("XML1") or [{}])[0]) if dossier else {}
        if dossier is not None and dossier.facility != facility:
            violations.append(
                Violation(
                    "ENV-05",
                    "GIAMDINHHS",
                    "MACSKCB",
                    dossier.facility,
                    f"must equal the request's maCSKCB ({facility})",
                )
            )
    if faults and violations:  # the ignores_<rule> faults: a gateway that skips one rule
        violations = [v for v in violations if ignores_fault(v.requirement) not in faults]
    parse_failed = any(v.field == "(document)" for v in violations)
    signature_ok: bool | None = None
    if not parse_failed and config.require_signature:
        problem = None if verified else signature_problem(document, certs, root=root)
        signature_ok = problem is None
        if problem and BhxhFault.SIGNATURE_NOT_CHECKED not in faults:
            return Outcome(
                BAD_SIGNATURE,
                f"Ký sai, file gốc có thể đã bị chỉnh sửa (bad signature): {problem} [SIG-02]",
                document,
                ma_lk,
                False,
                session,
            )
    if (
        not violations
        and sub.kind == "dossier"
        and needs_checkin(config, summary, faults)
        and not checked_in(engine, facility, ma_lk)
    ):
        violations = [
            Violation(
                "XML0-06",
                "XML1",
                "MA_LK",
                ma_lk,
                "no check-in (XML0) was accepted for this MA_LK: a non-emergency visit is checked in "
                "right after its first cost, before its dossier",
            )
        ]
    if (
        not violations
        and sub.kind == "dossier"
        and BhxhFault.REFUSES_RESEND in faults
        and _seen(engine, facility, ma_lk)
    ):
        violations = [Violation("KEY-01", "XML1", "MA_LK", ma_lk, "was received before")]
    if (
        violations
        and "flags_totals_later" in config.variants
        and {v.requirement for v in violations} <= FLAGGED_LATER
    ):
        return Outcome(  # accepted now; the feedback lists the errors (TT 12/2026 Đ9 k2: within 48 h)
            OK, "Tiếp nhận thành công (accepted)", document, ma_lk, signature_ok, session, violations, summary
        )
    if violations:
        code = MALFORMED if any(v.requirement in _ENVELOPE_RULES for v in violations) else RULE_BROKEN
        return Outcome(
            code,
            _rejection(violations, config),
            document,
            ma_lk,
            signature_ok,
            session,
            violations=violations,
        )
    if config.scripted and sub.kind == "dossier":
        behaviour, message, errors = apply_scripted(config.scripted, ma_lk, summary)
        if behaviour == REFUSE:
            return Outcome(RULE_BROKEN, message, document, ma_lk, signature_ok, session, violations=errors)
        if behaviour == WITHHOLD:
            return Outcome(
                OK,
                message,
                document,
                ma_lk,
                signature_ok,
                session,
                summary=summary,
                withheld=config.withhold_seconds,
            )
    return Outcome(
        OK, "Tiếp nhận thành công (accepted)", document, ma_lk, signature_ok, session, summary=summary
    )


def needs_checkin(config: GatewayConfig, summary: dict[str, str], faults: frozenset[str]) -> bool:
    """Whether this dossier's visit must have been checked in: a BHYT visit (a card is given) that
    is not an emergency (MA_DOITUONG_KCB 2) (QĐ 130 Đ3 k1 [V]; QĐ 4750 Đ2 k2 [S])."""
    return (
        config.require_checkin
        and bool(summary.get("MA_THE_BHYT"))
        and summary.get("MA_DOITUONG_KCB") != "2"
        and ignores_fault("XML0-06") not in faults
    )


def checked_in(engine: Engine, facility: str, ma_lk: str) -> bool:
    """Whether a check-in of ``ma_lk`` by ``facility`` was accepted (and journaled)."""
    query = (
        select(submissions.c.id)
        .where(
            and_(
                submissions.c.ma_lk == ma_lk,
                submissions.c.kind == "checkin",
                submissions.c.result_code == OK,
                submissions.c.session_facility == facility,
            )
        )
        .limit(1)
    )
    with engine.connect() as db:
        return db.execute(query).first() is not None


def _seen(engine: Engine, facility: str, ma_lk: str) -> bool:
    """Whether a dossier of ``ma_lk`` by ``facility`` was accepted before (the ``refuses_resend`` fault)."""
    query = select(submissions.c.id).where(
        submissions.c.ma_lk == ma_lk,
        submissions.c.kind == "dossier",
        submissions.c.result_code == OK,
        submissions.c.session_facility == facility,
    )
    with engine.connect() as db:
        return db.execute(query.limit(1)).first() is not None
