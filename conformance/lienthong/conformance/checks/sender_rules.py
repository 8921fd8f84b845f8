"""What the hospital sent, judged rule by rule: one check per data requirement of the validator,
plus check-in ordering (XML0-06), loaiHoSo (API-08) and the signature (SIG-01)."""

from __future__ import annotations

from collections.abc import Callable

from lienthong.conformance.context import SenderContext, Sent
from lienthong.conformance.failures import CheckFailed, Skipped
from lienthong.conformance.registry import check
from lienthong.profiles import requirement
from lienthong.profiles.mutations import MUTATIONS
from lienthong.profiles.signature import signature_problem

# Data requirement -> the hospital fault that breaks exactly it (proves the check can fail).
DATA_RULES = {
    "ENV-01": "envelope_wrong_root",
    "ENV-02": "wrong_loaihoso",
    "ENV-03": "bad_base64",
    "ENV-04": "two_hoso",
    "ENV-05": "envelope_facility_mismatch",
    "XML0-01": "checkin_wrong_root",
    "XML0-02": "checkin_oversize",
    "XML0-03": "checkin_missing_required",
    "XML0-04": "checkin_two_first_costs",
    "XML0-05": "checkin_admission_before_arrival",
    "FMT-01": "bad_time_format",
    "FMT-02": "bad_card_date",
    "XML1-01": "summary_oversize",
    "XML1-02": "summary_missing_required",
    "XML1-03": "discharge_before_arrival",
    "XML1-04": "wrong_fund_arithmetic",
    "XML1-05": "two_main_diagnoses",
    "XML1-07": "ma_lk_mismatch",
    "CODE-01": "bad_code",
    "ID-CCCD-01": "bad_cccd_province",
    "ID-CCCD-02": "cccd_sex_mismatch",
    "ID-BHYT-01": "bad_card",
    "ID-CSKCB-01": "bad_facility_code",
}
_SHOWN = 50


def _submissions(ctx: SenderContext) -> list[Sent]:
    if not ctx.submissions:
        raise Skipped("the sender made no submission to judge")
    return ctx.submissions


def _rule_check(req_id: str) -> Callable[[SenderContext], None]:
    def judge(ctx: SenderContext) -> None:
        sent = _submissions(ctx)
        found = [
            f"submission {s.id} ({s.kind}, MA_LK {s.ma_lk or '?'}): {v.message()}"
            for s in sent
            for v in s.violations
            if v.requirement == req_id
        ]
        if found:
            raise CheckFailed(
                f"{len(found)} violation(s) of {req_id} in {len(sent)} submission(s); first: {found[0]}",
                found[:_SHOWN],
            )

    judge.__doc__ = f"No submission breaks {req_id}: {requirement(req_id).title}."
    judge.__name__ = f"sent_{req_id.lower().replace('-', '_')}"
    return judge


# Every other rule of the validator: proven by the hospital fault that breaks exactly it.
VALIDATOR_RULES = {
    req_id: "breaks_" + req_id.lower().replace("-", "_")
    for req_id in sorted(MUTATIONS)
    if req_id not in DATA_RULES
}

for _req, _fault in {**DATA_RULES, **VALIDATOR_RULES}.items():
    _judge = _rule_check(_req)
    check(
        verifies=[_req],
        actor="hospital",
        direction="sender",
        fault=f"hospital:{_fault}",
        name=_judge.__name__,
    )(_judge)


@check(verifies=["XML0-06"], actor="hospital", direction="sender", fault="hospital:no_checkin")
def sent_checkin_before_dossier(ctx: SenderContext) -> None:
    """Every non-emergency dossier's MA_LK was checked in before the dossier was sent."""
    sent = _submissions(ctx)
    checked_in: set[str] = set()
    missing = []
    for item in sorted(sent, key=lambda s: s.id):
        if item.kind == "checkin":
            checked_in.add(item.ma_lk)
            continue
        if item.document is None or not item.ma_lk:
            continue
        from lienthong.profiles.validation import parse_dossier

        dossier, _ = parse_dossier(item.document)
        summary = (dossier.tables.get("XML1") or [{}])[0] if dossier else {}
        if summary.get("MA_DOITUONG_KCB") != "2" and item.ma_lk not in checked_in:
            missing.append(f"submission {item.id}: dossier MA_LK {item.ma_lk} had no earlier check-in")
    if missing:
        raise CheckFailed(f"{len(missing)} dossier(s) sent without a prior check-in", missing[:_SHOWN])


@check(verifies=["API-08"], actor="hospital", direction="sender", fault="hospital:wrong_loaihoso_param")
def sent_loaihoso_matches_endpoint(ctx: SenderContext) -> None:
    """Check-ins were sent with loaiHoSo=0 and dossiers with loaiHoSo=130."""
    wrong = [
        f"submission {s.id} ({s.kind} to {s.endpoint}): loaiHoSo = {s.loai_ho_so!r}"
        for s in _submissions(ctx)
        if s.loai_ho_so != ("0" if s.kind == "checkin" else "130")
    ]
    if wrong:
        raise CheckFailed(f"{len(wrong)} submission(s) with the wrong loaiHoSo", wrong[:_SHOWN])


@check(verifies=["SIG-01"], actor="hospital", direction="sender", fault="hospital:unsigned")
def sent_documents_signed(ctx: SenderContext) -> None:
    """Every file sent carries a CHUKYDONVI signature that verifies with the facility's certificate."""
    bad = []
    for item in _submissions(ctx):
        if item.document is None or not item.document.lstrip().startswith(b"<"):
            continue  # not XML at all: reported by ENV-03 / ENV-01
        problem = signature_problem(item.document, ctx.trusted_certs.get(item.ma_cskcb, []))
        if problem:
            bad.append(f"submission {item.id} ({item.kind}, MA_LK {item.ma_lk or '?'}): {problem}")
    if bad:
        raise CheckFailed(f"{len(bad)} submission(s) without a valid facility signature", bad[:_SHOWN])
