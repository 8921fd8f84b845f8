"""The fault catalogue: every named way a simulated actor can misbehave on purpose.

A conformance check is proven by failing against its fault and passing against the conformant
simulator. Faults are chosen per actor in the network configuration.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass

from lienthong.profiles.mutations import MUTATIONS, enforced_rules


@dataclass(frozen=True, slots=True)
class Fault:
    name: str
    actor: str
    summary: str


_CATALOGUE: tuple[Fault, ...] = (
    # BHXH gateway
    Fault("token_missing_fields", "bhxh", "the token answer omits id_token and expires_in"),
    Fault("accepts_any_password", "bhxh", "issues a token whatever the password"),
    Fault("skips_token_check", "bhxh", "accepts submissions without a valid session"),
    Fault("answer_time_utc", "bhxh", "writes thoiGianTiepNhan in UTC instead of Vietnam time"),
    Fault("no_facility_check", "bhxh", "lets a facility submit for another facility's code"),
    Fault("accepts_malformed", "bhxh", "stores submissions without checking base64, XML or rules"),
    Fault("reuses_transaction_id", "bhxh", "answers every submission with the same maGiaoDich"),
    Fault("ignores_loaihoso", "bhxh", "does not check loaiHoSo against the endpoint"),
    Fault("signature_not_checked", "bhxh", "accepts dossiers whatever their signature"),
    Fault("drops_forward", "bhxh", "marks dossiers forwarded without sending them on"),
    Fault("forwards_unverified", "bhxh", "forwards visits whose identity C06 did not verify"),
    Fault("accepts_expired_token", "bhxh", "accepts submissions and lookups on an expired session"),
    Fault("server_error", "bhxh", "answers HTTP 503 with an HTML page instead of the JSON answer"),
    Fault("slow_answer", "bhxh", "answers each submission only after a delay (slow_seconds, 2.1 s)"),
    Fault("hangs_after_commit", "bhxh", "stores the submission, then withholds the answer past timeouts"),
    Fault("wrong_success_code", "bhxh", "answers an accepted submission with maKetQua 00 instead of 200"),
    Fault("reorders_forwards", "bhxh", "forwards newest first, so a replacement is overwritten"),
    Fault("lookup_other_patient", "bhxh", "the card lookup answers with another patient's card and data"),
    Fault("lookup_always_valid", "bhxh", "card lookup answers 000, checking no name, birth date or status"),
    Fault("lookup_ignores_expiry", "bhxh", "the card lookup answers 000 for a card past its validity"),
    Fault("lookup_skips_token", "bhxh", "the card lookup answers without a valid session"),
    Fault("history_drops_visits", "bhxh", "the card lookup's visit history (dsLichSuKCB2018) lists no visit"),
    Fault("history_all_patients", "bhxh", "the visit history lists every patient's visits at the facility"),
    Fault("history_duplicates", "bhxh", "the visit history lists each visit once per version received"),
    Fault("refuses_resend", "bhxh", "refuses a dossier whose MA_LK was accepted before (no replacement)"),
    Fault("ignores_password_hash", "bhxh", "accepts submissions whatever the passwordHash header says"),
    Fault("no_body_limit", "bhxh", "takes a request body of any size"),
    # C06
    Fault("always_match", "c06", "answers match to every identity check"),
    Fault("leaks_personal_data", "c06", "returns the citizen's address and phone with the answer"),
    Fault("verifies_inactive", "c06", "answers match for deceased citizens and cancelled ID numbers"),
    # MoH store
    Fault("book_not_fhir", "moh", "serves the health book as plain JSON instead of a FHIR Bundle"),
    Fault("drops_visits", "moh", "acknowledges forwarded visits without keeping them"),
    Fault("cross_patient_read", "moh", "lets a citizen token read another patient's book"),
    Fault("no_treatment_check", "moh", "lets a facility read any patient's book, treated or not"),
    Fault("ignores_scopes", "moh", "serves a facility resource types its token has no scope for"),
    Fault("accepts_expired_tokens", "moh", "accepts expired citizen and facility tokens"),
    Fault("shows_restricted", "moh", "shows restricted data (the HIV record, XML6) on citizen views"),
    Fault("reads_not_logged", "moh", "serves reads without writing them to the access log"),
    Fault("late_visibility", "moh", "makes a visit visible on VNeID 25 h after storing it"),
    Fault("ksk_accepts_unsigned", "moh", "accepts KSK pushes whatever their signatures"),
    # Hospital (sender): each breaks the named rule in what it sends
    Fault("envelope_wrong_root", "hospital", "dossier root is not GIAMDINHHS"),
    Fault("wrong_loaihoso", "hospital", "a FILEHOSO declares LOAIHOSO XML99"),
    Fault("bad_base64", "hospital", "NOIDUNGFILE is not base64"),
    Fault("two_hoso", "hospital", "two HOSO in one file"),
    Fault("envelope_facility_mismatch", "hospital", "MACSKCB of the envelope differs from XML1"),
    Fault("wrong_loaihoso_param", "hospital", "sends the dossier with loaiHoSo=0"),
    Fault("checkin_wrong_root", "hospital", "check-in root is not CHI_TIEU_TRANG_THAI_KCB"),
    Fault("checkin_oversize", "hospital", "check-in MA_DICH_VU longer than 50 characters"),
    Fault("checkin_missing_required", "hospital", "check-in without MA_BN"),
    Fault("checkin_two_first_costs", "hospital", "check-in names both a service and a drug"),
    Fault("checkin_admission_before_arrival", "hospital", "NGAY_VAO_NOI_TRU before NGAY_VAO"),
    Fault("no_checkin", "hospital", "sends the dossier without a check-in first"),
    Fault("bad_time_format", "hospital", "NGAY_VAO holds minute 60 (not a valid time)"),
    Fault("bad_card_date", "hospital", "GT_THE_DEN written as 31/12/26"),
    Fault("summary_oversize", "hospital", "XML1 MA_KHOA longer than 50 characters"),
    Fault("summary_missing_required", "hospital", "XML1 without CHAN_DOAN_RV"),
    Fault("discharge_before_arrival", "hospital", "NGAY_RA before NGAY_VAO"),
    Fault("wrong_fund_arithmetic", "hospital", "T_BHTT is not T_TONGCHI_BH - T_BNCCT"),
    Fault("two_main_diagnoses", "hospital", "MA_BENH_CHINH holds two codes"),
    Fault("bad_code", "hospital", "KET_QUA_DTRI is 9, not in its code list"),
    Fault("ma_lk_mismatch", "hospital", "XML2 rows carry another MA_LK"),
    Fault("bad_cccd_province", "hospital", "SO_CCCD starts with 999"),
    Fault("cccd_sex_mismatch", "hospital", "SO_CCCD's fourth digit contradicts GIOI_TINH"),
    Fault("bad_card", "hospital", "MA_THE_BHYT has benefit digit 7"),
    Fault("bad_facility_code", "hospital", "check-in MA_DKBD is not a facility code"),
    Fault("unsigned", "hospital", "sends dossiers with an empty CHUKYDONVI"),
    Fault("tampered_after_signing", "hospital", "changes the dossier after signing it"),
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
