"""A visit as XML 130 records (regulation field name -> text), QĐ 3176 profile.

Money in decimal arithmetic [V] QĐ 3176 appendix: THANH_TIEN_BV = SO_LUONG × DON_GIA rounded to
2 dp, THANH_TIEN_BH = THANH_TIEN_BV × TYLE_TT_BH / 100, T_BNCCT = the part above MUC_HUONG,
T_BHTT = THANH_TIEN_BH − T_BNCCT; XML1 totals are the sums of the XML2 and XML3 rows.
"""

from __future__ import annotations

from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from lienthong.simulators.population import cards
from lienthong.simulators.population.care import Visit

Record = dict[str, str]
_CENT = Decimal("0.01")
NATIONALITY_VN = "000"
WARD = "K01"
"""MA_KHOA of every synthetic visit (one ward) [I]."""


def stamp(moment: datetime) -> str:
    return moment.strftime("%Y%m%d%H%M")


def _money(value: Decimal) -> str:
    return str(value.quantize(_CENT, rounding=ROUND_HALF_UP))


def doctor(visit: Visit) -> str:
    """A synthetic practising-licence number for the visit's doctor."""
    return f"{int(visit.facility.code) * 7 % 100000:06d}/BYT-CCHN"


def _cost_rows(visit: Visit) -> list[tuple[str, Decimal, Decimal, Decimal]]:
    """(table, THANH_TIEN_BV, T_BNCCT, T_BHTT) of every drug and service row."""
    rate = Decimal(cards.MUC_HUONG[visit.citizen.bhyt[2]])
    out = []
    items = [("XML2", d.price, q) for d, q in visit.drugs] + [("XML3", s.price, q) for s, q in visit.services]
    for kind, price, quantity in items:
        total = (Decimal(price) * quantity).quantize(_CENT, rounding=ROUND_HALF_UP)
        copay = (total * (100 - rate) / 100).quantize(_CENT, rounding=ROUND_HALF_UP)
        out.append((kind, total, copay, total - copay))
    return out


def totals(visit: Visit) -> Record:
    """The money fields of XML1 for a visit."""
    rows = _cost_rows(visit)
    drugs = sum((t for k, t, _, _ in rows if k == "XML2"), Decimal(0))
    total = sum((t for _, t, _, _ in rows), Decimal(0))
    copay = sum((c for _, _, c, _ in rows), Decimal(0))
    return {
        "T_THUOC": _money(drugs),
        "T_VTYT": "0.00",
        "T_TONGCHI_BV": _money(total),
        "T_TONGCHI_BH": _money(total),
        "T_BNTT": "0.00",
        "T_BNCCT": _money(copay),
        "T_BHTT": _money(total - copay),
        "T_NGUONKHAC": "0.00",
        "T_BHTT_GDV": "0.00",
    }


def _weight(visit: Visit) -> str:
    age = visit.citizen.age
    kg = (
        3.2 + 2.2 * age
        if age < 13
        else 42 + (visit.citizen.index % 25) + (6 if visit.citizen.sex == 1 else 0)
    )
    return f"{kg:.2f}"


def _person(visit: Visit) -> Record:
    c = visit.citizen
    return {
        "HO_TEN": c.name,
        "NGAY_SINH": c.dob.strftime("%Y%m%d") + "0000",
        "GIOI_TINH": str(c.sex),
        "DIA_CHI": c.address,
        "MA_THE_BHYT": c.bhyt,
        "GT_THE_DEN": c.card_to.strftime("%Y%m%d") if c.card_to else "",
    }


def _diagnoses(visit: Visit) -> Record:
    return {
        "CHAN_DOAN_RV": visit.diagnosis.title,
        "MA_BENH_CHINH": visit.diagnosis.icd10,
        "MA_BENH_KT": "",
        "MA_BENH_YHCT": "",
    }


