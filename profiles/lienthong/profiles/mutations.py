"""Break a valid dossier's tables so that exactly one catalogued requirement fails.

Each mutation is keyed by the requirement ID the validator reports for it: the tag a generator
puts on an invalid record *is* that ID, so generator and validator agree by construction. A
mutation returns False when the dossier lacks what it needs (e.g. no XML13 to break); callers then
pick another sample. Fields repeated in XML6/XML13/XML14 (=XML1) are changed there too, so that
only the named rule breaks. The samples never carry XML6, XML7, XML9, XML10, XML11 or XML15: a
mutation of one of those first adds a valid record of it (``samples.extra_record``), then breaks
that record, so the dossier it returns breaks the named rule and nothing else.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from lienthong.profiles.samples import Tables, extra_record

Mutation = Callable[[Tables], bool]
MUTATIONS: dict[str, Mutation] = {}


def mutation(req: str) -> Callable[[Mutation], Mutation]:
    def wrap(fn: Mutation) -> Mutation:
        MUTATIONS[req] = fn
        return fn

    return wrap


def _xml1(t: Tables) -> dict[str, str]:
    return t["XML1"][0]


def _set_everywhere(t: Tables, field: str, value: str) -> None:
    _xml1(t)[field] = value
    for kind in ("XML6", "XML13", "XML14"):
        for record in t.get(kind, []):
            if field in record:
                record[field] = value


def _row(
    t: Tables, kind: str, test: Callable[[dict[str, str]], bool] = lambda r: True
) -> dict[str, str] | None:
    return next((r for r in t.get(kind, []) if test(r)), None)


def _plus(value: str, amount: str = "1") -> str:
    return f"{Decimal(value) + Decimal(amount):.2f}"


def apply(tables: Tables, req: str) -> Tables | None:
    """A copy of ``tables`` breaking only requirement ``req``, or None if this dossier cannot."""
    out = copy.deepcopy(tables)
    try:
        return out if MUTATIONS[req](out) else None
    except (KeyError, IndexError, ValueError, ArithmeticError):  # the dossier lacks what it needs
        return None


@mutation("XML1-01")
def _xml1_size(t: Tables) -> bool:
    _xml1(t)["LY_DO_VV"] = "x" * 10 + _xml1(t)["LY_DO_VV"]
    _xml1(t)["DIEN_THOAI"] = "0" * 16
    return True


@mutation("XML1-02")
def _xml1_required(t: Tables) -> bool:
    del _xml1(t)["LY_DO_VV"]
    return True


@mutation("XML1-03")
def _xml1_times(t: Tables) -> bool:
    s = _xml1(t)
    if s["MA_LOAI_KCB"] != "01" or "XML13" in t or "XML14" in t or "XML8" in t:
        return False
    s["NGAY_RA"] = s["NGAY_VAO"][:8] + "0700"
    return True


@mutation("XML1-04")
def _fund(t: Tables) -> bool:
    _xml1(t)["T_BHTT"] = _plus(_xml1(t)["T_BHTT"])
    return True


@mutation("XML1-05")
def _main_icd_shape(t: Tables) -> bool:
    _set_everywhere(t, "MA_BENH_CHINH", _xml1(t)["MA_BENH_CHINH"].lower())
    return True


@mutation("ICD-01")
def _icd_unknown(t: Tables) -> bool:
    # No category K99 in ICD-10; a made-up code outside the ranges ICD-02 limits (an X.. code is
    # an external cause, which would break ICD-02 as well).
    _set_everywhere(t, "MA_BENH_CHINH", "K99.9")
    return True


@mutation("ICD-02")
def _icd_not_main(t: Tables) -> bool:
    # G01* (meningitis in bacterial diseases classified elsewhere) is an asterisk category: a valid
    # ICD-10 code, but only ever beside the dagger code of the underlying disease.
    _set_everywhere(t, "MA_BENH_CHINH", "G01")
    return True


@mutation("XML1-07")
def _ma_lk(t: Tables) -> bool:
    t["XML2"][0]["MA_LK"] = "OTHER" + t["XML2"][0]["MA_LK"]
    return True


@mutation("XML1-08")
def _days(t: Tables) -> bool:
    s = _xml1(t)
    s["SO_NGAY_DTRI"] = str(int(s["SO_NGAY_DTRI"]) + 1)
    return True


@mutation("XML1-09")
def _total_bv(t: Tables) -> bool:
    _xml1(t)["T_TONGCHI_BV"] = _plus(_xml1(t)["T_TONGCHI_BV"])
    return True


@mutation("XML1-10")
def _total_bh(t: Tables) -> bool:
    s = _xml1(t)
    s["T_TONGCHI_BH"], s["T_BHTT"] = _plus(s["T_TONGCHI_BH"]), _plus(s["T_BHTT"])
    return True


@mutation("XML1-11")
def _total_drugs(t: Tables) -> bool:
    _xml1(t)["T_THUOC"] = _plus(_xml1(t)["T_THUOC"])
    return True


@mutation("CODE-01")
def _code(t: Tables) -> bool:
    _xml1(t)["KET_QUA_DTRI"] = "9"
    return True


@mutation("CODE-02")
def _code_date(t: Tables) -> bool:
    if _xml1(t)["MA_LOAI_KCB"] != "01":
        return False
    _xml1(t)["MA_LOAI_KCB"] = "14"
    return True


@mutation("CODE-03")
def _category_date(t: Tables) -> bool:
    # A code of the other era: 1.11 (QĐ 3276) before 01/07/2025, 1.8 (TB, QĐ 824 only) from 2026.
    left = _xml1(t)["NGAY_RA"][:8]
    if left < "20250701":
        code = "1.11"
    elif left >= "20260101":
        code = "1.8"
    else:  # both lists are accepted in the second half of 2025
        return False
    _set_everywhere(t, "MA_DOITUONG_KCB", code)
    return True


@mutation("FMT-01")
def _fmt_time(t: Tables) -> bool:
    s = _xml1(t)
    s["NGAY_TTOAN"] = s["NGAY_TTOAN"][:8] + "2460"
    return True


@mutation("FMT-02")
def _fmt_date(t: Tables) -> bool:
    _set_everywhere(t, "GT_THE_DEN", _xml1(t)["GT_THE_DEN"][:4] + "1332")
    return True


@mutation("CARD-02")
def _card_expired(t: Tables) -> bool:
    s = _xml1(t)
    if not s.get("MA_THE_BHYT") or ";" in s.get("GT_THE_DEN", ""):
        return False
    arrived = date(int(s["NGAY_VAO"][:4]), int(s["NGAY_VAO"][4:6]), int(s["NGAY_VAO"][6:8]))
    _set_everywhere(t, "GT_THE_DEN", f"{arrived - timedelta(days=1):%Y%m%d}")
    return True


@mutation("FMT-03")
def _fmt_decimal(t: Tables) -> bool:
    _xml1(t)["CAN_NANG"] = "60.505"
    return True


@mutation("ID-CCCD-01")
def _cccd(t: Tables) -> bool:
    s = _xml1(t)
    s["SO_CCCD"] = "003" + s["SO_CCCD"][3:]  # 003 is not a province-of-birth code
    return True


@mutation("ID-CCCD-02")
def _cccd_century(t: Tables) -> bool:
    s = _xml1(t)
    digit = int(s["SO_CCCD"][3])
    s["SO_CCCD"] = s["SO_CCCD"][:3] + str(digit ^ 1) + s["SO_CCCD"][4:]
    return True


@mutation("ID-BHYT-01")
def _card(t: Tables) -> bool:
    _set_everywhere(t, "MA_THE_BHYT", "ZZ" + _xml1(t)["MA_THE_BHYT"][2:])
    return True


@mutation("ID-CSKCB-01")
def _facility(t: Tables) -> bool:
    _xml1(t)["MA_DKBD"] = "00AAA"
    return True


@mutation("ID-GPHN-01")
def _licence(t: Tables) -> bool:
    for row in t["XML2"]:
        row["MA_BAC_SI"] = "GPHN.XX." + row["MA_BAC_SI"]
    return True


@mutation("TAG-01")
def _tag(t: Tables) -> bool:
    _xml1(t)["MA_NOI_DI_CU"] = "01001"
    return True


@mutation("STT-01")
def _stt(t: Tables) -> bool:
    t["XML3"][-1]["STT"] = str(len(t["XML3"]) + 5)
    return True


@mutation("XML2-01")
def _xml2_size(t: Tables) -> bool:
    t["XML2"][0]["DUONG_DUNG"] = "1.01.1"
    return True


@mutation("XML2-02")
def _xml2_required(t: Tables) -> bool:
    del t["XML2"][0]["MA_KHOA"]
    return True


@mutation("XML2-03")
def _xml2_amount(t: Tables) -> bool:
    row = t["XML2"][0]
    row["DON_GIA"] = f"{Decimal(row['DON_GIA']) + 1:.3f}"
    return True


@mutation("XML2-04")
def _xml2_tender(t: Tables) -> bool:
    del t["XML2"][0]["TT_THAU"]
    return True


@mutation("XML2-05")
def _xml2_given(t: Tables) -> bool:
    row = t["XML2"][0]
    if "NGAY_TH_YL" not in row:
        return False
    row["NGAY_TH_YL"] = row["NGAY_YL"][:8] + "0001"
    return True


@mutation("XML2-06")
def _xml2_wound(t: Tables) -> bool:
    t["XML2"][0]["VET_THUONG_TP"] = "2"
    return True


@mutation("XML3-01")
def _xml3_size(t: Tables) -> bool:
    t["XML3"][0]["DON_VI_TINH"] = "L" * 51
    return True


@mutation("XML3-02")
def _xml3_required(t: Tables) -> bool:
    del t["XML3"][0]["DON_VI_TINH"]
    return True


@mutation("XML3-03")
def _xml3_amount(t: Tables) -> bool:
    row = t["XML3"][0]
    row["DON_GIA_BV"] = f"{Decimal(row['DON_GIA_BV']) + 1:.3f}"
    return True


@mutation("XML3-04")
def _xml3_fuel(t: Tables) -> bool:
    row = _row(t, "XML3", lambda r: r["MA_NHOM"] == "13")
    if row is None:
        return False
    row["MA_NHOM"] = "12"
    return True


@mutation("XML3-05")
def _xml3_tender(t: Tables) -> bool:
    row = _row(t, "XML3", lambda r: r["MA_NHOM"] == "10")
    if row is None:
        return False
    del row["TT_THAU"]
    return True


@mutation("XML3-06")
def _xml3_performer(t: Tables) -> bool:
    row = _row(t, "XML3", lambda r: r["MA_NHOM"] == "1")
    if row is None:
        return False
    del row["NGUOI_THUC_HIEN"]
    return True


@mutation("XML3-07")
def _xml3_result_time(t: Tables) -> bool:
    row = _row(t, "XML3", lambda r: bool(r.get("NGAY_KQ")))
    if row is None:
        return False
    row["NGAY_KQ"] = row["NGAY_YL"][:8] + "0001"
    return True


@mutation("XML3-08")
def _xml3_package(t: Tables) -> bool:
    t["XML3"][-1]["GOI_VTYT"] = "G0"
    return True


@mutation("XML4-01")
def _xml4_size(t: Tables) -> bool:
    if "XML4" not in t:
        return False
    t["XML4"][0]["DON_VI_DO"] = "u" * 51
    return True


@mutation("XML4-02")
def _xml4_required(t: Tables) -> bool:
    if "XML4" not in t:
        return False
    del t["XML4"][0]["TEN_CHI_SO"]
    return True


@mutation("XML4-03")
def _xml4_result_time(t: Tables) -> bool:
    if "XML4" not in t:
        return False
    del t["XML4"][0]["NGAY_KQ"]
    return True


@mutation("PRES-01")
def _no_letter(t: Tables) -> bool:
    if "XML13" not in t:
        return False
    del t["XML13"]
    return True


@mutation("PRES-02")
def _no_slip(t: Tables) -> bool:
    if "XML14" not in t:
        return False
    del t["XML14"]
    return True


@mutation("PRES-03")
def _results_without_service(t: Tables) -> bool:
    row = _row(t, "XML3", lambda r: r["MA_NHOM"] == "1")
    if row is None or "XML4" not in t:
        return False
    row["MA_NHOM"] = "13"
    return True


@mutation("PRES-04")
def _service_without_results(t: Tables) -> bool:
    if "XML4" not in t:
        return False
    del t["XML4"]
    return True


@mutation("PRES-05")
def _no_course(t: Tables) -> bool:
    if "XML5" not in t:
        return False
    del t["XML5"]
    return True


@mutation("PRES-06")
def _no_summary(t: Tables) -> bool:
    if "XML8" not in t:
        return False
    del t["XML8"]
    return True


@mutation("XML5-02")
def _xml5_required(t: Tables) -> bool:
    if "XML5" not in t:
        return False
    del t["XML5"][0]["DIEN_BIEN_LS"]
    return True


@mutation("XML8-02")
def _xml8_required(t: Tables) -> bool:
    if "XML8" not in t:
        return False
    del t["XML8"][0]["QT_BENHLY"]
    return True


@mutation("XML13-02")
def _xml13_required(t: Tables) -> bool:
    if "XML13" not in t:
        return False
    del t["XML13"][0]["HUONG_DIEU_TRI"]
    return True


@mutation("XML13-03")
def _xml13_same(t: Tables) -> bool:
    if "XML13" not in t:
        return False
    t["XML13"][0]["DIA_CHI"] = t["XML13"][0]["DIA_CHI"] + " (cũ)"
    return True


@mutation("XML14-02")
def _xml14_required(t: Tables) -> bool:
    if "XML14" not in t:
        return False
    del t["XML14"][0]["SO_GIAYHEN_KL"]
    return True


@mutation("XML14-03")
def _xml14_same(t: Tables) -> bool:
    if "XML14" not in t:
        return False
    t["XML14"][0]["MA_DOITUONG_KCB"] = "1.2"
    return True


@mutation("XML14-04")
def _xml14_before(t: Tables) -> bool:
    slip = _row(t, "XML14")
    if slip is None or len(slip["NGAY_HEN_KL"]) != 8 or slip["NGAY_VAO"][6:8] == "01":
        return False
    slip["NGAY_HEN_KL"] = slip["NGAY_VAO"][:8]
    if _xml1(t)["NGAY_RA"][:8] == slip["NGAY_VAO"][:8]:  # same-day visit: one day earlier
        day = int(slip["NGAY_HEN_KL"][6:8]) - 1
        slip["NGAY_HEN_KL"] = slip["NGAY_HEN_KL"][:6] + f"{day:02d}"
    return True


@mutation("XML14-05")
def _xml14_issued(t: Tables) -> bool:
    slip = _row(t, "XML14")
    if slip is None or slip["NGAY_VAO"][6:8] == "01":
        return False
    day = int(slip["NGAY_VAO"][6:8]) - 1
    slip["NGAY_CT"] = slip["NGAY_VAO"][:6] + f"{day:02d}"
    return True


_OVER_1024 = "Công ty TNHH " * 80
"""1,040 characters: over the 1,024 of the long text fields (DON_VI, NOI_SINH_CON)."""


@mutation("XML5-01")
def _xml5_size(t: Tables) -> bool:
    if "XML5" not in t:
        return False
    note = t["XML5"][0]
    licence = note.get("NGUOI_THUC_HIEN") or _xml1(t)["MA_TTDV"]
    note["NGUOI_THUC_HIEN"] = ";".join([licence] * (256 // (len(licence) + 1) + 1))  # > 255
    return True


@mutation("XML8-01")
def _xml8_size(t: Tables) -> bool:
    if "XML8" not in t:
        return False
    t["XML8"][0]["DON_VI"] = _OVER_1024
    return True


@mutation("XML13-01")
def _xml13_size(t: Tables) -> bool:
    if "XML13" not in t:
        return False
    t["XML13"][0]["SO_HOSO"] = "CT" + "0" * 49  # 51 characters; the maximum is 50
    return True


@mutation("XML14-01")
def _xml14_size(t: Tables) -> bool:
    if "XML14" not in t:
        return False
    t["XML14"][0]["SO_GIAYHEN_KL"] = "GH" + "0" * 49
    return True


def _extra(t: Tables, kind: str) -> dict[str, str]:
    """The first record of ``kind``, a valid one added first when the dossier has none."""
    if not t.get(kind):
        t[kind] = [extra_record(kind, t)]
    return t[kind][0]


def _female(t: Tables) -> bool:
    return _xml1(t).get("GIOI_TINH") == "2"


def _inpatient(t: Tables) -> bool:
    """A stay that ends with a discharge paper (XML7): inpatient or day treatment."""
    return "XML5" in t and bool(_xml1(t).get("NGAY_VAO_NOI_TRU"))


Change = Callable[[dict[str, str]], object]


def _on_extra(kind: str, change: Change, when: Callable[[Tables], bool] | None = None) -> Mutation:
    """A mutation changing the first ``kind`` record (added valid first) of a dossier ``when`` holds."""

    def mutate(t: Tables) -> bool:
        if when is not None and not when(t):
            return False
        change(_extra(t, kind))
        return True

    return mutate


def _set(field: str, value: str) -> Change:
    return lambda record: record.__setitem__(field, value)


def _drop(field: str) -> Change:
    return lambda record: record.pop(field)


def _terminated(paper: dict[str, str]) -> None:
    """Record a terminated pregnancy on a discharge paper, with every detail XML7-03 asks for."""
    paper |= {
        "MA_DINH_CHI_THAI": "1",
        "NGUYENNHAN_DINHCHI": "Thai lưu",
        "THOIGIAN_DINHCHI": paper["NGAY_VAO"],
        "TUOI_THAI": "12",
    }


def _then(first: Change, second: Change) -> Change:
    return lambda record: (first(record), second(record))


def _woman_inpatient(t: Tables) -> bool:
    return _inpatient(t) and _female(t)


MUTATIONS |= {
    "XML6-01": _on_extra("XML6", _set("MA_PHAC_DO_DIEU_TRI_BD", "TDF+3TC+DTG;" * 17)),  # 204 > 200
    "XML6-02": _on_extra("XML6", _drop("MA_LK")),  # its one required field
    "XML6-03": _on_extra("XML6", lambda r: r.__setitem__("DIA_CHI", r["DIA_CHI"] + " (cũ)")),
    "XML7-01": _on_extra("XML7", _set("SO_LUU_TRU", "RV" + "0" * 199), _inpatient),  # 201 > 200
    "XML7-02": _on_extra("XML7", _drop("TEN_BS"), _inpatient),
    "XML7-03": _on_extra("XML7", _then(_terminated, _drop("TUOI_THAI")), _woman_inpatient),
    # SO_NGAY_NGHI without NGOAITRU_TUNGAY and NGOAITRU_DENNGAY
    "XML7-04": _on_extra("XML7", _set("SO_NGAY_NGHI", "5"), _inpatient),
    "XML7-05": _on_extra("XML7", _then(_terminated, _set("TUOI_THAI", "43")), _woman_inpatient),
    "XML9-01": _on_extra("XML9", _set("NOI_SINH_CON", "Khoa Sản, " * 103), _female),  # 1,030
    "XML9-02": _on_extra("XML9", _drop("SO"), _female),
    "XML10-01": _on_extra("XML10", _set("DON_VI", _OVER_1024), _female),
    "XML10-02": _on_extra("XML10", _drop("SO_SERI"), _female),
    "XML11-01": _on_extra("XML11", _set("DON_VI", _OVER_1024)),
    "XML11-02": _on_extra("XML11", _drop("SO_KCB")),
    # 9 digits: a BHXH number has 10
    "ID-BHXH-01": _on_extra("XML11", lambda r: r.__setitem__("MA_BHXH", r["MA_BHXH"][:9])),
    "XML15-01": _on_extra("XML15", _set("PHACDO_DTRI_LAO", "2RHZE/4RHE;" * 19)),  # 209 > 200
    "XML15-02": _on_extra("XML15", _drop("MA_BN")),
}
"""Rules of the tables the samples never carry: each adds a valid record of its table, then breaks it."""


# --- Check-in records (XML0): each breaks exactly one rule of a valid check-in record ----------

RecordMutation = Callable[[dict[str, str]], bool]
CHECKIN_MUTATIONS: dict[str, RecordMutation] = {}


def checkin_mutation(req: str) -> Callable[[RecordMutation], RecordMutation]:
    def wrap(fn: RecordMutation) -> RecordMutation:
        CHECKIN_MUTATIONS[req] = fn
        return fn

    return wrap


def apply_checkin(record: dict[str, str], req: str) -> dict[str, str] | None:
    """A copy of check-in ``record`` breaking only ``req``, or None if this record cannot."""
    out = dict(record)
    return out if CHECKIN_MUTATIONS[req](out) else None


@checkin_mutation("XML0-02")
def _checkin_size(r: dict[str, str]) -> bool:
    if not r.get("MA_DICH_VU"):
        return False
    r["MA_DICH_VU"] = "X" * 51
    return True


@checkin_mutation("XML0-03")
def _checkin_required(r: dict[str, str]) -> bool:
    r["MA_BN"] = ""
    return True


@checkin_mutation("XML0-04")
def _checkin_two_costs(r: dict[str, str]) -> bool:
    if not r.get("MA_DICH_VU") or r.get("MA_THUOC"):
        return False
    r |= {"MA_THUOC": "40.100", "TEN_THUOC": "Paracetamol"}
    return True


@checkin_mutation("XML0-05")
def _checkin_admission(r: dict[str, str]) -> bool:
    arrived = r["NGAY_VAO"]
    hour = int(arrived[8:10])
    if hour == 0:
        return False
    r["NGAY_VAO_NOI_TRU"] = arrived[:8] + f"{hour - 1:02d}" + arrived[10:]
    r["LY_DO_VNT"] = "Theo dõi"
    return True


# --- Documents: each breaks exactly one envelope rule of a valid, not yet signed document -------

DocumentMutation = Callable[[bytes], bytes]
DOSSIER_MUTATIONS: dict[str, DocumentMutation] = {}
CHECKIN_DOCUMENT_MUTATIONS: dict[str, DocumentMutation] = {}


def _tree_edit(edit: Callable[[Any], None]) -> DocumentMutation:
    def mutate(document: bytes) -> bytes:
        from lxml import etree

        root = etree.fromstring(document)
        edit(root)
        return b'<?xml version="1.0" encoding="utf-8"?>\r\n' + etree.tostring(root, encoding="utf-8")

    return mutate


def _rename_root(tag: str) -> Callable[[Any], None]:
    def edit(root: Any) -> None:
        root.tag = tag

    return edit


def _filehoso(root: Any, kind: str) -> Any:
    for filehoso in root.iter("FILEHOSO"):
        if filehoso.findtext("LOAIHOSO") == kind:
            return filehoso
    return next(iter(root.iter("FILEHOSO")))


def _extra_file(kind: str, content: str | None) -> Callable[[Any], None]:
    """Add a FILEHOSO (a copy of XML2's, so no table goes missing) of LOAIHOSO ``kind``, its
    NOIDUNGFILE replaced by ``content`` when given."""

    def edit(root: Any) -> None:
        extra = copy.deepcopy(_filehoso(root, "XML2"))
        extra.find("LOAIHOSO").text = kind
        if content is not None:
            extra.find("NOIDUNGFILE").text = content
        _filehoso(root, "XML2").addnext(extra)

    return edit


def _two_hoso(root: Any) -> None:
    hoso = next(iter(root.iter("HOSO")))
    hoso.addnext(copy.deepcopy(hoso))
    count = root.find("THONGTINHOSO/SOLUONGHOSO")
    if count is not None:
        count.text = "2"


def _other_facility(root: Any) -> None:
    unit = root.find("THONGTINDONVI/MACSKCB")
    unit.text = (unit.text or "01")[:2] + ("999" if (unit.text or "")[2:] != "999" else "998")


DOSSIER_MUTATIONS |= {
    "ENV-01": _tree_edit(_rename_root("HOSO_GIAMDINH")),
    "ENV-02": _tree_edit(_extra_file("XML99", None)),
    "ENV-03": _tree_edit(_extra_file("XML5", "đây-không-phải-base64!")),
    "ENV-04": _tree_edit(_two_hoso),
    "ENV-05": _tree_edit(_other_facility),
}
CHECKIN_DOCUMENT_MUTATIONS |= {"XML0-01": _tree_edit(_rename_root("TRANG_THAI_KCB_LIST"))}


def mutated_requirements() -> frozenset[str]:
    """Every requirement some mutation of this catalogue breaks."""
    return (
        frozenset(MUTATIONS)
        | set(CHECKIN_MUTATIONS)
        | set(DOSSIER_MUTATIONS)
        | set(CHECKIN_DOCUMENT_MUTATIONS)
    )


NO_CHECKIN = "XML0-06"
"""Broken by leaving the check-in out, not by a mutation."""
UNSENDABLE = {
    "CODE-02": "its only breach, a visit type of QĐ 1804 before 01/08/2026, cannot be a current episode",
}
"""Rules a gateway must enforce that a current, otherwise valid episode cannot break, and why."""


def enforced_rules() -> list[str]:
    """Requirement IDs a gateway must enforce (catalogue ``gateway_duty`` refuse or flag) that the
    suite can break on purpose: one server check and one gateway fault each."""
    from lienthong.profiles.catalogue import gateway_duties

    breakable = mutated_requirements() | {NO_CHECKIN}
    return [
        req.id
        for req in (*gateway_duties("refuse"), *gateway_duties("flag"))
        if req.id in breakable and req.id not in UNSENDABLE
    ]


# --- Named variants: other ways to break a rule, as a faulty HIS does (hospital faults) --------
# Each works on a visit's tables, the check-in included as "XML0", in place, and breaks its rule
# in both the check-in and the summary where the field is in both.


@dataclass(frozen=True, slots=True)
class Variant:
    requirement: str
    summary: str
    apply: Callable[[Tables], None]


def _both(field: str, change: Callable[[str], str]) -> Callable[[Tables], None]:
    def mutate(t: Tables) -> None:
        for kind in ("XML0", "XML1"):
            for record in t.get(kind, []):
                record[field] = change(record.get(field, ""))

    return mutate


def _put(kind: str, field: str, value: Callable[[Tables], str]) -> Callable[[Tables], None]:
    def mutate(t: Tables) -> None:
        t[kind][0][field] = value(t)

    return mutate


def _hours_before(stamp: str, hours: int) -> str:
    from datetime import datetime, timedelta

    return (datetime.strptime(stamp, "%Y%m%d%H%M") - timedelta(hours=hours)).strftime("%Y%m%d%H%M")


def _checkin(req: str) -> Callable[[Tables], None]:
    def mutate(t: Tables) -> None:
        CHECKIN_MUTATIONS[req](t["XML0"][0])

    return mutate


def _admission_before_arrival(t: Tables) -> None:
    record = t["XML0"][0]
    record["NGAY_VAO_NOI_TRU"] = _hours_before(record["NGAY_VAO"], 1)
    record["LY_DO_VNT"] = "Theo dõi"


def _fund_off(t: Tables) -> None:
    _xml1(t)["T_BHTT"] = f"{Decimal(_xml1(t)['T_BHTT']) + 1000:.2f}"


def _other_ma_lk(t: Tables) -> None:
    for row in t.get("XML2", []):
        row["MA_LK"] = row["MA_LK"] + "X"


def _sex_digit_flip(value: str) -> str:
    return value[:3] + str(int(value[3]) ^ 1) + value[4:] if len(value) == 12 else value


VARIANTS: dict[str, Variant] = {
    "checkin_oversize": Variant(
        "XML0-02", "check-in MA_DICH_VU longer than 50 characters", _checkin("XML0-02")
    ),
    "checkin_missing_required": Variant("XML0-03", "check-in without MA_BN", _checkin("XML0-03")),
    "checkin_two_first_costs": Variant(
        "XML0-04", "check-in names both a service and a drug", _checkin("XML0-04")
    ),
    "checkin_admission_before_arrival": Variant(
        "XML0-05", "NGAY_VAO_NOI_TRU before NGAY_VAO", _admission_before_arrival
    ),
    "bad_time_format": Variant(
        "FMT-01", "NGAY_VAO holds minute 60", _both("NGAY_VAO", lambda s: s[:10] + "60")
    ),
    "bad_card_date": Variant(
        "FMT-02", "GT_THE_DEN written as 31/12/26", _put("XML1", "GT_THE_DEN", lambda t: "31/12/26")
    ),
    "summary_oversize": Variant(
        "XML1-01", "XML1 MA_KHOA longer than 50 characters", _put("XML1", "MA_KHOA", lambda t: "K01;" * 13)
    ),
    "summary_missing_required": Variant(
        "XML1-02", "XML1 without CHAN_DOAN_RV", _put("XML1", "CHAN_DOAN_RV", lambda t: "")
    ),
    "discharge_before_arrival": Variant(
        "XML1-03",
        "NGAY_RA before NGAY_VAO",
        _put("XML1", "NGAY_RA", lambda t: _hours_before(_xml1(t)["NGAY_VAO"], 1)),
    ),
    "wrong_fund_arithmetic": Variant("XML1-04", "T_BHTT is not T_TONGCHI_BH - T_BNCCT", _fund_off),
    "two_main_diagnoses": Variant(
        "XML1-05", "MA_BENH_CHINH holds two codes", _put("XML1", "MA_BENH_CHINH", lambda t: "J06;I10")
    ),
    "bad_code": Variant(
        "CODE-01", "KET_QUA_DTRI is 9, not in its code list", _put("XML1", "KET_QUA_DTRI", lambda t: "9")
    ),
    "ma_lk_mismatch": Variant("XML1-07", "XML2 rows carry another MA_LK", _other_ma_lk),
    "bad_cccd_province": Variant(
        "ID-CCCD-01", "SO_CCCD starts with 999", _both("SO_CCCD", lambda s: "999" + s[3:])
    ),
    "cccd_sex_mismatch": Variant(
        "ID-CCCD-02", "SO_CCCD's fourth digit contradicts GIOI_TINH", _both("SO_CCCD", _sex_digit_flip)
    ),
    "bad_card": Variant(
        "ID-BHYT-01", "MA_THE_BHYT has benefit digit 7", _both("MA_THE_BHYT", lambda s: s[:2] + "7" + s[3:])
    ),
    "bad_facility_code": Variant(
        "ID-CSKCB-01", "check-in MA_DKBD is not a facility code", _put("XML0", "MA_DKBD", lambda t: "ABCDE")
    ),
}
"""Named ways to break a rule (the simulated hospital's faults use these names)."""
DOCUMENT_VARIANTS: dict[str, str] = {
    "envelope_wrong_root": "ENV-01",
    "wrong_loaihoso": "ENV-02",
    "bad_base64": "ENV-03",
    "two_hoso": "ENV-04",
    "envelope_facility_mismatch": "ENV-05",
}
"""Named envelope breaches (hospital faults) -> the rule whose ``DOSSIER_MUTATIONS`` entry does it."""
CHECKIN_DOCUMENT_VARIANTS: dict[str, str] = {"checkin_wrong_root": "XML0-01"}
