"""How a faulty hospital breaks the rules: one mutation per hospital fault of the catalogue.

Record mutations change the table records before they are serialised; document mutations change
the XML before it is signed; the others are handled by the hospital client itself.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from lxml import etree

from lienthong.profiles import xml130
from lienthong.profiles.mutations import apply as apply_mutation
from lienthong.profiles.samples import sample_tables
from lienthong.simulators.visits import Record, Visit

RecordMutation = Callable[[Visit], None]
DocumentMutation = Callable[[etree._Element], None]


def _both(field: str, change: Callable[[str], str]) -> RecordMutation:
    def mutate(visit: Visit) -> None:
        visit.checkin[field] = change(visit.checkin.get(field, ""))
        visit.summary[field] = change(visit.summary.get(field, ""))

    return mutate


def _set(table: str, field: str, value: Callable[[Visit], str]) -> RecordMutation:
    def mutate(visit: Visit) -> None:
        record: Record = visit.checkin if table == "XML0" else visit.summary
        record[field] = value(visit)

    return mutate


def _earlier(stamp: str, hours: int) -> str:
    from datetime import datetime

    return (datetime.strptime(stamp, "%Y%m%d%H%M") - timedelta(hours=hours)).strftime("%Y%m%d%H%M")


def _admission_before_arrival(visit: Visit) -> None:
    visit.checkin["NGAY_VAO_NOI_TRU"] = _earlier(visit.checkin["NGAY_VAO"], 1)
    visit.checkin["LY_DO_VNT"] = "Theo dõi"


def _two_first_costs(visit: Visit) -> None:
    visit.checkin |= {"MA_THUOC": "05C.161", "TEN_THUOC": "Paracetamol"}


def _fund_off(visit: Visit) -> None:
    visit.summary["T_BHTT"] = f"{float(visit.summary['T_BHTT']) + 1000:.2f}"


def _other_ma_lk(visit: Visit) -> None:
    for row in visit.drugs:
        row["MA_LK"] = visit.ma_lk + "X"


def _sex_digit_flip(value: str) -> str:
    return value[:3] + str(int(value[3]) ^ 1) + value[4:] if len(value) == 12 else value


RECORD_MUTATIONS: dict[str, RecordMutation] = {
    "checkin_oversize": _set("XML0", "MA_DICH_VU", lambda v: "X" * 51),
    "checkin_missing_required": _set("XML0", "MA_BN", lambda v: ""),
    "checkin_two_first_costs": _two_first_costs,
    "checkin_admission_before_arrival": _admission_before_arrival,
    "bad_time_format": _both("NGAY_VAO", lambda s: s[:10] + "60"),
    "bad_card_date": _set("XML1", "GT_THE_DEN", lambda v: "31/12/26"),
    "summary_oversize": _set("XML1", "MA_KHOA", lambda v: "K01;" * 13),
    "summary_missing_required": _set("XML1", "CHAN_DOAN_RV", lambda v: ""),
    "discharge_before_arrival": _set("XML1", "NGAY_RA", lambda v: _earlier(v.summary["NGAY_VAO"], 1)),
    "wrong_fund_arithmetic": _fund_off,
    "two_main_diagnoses": _set("XML1", "MA_BENH_CHINH", lambda v: "J06;I10"),
    "bad_code": _set("XML1", "KET_QUA_DTRI", lambda v: "9"),
    "ma_lk_mismatch": _other_ma_lk,
    "bad_cccd_province": _both("SO_CCCD", lambda s: "999" + s[3:]),
    "cccd_sex_mismatch": _both("SO_CCCD", _sex_digit_flip),
    "bad_card": _both("MA_THE_BHYT", lambda s: s[:2] + "7" + s[3:]),
    "bad_facility_code": _set("XML0", "MA_DKBD", lambda v: "ABCDE"),
}


def _rename_root(tag: str) -> DocumentMutation:
    def mutate(root: etree._Element) -> None:
        root.tag = tag

    return mutate


def _filehoso(root: etree._Element, kind: str) -> etree._Element:
    for filehoso in root.iter("FILEHOSO"):
        if filehoso.findtext("LOAIHOSO") == kind:
            return filehoso
    raise LookupError(f"no FILEHOSO {kind} to mutate")


def _loaihoso_xml99(root: etree._Element) -> None:
    loai = _filehoso(root, "XML2").find("LOAIHOSO")
    assert loai is not None
    loai.text = "XML99"


def _not_base64(root: etree._Element) -> None:
    content = _filehoso(root, "XML2").find("NOIDUNGFILE")
    assert content is not None
    content.text = "đây-không-phải-base64!"


def _other_facility(root: etree._Element) -> None:
    unit = root.find("THONGTINDONVI/MACSKCB")
    assert unit is not None
    unit.text = unit.text[:2] + "999" if unit.text else "01999"


DOSSIER_MUTATIONS: dict[str, DocumentMutation] = {
    "envelope_wrong_root": _rename_root("HOSO_GIAMDINH"),
    "wrong_loaihoso": _loaihoso_xml99,
    "bad_base64": _not_base64,
    "envelope_facility_mismatch": _other_facility,
}
CHECKIN_MUTATIONS: dict[str, DocumentMutation] = {
    "checkin_wrong_root": _rename_root("TRANG_THAI_KCB_LIST"),
}
# Handled by the client: two_hoso, wrong_loaihoso_param, no_checkin, unsigned, tampered_after_signing.
CLIENT_FAULTS = frozenset(
    {"two_hoso", "wrong_loaihoso_param", "no_checkin", "unsigned", "tampered_after_signing"}
)


def apply_document(document: bytes, mutations: list[DocumentMutation]) -> bytes:
    if not mutations:
        return document
    root = etree.fromstring(document)
    for mutate in mutations:
        mutate(root)
    return b'<?xml version="1.0" encoding="utf-8"?>\r\n' + etree.tostring(root, encoding="utf-8")


def tamper(document: bytes) -> bytes:
    """Change one value after signing (the NGAYLAP of the envelope, or a check-in's STT)."""
    for old, new in ((b"<NGAYLAP>", b"<NGAYLAP>1"), (b"<STT>1<", b"<STT>2<")):
        if old in document:
            return document.replace(old, new, 1)
    return document + b" "


def encode(document: bytes) -> str:
    return base64.b64encode(document).decode("ascii")


__all__ = ["CHECKIN_MUTATIONS", "CLIENT_FAULTS", "DOSSIER_MUTATIONS", "RECORD_MUTATIONS", "xml130"]


def broken_sample(req_id: str, facility: str, number: int) -> dict[str, list[dict[str, str]]]:
    """A sample dossier of ``facility`` that breaks exactly ``req_id`` (``profiles.mutations``).

    Tries sample variants (examination, inpatient, referral, appointment) until the mutation
    applies; ``number`` keeps MA_LK distinct between sends.
    """
    variants: list[dict[str, Any]] = [
        {},
        {"referral": True},
        {"appointment": True},
        {"kind": "03"},
        {"kind": "03", "referral": True, "appointment": True},
    ]
    for seed in range(number * 50, number * 50 + 50):
        for options in variants:
            tables = sample_tables(seed, **options)
            for records in tables.values():
                for record in records:
                    if "MA_LK" in record:
                        record["MA_LK"] = f"LT{facility}{number:06d}{seed:06d}"
                    if "MA_CSKCB" in record:
                        record["MA_CSKCB"] = facility
            broken = apply_mutation(tables, req_id)
            if broken is not None:
                return broken
    raise LookupError(f"no sample dossier can be made to break {req_id}")