def summary(visit: Visit) -> Record:
    """XML1 (TONG_HOP)."""
    c = visit.citizen
    admitted = visit.admitted
    # NGAY_RA - NGAY_VAO + 1 in calendar days (XML1-08), also for a visit that runs past midnight
    days = 0 if visit.kind == "09" else (visit.left.date() - visit.arrived.date()).days + 1
    return {
        "MA_LK": visit.ma_lk,
        "STT": "1",
        "MA_BN": f"BN{c.index:010d}",
        **_person(visit),
        "SO_CCCD": c.cccd,
        "NHOM_MAU": "",
        "MA_QUOCTICH": NATIONALITY_VN,
        "MA_DANTOC": c.ethnicity,
        "MA_NGHE_NGHIEP": c.occupation,
        "MATINH_CU_TRU": c.province,
        "MAHUYEN_CU_TRU": "000",
        "MAXA_CU_TRU": c.commune,
        "DIEN_THOAI": c.phone,
        "MA_DKBD": c.ma_dkbd,
        "GT_THE_TU": c.card_from.strftime("%Y%m%d") if c.card_from else "",
        "NGAY_MIEN_CCT": "",
        "LY_DO_VV": "Khám bệnh" if visit.kind != "07" else "Nhận thuốc theo hẹn",
        "LY_DO_VNT": visit.diagnosis.title if admitted else "",
        "MA_LY_DO_VNT": "",
        "CHAN_DOAN_VAO": visit.diagnosis.title,
        **_diagnoses(visit),
        "MA_PTTT_QT": "",
        "MA_DOITUONG_KCB": visit.category,
        "MA_NOI_DI": visit.referred_by,
        "MA_NOI_DEN": visit.referral.to if visit.referral else "",
        "MA_TAI_NAN": "",
        "NGAY_VAO": stamp(visit.arrived),
        "NGAY_VAO_NOI_TRU": stamp(admitted) if admitted else "",
        "NGAY_RA": stamp(visit.left),
        "GIAY_CHUYEN_TUYEN": visit.referred_from.number if visit.referred_from else "",
        "SO_NGAY_DTRI": str(days),
        "PP_DIEU_TRI": "Điều trị nội khoa",
        "KET_QUA_DTRI": str(visit.outcome),
        "MA_LOAI_RV": "2" if visit.referral else "1",
        "GHI_CHU": "",
        "NGAY_TTOAN": stamp(visit.left),
        **totals(visit),
        "NAM_QT": str(visit.left.year),
        "THANG_QT": str(visit.left.month),
        "MA_LOAI_KCB": visit.kind,
        "MA_KHOA": WARD,
        "MA_CSKCB": visit.facility.code,
        "MA_KHUVUC": "",
        "CAN_NANG": _weight(visit),
        "CAN_NANG_CON": "",
        "NAM_NAM_LIEN_TUC": "",
        "NGAY_TAI_KHAM": visit.appointment.strftime("%Y%m%d") if visit.appointment else "",
        "MA_HSBA": f"HS{visit.ma_lk[-16:]}",
        "MA_TTDV": doctor(visit),
        "DU_PHONG": "",
    }


def checkin(visit: Visit) -> Record:
    """XML0 (TRANG_THAI_KCB): the first cost is the exam, or the first drug of a pickup."""
    c = visit.citizen
    first: Record = {
        "MA_DICH_VU": "",
        "TEN_DICH_VU": "",
        "MA_THUOC": "",
        "TEN_THUOC": "",
        "MA_VAT_TU": "",
        "TEN_VAT_TU": "",
    }
    if visit.services:
        first.update(MA_DICH_VU=visit.services[0][0].code, TEN_DICH_VU=visit.services[0][0].name)
    else:
        first.update(MA_THUOC=visit.drugs[0][0].code, TEN_THUOC=visit.drugs[0][0].name)
    admitted = visit.admitted
    return {
        "MA_LK": visit.ma_lk,
        "STT": "1",
        "MA_BN": f"BN{c.index:010d}",
        "HO_TEN": c.name,
        "SO_CCCD": c.cccd,
        "NGAY_SINH": c.dob.strftime("%Y%m%d") + "0000",
        "GIOI_TINH": str(c.sex),
        "MA_THE_BHYT": c.bhyt,
        "MA_DKBD": c.ma_dkbd,
        "GT_THE_TU": c.card_from.strftime("%Y%m%d") if c.card_from else "",
        "GT_THE_DEN": c.card_to.strftime("%Y%m%d") if c.card_to else "",
        "MA_DOITUONG_KCB": visit.category,
        "NGAY_VAO": stamp(visit.arrived),
        "NGAY_VAO_NOI_TRU": stamp(admitted) if admitted else "",
        "LY_DO_VNT": visit.diagnosis.title if admitted else "",
        "MA_LY_DO_VNT": "",
        "MA_LOAI_KCB": visit.kind,
        "MA_CSKCB": visit.facility.code,
        **first,
        "NGAY_YL": stamp(visit.arrived),
        "DU_PHONG": "",
    }


