"""The fault catalogue: every named way a simulated actor can misbehave on purpose.

A conformance check is proven by failing against its fault and passing against the conformant
simulator. Faults are chosen per actor in the network configuration.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass

from lienthong.profiles.mutations import MUTATIONS, enforced_rules


class Fault(str):
    """A named fault of one actor. The name is the string itself, so a set of chosen faults can
    hold constants (``BhxhFault.ACCEPTS_MALFORMED``) and names read from a header alike."""

    actor: str
    summary: str

    def __new__(cls, name: str, actor: str, summary: str) -> Fault:
        made = super().__new__(cls, name)
        made.actor, made.summary = actor, summary
        return made

    @property
    def name(self) -> str:
        return str.__str__(self)

    def __repr__(self) -> str:
        return f"Fault({self.name!r}, {self.actor!r})"


class BhxhFault:
    """Faults of the simulated BHXH gateway."""

    TOKEN_MISSING_FIELDS = Fault(
        "token_missing_fields", "bhxh", "the token answer omits id_token and expires_in"
    )
    ACCEPTS_ANY_PASSWORD = Fault("accepts_any_password", "bhxh", "issues a token whatever the password")
    SKIPS_TOKEN_CHECK = Fault("skips_token_check", "bhxh", "accepts submissions without a valid session")
    ANSWER_TIME_UTC = Fault(
        "answer_time_utc", "bhxh", "writes thoiGianTiepNhan in UTC instead of Vietnam time"
    )
    NO_FACILITY_CHECK = Fault(
        "no_facility_check", "bhxh", "lets a facility submit for another facility's code"
    )
    ACCEPTS_MALFORMED = Fault(
        "accepts_malformed", "bhxh", "stores submissions without checking base64, XML or rules"
    )
    REUSES_TRANSACTION_ID = Fault(
        "reuses_transaction_id", "bhxh", "answers every submission with the same maGiaoDich"
    )
    IGNORES_LOAIHOSO = Fault("ignores_loaihoso", "bhxh", "does not check loaiHoSo against the endpoint")
    SIGNATURE_NOT_CHECKED = Fault(
        "signature_not_checked", "bhxh", "accepts dossiers whatever their signature"
    )
    DROPS_FORWARD = Fault("drops_forward", "bhxh", "marks dossiers forwarded without sending them on")
    FORWARDS_UNVERIFIED = Fault(
        "forwards_unverified", "bhxh", "forwards visits whose identity C06 did not verify"
    )
    ACCEPTS_EXPIRED_TOKEN = Fault(
        "accepts_expired_token", "bhxh", "accepts submissions and lookups on an expired session"
    )
    SERVER_ERROR = Fault(
        "server_error", "bhxh", "answers HTTP 503 with an HTML page instead of the JSON answer"
    )
    SLOW_ANSWER = Fault(
        "slow_answer", "bhxh", "answers each submission only after a delay (slow_seconds, 2.1 s)"
    )
    HANGS_AFTER_COMMIT = Fault(
        "hangs_after_commit", "bhxh", "stores the submission, then withholds the answer past timeouts"
    )
    WRONG_SUCCESS_CODE = Fault(
        "wrong_success_code", "bhxh", "answers an accepted submission with maKetQua 00 instead of 200"
    )
    REORDERS_FORWARDS = Fault(
        "reorders_forwards", "bhxh", "forwards newest first, so a replacement is overwritten"
    )
    LOOKUP_OTHER_PATIENT = Fault(
        "lookup_other_patient", "bhxh", "the card lookup answers with another patient's card and data"
    )
    LOOKUP_ALWAYS_VALID = Fault(
        "lookup_always_valid", "bhxh", "card lookup answers 000, checking no name, birth date or status"
    )
    LOOKUP_IGNORES_EXPIRY = Fault(
        "lookup_ignores_expiry", "bhxh", "the card lookup answers 000 for a card past its validity"
    )
    LOOKUP_SKIPS_TOKEN = Fault(
        "lookup_skips_token", "bhxh", "the card lookup answers without a valid session"
    )
    HISTORY_DROPS_VISITS = Fault(
        "history_drops_visits", "bhxh", "the card lookup's visit history (dsLichSuKCB2018) lists no visit"
    )
    HISTORY_ALL_PATIENTS = Fault(
        "history_all_patients", "bhxh", "the visit history lists every patient's visits at the facility"
    )
    HISTORY_DUPLICATES = Fault(
        "history_duplicates", "bhxh", "the visit history lists each visit once per version received"
    )
    REFUSES_RESEND = Fault(
        "refuses_resend", "bhxh", "refuses a dossier whose MA_LK was accepted before (no replacement)"
    )
    IGNORES_PASSWORD_HASH = Fault(
        "ignores_password_hash", "bhxh", "accepts submissions whatever the passwordHash header says"
    )
    FEEDBACK_ANY_FACILITY = Fault(
        "feedback_any_facility", "bhxh", "the feedback API shows any facility's results to any session"
    )
    NO_BODY_LIMIT = Fault("no_body_limit", "bhxh", "takes a request body of any size")


class C06Fault:
    """Faults of the simulated C06 identity node."""

    ALWAYS_MATCH = Fault("always_match", "c06", "answers match to every identity check")
    LEAKS_PERSONAL_DATA = Fault(
        "leaks_personal_data", "c06", "returns the citizen's address and phone with the answer"
    )
    VERIFIES_INACTIVE = Fault(
        "verifies_inactive", "c06", "answers match for deceased citizens and cancelled ID numbers"
    )


class MohFault:
    """Faults of the simulated MoH health-book store."""

    BOOK_NOT_FHIR = Fault(
        "book_not_fhir", "moh", "serves the health book as plain JSON instead of a FHIR Bundle"
    )
    DROPS_VISITS = Fault("drops_visits", "moh", "acknowledges forwarded visits without keeping them")
    CROSS_PATIENT_READ = Fault(
        "cross_patient_read", "moh", "lets a citizen token read another patient's book"
    )
    NO_TREATMENT_CHECK = Fault(
        "no_treatment_check", "moh", "lets a facility read any patient's book, treated or not"
    )
    IGNORES_SCOPES = Fault(
        "ignores_scopes", "moh", "serves a facility resource types its token has no scope for"
    )
    ACCEPTS_EXPIRED_TOKENS = Fault(
        "accepts_expired_tokens", "moh", "accepts expired citizen and facility tokens"
    )
    SHOWS_RESTRICTED = Fault(
        "shows_restricted", "moh", "shows restricted data (the HIV record, XML6) on citizen views"
    )
    READS_NOT_LOGGED = Fault("reads_not_logged", "moh", "serves reads without writing them to the access log")
    LATE_VISIBILITY = Fault("late_visibility", "moh", "makes a visit visible on VNeID 25 h after storing it")
    KSK_ACCEPTS_UNSIGNED = Fault(
        "ksk_accepts_unsigned", "moh", "accepts KSK pushes whatever their signatures"
    )


class HospitalFault:
    """Faults of the simulated hospital (HIS): each breaks the named rule in what it sends."""

    ENVELOPE_WRONG_ROOT = Fault("envelope_wrong_root", "hospital", "dossier root is not GIAMDINHHS")
    WRONG_LOAIHOSO = Fault("wrong_loaihoso", "hospital", "a FILEHOSO declares LOAIHOSO XML99")
    BAD_BASE64 = Fault("bad_base64", "hospital", "NOIDUNGFILE is not base64")
    TWO_HOSO = Fault("two_hoso", "hospital", "two HOSO in one file")
    ENVELOPE_FACILITY_MISMATCH = Fault(
        "envelope_facility_mismatch", "hospital", "MACSKCB of the envelope differs from XML1"
    )
    WRONG_LOAIHOSO_PARAM = Fault("wrong_loaihoso_param", "hospital", "sends the dossier with loaiHoSo=0")
    CHECKIN_WRONG_ROOT = Fault(
        "checkin_wrong_root", "hospital", "check-in root is not CHI_TIEU_TRANG_THAI_KCB"
    )
    CHECKIN_OVERSIZE = Fault("checkin_oversize", "hospital", "check-in MA_DICH_VU longer than 50 characters")
    CHECKIN_MISSING_REQUIRED = Fault("checkin_missing_required", "hospital", "check-in without MA_BN")
    CHECKIN_TWO_FIRST_COSTS = Fault(
        "checkin_two_first_costs", "hospital", "check-in names both a service and a drug"
    )
    CHECKIN_ADMISSION_BEFORE_ARRIVAL = Fault(
        "checkin_admission_before_arrival", "hospital", "NGAY_VAO_NOI_TRU before NGAY_VAO"
    )
    NO_CHECKIN = Fault("no_checkin", "hospital", "sends the dossier without a check-in first")
    BAD_TIME_FORMAT = Fault("bad_time_format", "hospital", "NGAY_VAO holds minute 60 (not a valid time)")
    BAD_CARD_DATE = Fault("bad_card_date", "hospital", "GT_THE_DEN written as 31/12/26")
    SUMMARY_OVERSIZE = Fault("summary_oversize", "hospital", "XML1 MA_KHOA longer than 50 characters")
    SUMMARY_MISSING_REQUIRED = Fault("summary_missing_required", "hospital", "XML1 without CHAN_DOAN_RV")
    DISCHARGE_BEFORE_ARRIVAL = Fault("discharge_before_arrival", "hospital", "NGAY_RA before NGAY_VAO")
    WRONG_FUND_ARITHMETIC = Fault("wrong_fund_arithmetic", "hospital", "T_BHTT is not T_TONGCHI_BH - T_BNCCT")
    TWO_MAIN_DIAGNOSES = Fault("two_main_diagnoses", "hospital", "MA_BENH_CHINH holds two codes")
    BAD_CODE = Fault("bad_code", "hospital", "KET_QUA_DTRI is 9, not in its code list")
    MA_LK_MISMATCH = Fault("ma_lk_mismatch", "hospital", "XML2 rows carry another MA_LK")
    BAD_CCCD_PROVINCE = Fault("bad_cccd_province", "hospital", "SO_CCCD starts with 999")
    CCCD_SEX_MISMATCH = Fault("cccd_sex_mismatch", "hospital", "SO_CCCD's fourth digit contradicts GIOI_TINH")
    BAD_CARD = Fault("bad_card", "hospital", "MA_THE_BHYT has benefit digit 7")
    BAD_FACILITY_CODE = Fault("bad_facility_code", "hospital", "check-in MA_DKBD is not a facility code")
    UNSIGNED = Fault("unsigned", "hospital", "sends dossiers with an empty CHUKYDONVI")
    TAMPERED_AFTER_SIGNING = Fault(
        "tampered_after_signing", "hospital", "changes the dossier after signing it"
    )


def _members(namespace: type) -> tuple[Fault, ...]:
    return tuple(v for v in vars(namespace).values() if isinstance(v, Fault))


_CATALOGUE: tuple[Fault, ...] = (
    _members(BhxhFault) + _members(C06Fault) + _members(MohFault) + _members(HospitalFault)
)


def breaks_fault(req_id: str) -> str:
    """The hospital fault that sends a dossier breaking exactly ``req_id`` (``breaks_xml1_08``)."""
    return "breaks_" + req_id.lower().replace("-", "_")


# One hospital fault per validator rule: a rich sample dossier mutated to break exactly that rule
# (``profiles.mutations``), so every data rule's sender check can be proven able to fail.
BREAKS = {breaks_fault(req_id): req_id for req_id in sorted(MUTATIONS)}
_CATALOGUE += tuple(
    Fault(name, "hospital", f"sends a dossier that breaks exactly {req_id}")
    for name, req_id in BREAKS.items()
)


def ignores_fault(req_id: str) -> str:
    """The gateway fault that skips exactly rule ``req_id`` (``ignores_xml1_04``): it accepts what
    breaks it, and only it."""
    return "ignores_" + req_id.lower().replace("-", "_")


# One gateway fault per rule the gateway must enforce (catalogue column gateway_duty): each server
# check generated for a rule is proven by the gateway that skips exactly that rule.
IGNORES = {ignores_fault(req_id): req_id for req_id in enforced_rules()}
_CATALOGUE += tuple(
    Fault(name, "bhxh", f"accepts a submission that breaks {req_id} (skips exactly that rule)")
    for name, req_id in IGNORES.items()
)
FAULTS = {fault.name: fault for fault in _CATALOGUE}
ACTORS = ("bhxh", "c06", "moh", "hospital")


@dataclass(frozen=True, slots=True)
class Variant:
    """A legal variation of an actor's behaviour: something the regulation also allows. The suite
    must pass on every variant as on the plain simulator (DESIGN decision 4)."""

    name: str
    actor: str
    summary: str


class GatewayVariant:
    """Conformant variants of the simulated BHXH gateway."""

    ANSWERS_051 = Variant(
        "answers_051", "bhxh", "the card look-up answers 051 (wrong card code) where 205 is also allowed"
    )
    OTHER_WORDING = Variant(
        "other_wording", "bhxh", "refusals worded otherwise: Vietnamese only, no requirement IDs"
    )
    UNKNOWN_POPULATION = Variant(
        "unknown_population",
        "bhxh",
        "knows none of lienthong's population (a real gateway without a patients file)",
    )
    SLOWER = Variant("slower", "bhxh", "answers each submission 0.1 s later, well within the limits")
    FLAGS_TOTALS_LATER = Variant(
        "flags_totals_later",
        "bhxh",
        "accepts a dossier whose totals disagree with its detail rows, and flags it in the feedback "
        "(TT 12/2026 Đ9 k2 allows 48 h for that feedback)",
    )


VARIANTS = {v.name: v for v in vars(GatewayVariant).values() if isinstance(v, Variant)}


class UnknownFault(ValueError):
    """A fault name that is not in the catalogue for that actor."""


def faults_for(actor: str) -> list[Fault]:
    """The faults an actor can be given."""
    return [fault for fault in _CATALOGUE if fault.actor == actor]


def fault_set(actor: str, names: Iterable[str]) -> frozenset[str]:
    """Validate fault names for ``actor``; a typo gets a "did you mean" and the valid list."""
    valid = {fault.name for fault in faults_for(actor)}
    chosen = frozenset(names)
    for name in chosen - valid:
        close = difflib.get_close_matches(name, valid, n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        raise UnknownFault(f"unknown {actor} fault {name!r}.{hint} Valid: {', '.join(sorted(valid))}")
    return chosen