def drugs(visit: Visit) -> list[Record]:
    """XML2 rows."""
    rows = [r for r in _cost_rows(visit) if r[0] == "XML2"]
    rate = str(cards.MUC_HUONG[visit.citizen.bhyt[2]])
    out = []
    for n, ((drug, quantity), (_, total, copay, fund)) in enumerate(zip(visit.drugs, rows, strict=True), 1):
        out.append(
            {
                "MA_LK": visit.ma_lk,
                "STT": str(n),
                "MA_THUOC": drug.code,
                "MA_PP_CHEBIEN": "",
                "MA_CSKCB_THUOC": "",
                "MA_NHOM": str(drug.group),
                "TEN_THUOC": drug.name,
                "DON_VI_TINH": drug.unit,
                "HAM_LUONG": drug.strength,
                "DUONG_DUNG": drug.route,
                "DANG_BAO_CHE": "Viên nén" if drug.unit == "Viên" else "Bột pha",
                "LIEU_DUNG": "1 lần/ngày",
                "CACH_DUNG": "Uống sau ăn",
                "SO_DANG_KY": f"VD-{10000 + n}-20",
                "TT_THAU": "G1;N1;2024",
                "PHAM_VI": "1",
                "TYLE_TT_BH": "100",
                "SO_LUONG": str(quantity),
                "DON_GIA": str(drug.price),
                "THANH_TIEN_BV": _money(total),
                "THANH_TIEN_BH": _money(total),
                "T_NGUONKHAC_NSNN": "0",
                "T_NGUONKHAC_VTNN": "0",
                "T_NGUONKHAC_VTTN": "0",
                "T_NGUONKHAC_CL": "0",
                "T_NGUONKHAC": "0",
                "MUC_HUONG": rate,
                "T_BNTT": "0",
                "T_BNCCT": _money(copay),
                "T_BHTT": _money(fund),
                "MA_KHOA": WARD,
                "MA_BAC_SI": doctor(visit),
                "MA_DICH_VU": "",
                "NGAY_YL": stamp(visit.arrived),
                "NGAY_TH_YL": stamp(visit.arrived),
                "MA_PTTT": "1",
                "NGUON_CTRA": "1",
                "VET_THUONG_TP": "",
                "DU_PHONG": "",
            }
        )
    return out


def services(visit: Visit) -> list[Record]:
    """XML3 rows (exam, bed days, lab tests)."""
    rows = [r for r in _cost_rows(visit) if r[0] == "XML3"]
    rate = str(cards.MUC_HUONG[visit.citizen.bhyt[2]])
    result_at = visit.labs[0].at if visit.labs else visit.arrived
    out = []
    for n, ((service, quantity), (_, total, copay, fund)) in enumerate(
        zip(visit.services, rows, strict=True), 1
    ):
        lab = service.group == 1
        out.append(
            {
                "MA_LK": visit.ma_lk,
                "STT": str(n),
                "MA_DICH_VU": service.code,
                "MA_PTTT_QT": "",
                "MA_VAT_TU": "",
                "MA_NHOM": str(service.group),
                "GOI_VTYT": "",
                "TEN_VAT_TU": "",
                "TEN_DICH_VU": service.name,
                "MA_XANG_DAU": "",
                "DON_VI_TINH": "Ngày" if service.group == 14 else "Lần",
                "PHAM_VI": "1",
                "SO_LUONG": str(quantity),
                "DON_GIA_BV": str(service.price),
                "DON_GIA_BH": str(service.price),
                "TT_THAU": "",
                "TYLE_TT_DV": "100",
                "TYLE_TT_BH": "100",
                "THANH_TIEN_BV": _money(total),
                "THANH_TIEN_BH": _money(total),
                "T_TRANTT": "",
                "MUC_HUONG": rate,
                "T_NGUONKHAC_NSNN": "0",
                "T_NGUONKHAC_VTNN": "0",
                "T_NGUONKHAC_VTTN": "0",
                "T_NGUONKHAC_CL": "0",
                "T_NGUONKHAC": "0",
                "T_BNTT": "0",
                "T_BNCCT": _money(copay),
                "T_BHTT": _money(fund),
                "MA_KHOA": WARD,
                "MA_GIUONG": "",
                "MA_BAC_SI": doctor(visit),
                "NGUOI_THUC_HIEN": doctor(visit),
                "MA_BENH": visit.diagnosis.icd10,
                "MA_BENH_YHCT": "",
                "NGAY_YL": stamp(visit.arrived),
                "NGAY_TH_YL": stamp(visit.arrived),
                "NGAY_KQ": stamp(result_at) if lab else "",
                "MA_PTTT": "1",
                "VET_THUONG_TP": "",
                "PP_VO_CAM": "",
                "VI_TRI_TH_DVKT": "",
                "MA_MAY": "",
                "MA_HIEU_SP": "",
                "TAI_SU_DUNG": "",
                "DU_PHONG": "",
            }
        )
    return out


def lab_results(visit: Visit) -> list[Record]:
    """XML4 rows: one per indicator, with value, unit and result time."""
    return [
        {
            "MA_LK": visit.ma_lk,
            "STT": str(n),
            "MA_DICH_VU": lab.test.service,
            "MA_CHI_SO": lab.test.code,
            "TEN_CHI_SO": lab.test.name,
            "GIA_TRI": lab.value,
            "DON_VI_DO": lab.test.unit,
            "MO_TA": "",
            "KET_LUAN": "",
            "NGAY_KQ": stamp(lab.at),
            "MA_BS_DOC_KQ": doctor(visit),
            "DU_PHONG": "",
        }
        for n, lab in enumerate(visit.labs, 1)
    ]


def referral(visit: Visit) -> Record:
    """XML13 (CHI_TIEU_GIAYCHUYENTUYEN), 3176 tags."""
    assert visit.referral is not None
    c = visit.citizen
    person = _person(visit)
    return {
        "MA_LK": visit.ma_lk,
        "SO_HOSO": f"HS{visit.ma_lk[-16:]}",
        "SO_CHUYENTUYEN": visit.referral.number,
        "GIAY_CHUYEN_TUYEN": visit.referral.number,
        "MA_CSKCB": visit.facility.code,
        "MA_CSKCB_DI": visit.referred_by,
        "MA_CSKCB_DEN": visit.referral.to,
        "HO_TEN": person["HO_TEN"],
        "NGAY_SINH": person["NGAY_SINH"],
        "GIOI_TINH": person["GIOI_TINH"],
        "MA_QUOCTICH": NATIONALITY_VN,
        "MA_DANTOC": c.ethnicity,
        "MA_NGHE_NGHIEP": c.occupation,
        "DIA_CHI": c.address,
        "MA_THE_BHYT": c.bhyt,
        "GT_THE_DEN": person["GT_THE_DEN"],
        "NGAY_VAO": stamp(visit.arrived),
        "NGAY_VAO_NOI_TRU": "",
        "NGAY_RA": stamp(visit.left),
        "DAU_HIEU_LS": f"Người bệnh có biểu hiện {visit.diagnosis.title.lower()}",
        "CHAN_DOAN_RV": visit.diagnosis.title,
        "QT_BENHLY": "Đã khám và điều trị ban đầu",
        "TOMTAT_KQ": "; ".join(f"{lab.test.name}: {lab.value} {lab.test.unit}" for lab in visit.labs),
        "PP_DIEUTRI": "Điều trị nội khoa",
        "MA_BENH_CHINH": visit.diagnosis.icd10,
        "MA_BENH_KT": "",
        "MA_BENH_YHCT": "",
        "TINH_TRANG_CT": "Ổn định",
        "MA_LOAI_RV": "2",
        "MA_LYDO_CT": str(visit.referral.reason),
        "HUONG_DIEU_TRI": "Tiếp tục điều trị tại tuyến trên",
        "PHUONGTIEN_VC": "Tự túc",
        "HOTEN_NGUOI_HT": "",
        "CHUCDANH_NGUOI_HT": "",
        "MA_BAC_SI": doctor(visit),
        "MA_TTDV": doctor(visit),
        "DU_PHONG": "",
    }


def appointment(visit: Visit) -> Record:
    """XML14 (CHI_TIEU_GIAYHEN_KHAMLAI)."""
    assert visit.appointment is not None
    person = _person(visit)
    return {
        "MA_LK": visit.ma_lk,
        "SO_GIAYHEN_KL": f"GH{visit.ma_lk[-16:]}",
        "MA_CSKCB": visit.facility.code,
        **person,
        "NGAY_VAO": stamp(visit.arrived),
        "NGAY_VAO_NOI_TRU": stamp(visit.admitted) if visit.admitted else "",
        "NGAY_RA": stamp(visit.left),
        "NGAY_HEN_KL": visit.appointment.strftime("%Y%m%d"),
        **_diagnoses(visit),
        "MA_DOITUONG_KCB": visit.category,
        "MA_BAC_SI": doctor(visit),
        "MA_TTDV": doctor(visit),
        "NGAY_CT": visit.left.strftime("%Y%m%d"),
        "DU_PHONG": "",
    }


COURSE_TYPES = frozenset({"02", "03", "04", "05", "06", "08", "09"})
"""MA_LOAI_KCB that send the clinical course (XML5) [S] QĐ 3176 footnotes."""
SUMMARY_TYPES = frozenset({"03", "04", "06"})
"""MA_LOAI_KCB that send the record summary (XML8) [S]."""


def clinical_course(visit: Visit) -> list[Record]:
    """XML5 rows: admission and discharge notes."""
    notes = [
        (visit.arrived, f"Vào viện: {visit.diagnosis.title.lower()}"),
        (visit.left, "Ra viện" if visit.outcome != 5 else "Tử vong"),
    ]
    return [
        {
            "MA_LK": visit.ma_lk,
            "STT": str(n),
            "DIEN_BIEN_LS": text,
            "GIAI_DOAN_BENH": "",
            "HOI_CHAN": "",
            "PHAU_THUAT": "",
            "THOI_DIEM_DBLS": stamp(at),
            "NGUOI_THUC_HIEN": doctor(visit),
            "DU_PHONG": "",
        }
        for n, (at, text) in enumerate(notes, 1)
    ]


def record_summary(visit: Visit) -> Record:
    """XML8 (record summary), the source of the health book's treatment summary."""
    return {
        "MA_LK": visit.ma_lk,
        "MA_LOAI_KCB": visit.kind,
        "HO_TEN_CHA": "",
        "HO_TEN_ME": "",
        "NGUOI_GIAM_HO": "",
        "DON_VI": "",
        "NGAY_VAO": stamp(visit.arrived),
        "NGAY_RA": stamp(visit.left),
        "CHAN_DOAN_VAO": visit.diagnosis.title,
        "CHAN_DOAN_RV": visit.diagnosis.title,
        "QT_BENHLY": "Điều trị nội khoa, theo dõi diễn biến",
        "TOMTAT_KQ": "; ".join(f"{lab.test.name}: {lab.value} {lab.test.unit}" for lab in visit.labs),
        "PP_DIEUTRI": "Điều trị nội khoa",
        "NGAY_SINHCON": "",
        "NGAY_CONCHET": "",
        "SO_CONCHET": "",
        "KET_QUA_DTRI": str(visit.outcome),
        "GHI_CHU": "",
        "MA_TTDV": doctor(visit),
        "NGAY_CT": visit.left.strftime("%Y%m%d"),
        "MA_THE_TAM": "",
        "DU_PHONG": "",
    }


def tables(visit: Visit) -> dict[str, list[Record]]:
    """LOAIHOSO -> records of the tables this visit has (XML4 only with lab results, XML13 only
    for a referral, XML14 only with an appointment)."""
    out = {"XML1": [summary(visit)], "XML2": drugs(visit), "XML3": services(visit)}
    if visit.labs:
        out["XML4"] = lab_results(visit)
    if visit.kind in COURSE_TYPES:
        out["XML5"] = clinical_course(visit)
    if visit.kind in SUMMARY_TYPES:
        out["XML8"] = [record_summary(visit)]
    if visit.referral:
        out["XML13"] = [referral(visit)]
    if visit.appointment:
        out["XML14"] = [appointment(visit)]
    return {kind: records for kind, records in out.items() if records}
