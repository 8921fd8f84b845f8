"""One outpatient visit of a citizen at a facility, as the records of the XML 130 tables.

The hospital simulator sends these; everything is derived from (seed, citizen, number, arrival)
so the same inputs give the same bytes.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Protocol

from lienthong.simulators.clock import VN_TZ, vn_stamp
from lienthong.simulators.population import Citizen, citizens

Record = dict[str, str]


class HasCode(Protocol):
    """Anything with a facility code (a simulated ``Facility`` or a gateway ``Account``)."""

    @property
    def code(self) -> str: ...


_DIAGNOSES = (
    ("J06.9", "Nhiễm trùng đường hô hấp trên cấp"),
    ("I10", "Tăng huyết áp vô căn (nguyên phát)"),
    ("E11.9", "Đái tháo đường typ 2 không biến chứng"),
    ("K29.7", "Viêm dạ dày, không đặc hiệu"),
    ("M54.5", "Đau thắt lưng"),
)
# Card benefit digit -> MUC_HUONG (%), QĐ 1351/QĐ-BHXH as amended [S].
_BENEFIT = {"1": 100, "2": 100, "3": 95, "4": 80, "5": 100}
_CENT = Decimal("0.01")


def _treatment_days(arrived: str, left: str) -> str:
    """SO_NGAY_DTRI of an examination: NGAY_RA - NGAY_VAO + 1 in calendar days (XML1-08)."""
    days = datetime.strptime(left[:8], "%Y%m%d") - datetime.strptime(arrived[:8], "%Y%m%d")
    return str(days.days + 1)


def _money(value: Decimal) -> str:
    return str(value.quantize(_CENT, rounding=ROUND_HALF_UP))


@dataclass
class Visit:
    """The table records of one episode, keyed by MA_LK."""

    ma_lk: str
    citizen: Citizen
    facility: HasCode
    emergency: bool
    checkin: Record
    summary: Record
    drugs: list[Record] = field(default_factory=list)
    services: list[Record] = field(default_factory=list)
    labs: list[Record] = field(default_factory=list)
    more: dict[str, list[Record]] = field(default_factory=dict)
    """Further tables (XML5, XML8, XML13, XML14...) by LOAIHOSO."""

    @property
    def tables(self) -> dict[str, list[Record]]:
        """LOAIHOSO -> records, only the tables this visit has."""
        out = {"XML1": [self.summary], "XML2": self.drugs, "XML3": self.services, "XML4": self.labs}
        out |= self.more
        return {kind: records for kind, records in out.items() if records}

    def under(self, ma_lk: str) -> Visit:
        """A copy of this visit with every record under another MA_LK (a faulty HIS that sends
        one visit again as a new episode)."""

        def moved(records: list[Record]) -> list[Record]:
            return [dict(r, MA_LK=ma_lk) if "MA_LK" in r else dict(r) for r in records]

        return replace(
            self,
            ma_lk=ma_lk,
            checkin=moved([self.checkin])[0],
            summary=moved([self.summary])[0],
            drugs=moved(self.drugs),
            services=moved(self.services),
            labs=moved(self.labs),
            more={kind: moved(records) for kind, records in self.more.items()},
        )


def visit_for(citizen: Citizen, facility: HasCode, *, seed: int, number: int, arrived: datetime) -> Visit:
    """An outpatient examination (MA_LOAI_KCB 01) with one drug, the exam fee and maybe a lab test."""
    rng = random.Random(f"lienthong-visit:{seed}:{citizen.index}:{number}:{facility.code}")
    ma_lk = f"{facility.code}{vn_stamp(arrived, '%y%m%d%H%M')}{citizen.index:09d}{number:02d}"
    ordered = arrived + timedelta(minutes=rng.randint(5, 30))
    left = ordered + timedelta(minutes=rng.randint(30, 180))
    icd, diagnosis = rng.choice(_DIAGNOSES)
    emergency = rng.random() < 0.05
    category = "2" if emergency else "1.1"
    benefit = _BENEFIT[citizen.bhyt[2]]
    doctor = f"{rng.randint(1, 99_999):06d}/BYT-CCHN"
    when = {
        "arrived": vn_stamp(arrived, "%Y%m%d%H%M"),
        "ordered": vn_stamp(ordered, "%Y%m%d%H%M"),
        "left": vn_stamp(left, "%Y%m%d%H%M"),
    }

    exam_price = Decimal("38700")
    drug_qty, drug_price = Decimal(rng.choice((6, 10, 14, 20))), Decimal(rng.choice((350, 500, 1200)))
    drug_total, exam_total = drug_qty * drug_price, exam_price

    def shares(total: Decimal) -> tuple[str, str]:
        fund = (total * benefit / 100).quantize(_CENT, rounding=ROUND_HALF_UP)
        return _money(total - fund), _money(fund)

    drug_copay, drug_fund = shares(drug_total)
    exam_copay, exam_fund = shares(exam_total)
    drugs = [
        {
            "MA_LK": ma_lk,
            "STT": "1",
            "MA_THUOC": "05C.161",
            "MA_NHOM": "4",
            "TEN_THUOC": "Paracetamol",
            "DON_VI_TINH": "Viên",
            "HAM_LUONG": "500mg",
            "DUONG_DUNG": "1.01",
            "LIEU_DUNG": "1 viên x 2 lần/ngày",
            "SO_DANG_KY": "VD-12345-20",
            "TT_THAU": "G1;N4;2025",
            "PHAM_VI": "1",
            "TYLE_TT_BH": "100",
            "SO_LUONG": str(drug_qty),
            "DON_GIA": str(drug_price),
            "THANH_TIEN_BV": _money(drug_total),
            "THANH_TIEN_BH": _money(drug_total),
            "T_NGUONKHAC": "0",
            "MUC_HUONG": str(benefit),
            "T_BNTT": "0",
            "T_BNCCT": drug_copay,
            "T_BHTT": drug_fund,
            "MA_KHOA": "K01",
            "MA_BAC_SI": doctor,
            "NGAY_YL": when["ordered"],
            "NGAY_TH_YL": when["ordered"],
            "MA_PTTT": "1",
        }
    ]
    services = [
        {
            "MA_LK": ma_lk,
            "STT": "1",
            "MA_DICH_VU": "02.1896",
            "MA_NHOM": "13",
            "TEN_DICH_VU": "Khám Nội",
            "DON_VI_TINH": "Lần",
            "PHAM_VI": "1",
            "SO_LUONG": "1",
            "DON_GIA_BV": str(exam_price),
            "DON_GIA_BH": str(exam_price),
            "TYLE_TT_DV": "100",
            "TYLE_TT_BH": "100",
            "THANH_TIEN_BV": _money(exam_total),
            "THANH_TIEN_BH": _money(exam_total),
            "T_NGUONKHAC": "0",
            "MUC_HUONG": str(benefit),
            "T_BNTT": "0",
            "T_BNCCT": exam_copay,
            "T_BHTT": exam_fund,
            "MA_KHOA": "K01",
            "MA_BAC_SI": doctor,
            "NGUOI_THUC_HIEN": doctor,
            "NGAY_YL": when["arrived"],
            "NGAY_TH_YL": when["arrived"],
            "NGAY_KQ": when["ordered"],
            "MA_PTTT": "1",
        }
    ]
    labs = []
    if rng.random() < 0.5:
        labs.append(
            {
                "MA_LK": ma_lk,
                "STT": "1",
                "MA_DICH_VU": "23.0075.1494",
                "MA_CHI_SO": "GLU",
                "TEN_CHI_SO": "Glucose máu",
                "GIA_TRI": f"{rng.uniform(3.9, 9.5):.1f}",
                "DON_VI_DO": "mmol/L",
                "NGAY_KQ": when["ordered"],
                "MA_BS_DOC_KQ": doctor,
            }
        )
    lab_total = Decimal("21500") if labs else Decimal(0)
    if labs:  # a lab result (XML4) needs its billed paraclinical service in XML3 (PRES-03)
        lab_copay, lab_fund = shares(lab_total)
        services.append(
            {
                **services[0],
                "STT": "2",
                "MA_DICH_VU": "23.0075.1494",
                "MA_NHOM": "1",
                "TEN_DICH_VU": "Định lượng Glucose",
                "DON_GIA_BV": str(lab_total),
                "DON_GIA_BH": str(lab_total),
                "THANH_TIEN_BV": _money(lab_total),
                "THANH_TIEN_BH": _money(lab_total),
                "T_BNCCT": lab_copay,
                "T_BHTT": lab_fund,
                "NGAY_YL": when["ordered"],
                "NGAY_TH_YL": when["ordered"],
                "NGAY_KQ": when["ordered"],
            }
        )
    else:
        lab_copay = "0"
    total_bv = drug_total + exam_total + lab_total
    total_copay = Decimal(drug_copay) + Decimal(exam_copay) + Decimal(lab_copay)
    demographics = {
        "MA_LK": ma_lk,
        "STT": "1",
        "MA_BN": f"BN{citizen.index:010d}",
        "HO_TEN": citizen.name,
        "SO_CCCD": citizen.cccd,
        "NGAY_SINH": citizen.dob.strftime("%Y%m%d") + "0000",
        "GIOI_TINH": str(citizen.sex),
    }
    card = {
        "MA_THE_BHYT": citizen.bhyt,
        "MA_DKBD": facility.code,
        "GT_THE_TU": f"{arrived.year}0101",
        "GT_THE_DEN": f"{arrived.year}1231",
    }
    checkin = {
        **demographics,
        **card,
        "MA_DOITUONG_KCB": category,
        "NGAY_VAO": when["arrived"],
        "MA_LOAI_KCB": "01",
        "MA_CSKCB": facility.code,
        "MA_DICH_VU": "02.1896",
        "TEN_DICH_VU": "Khám Nội",
        "NGAY_YL": when["arrived"],
    }
    summary = {
        **demographics,
        "MA_QUOCTICH": "000",
        "MA_DANTOC": "01",
        "MA_NGHE_NGHIEP": "00",
        "DIA_CHI": citizen.address,
        "MATINH_CU_TRU": citizen.province,
        "MAHUYEN_CU_TRU": "000",
        "MAXA_CU_TRU": f"{citizen.province}001",
        "DIEN_THOAI": citizen.phone,
        **card,
        "LY_DO_VV": "Khám bệnh",
        "CHAN_DOAN_VAO": diagnosis,
        "CHAN_DOAN_RV": diagnosis,
        "MA_BENH_CHINH": icd,
        "MA_DOITUONG_KCB": category,
        "NGAY_VAO": when["arrived"],
        "NGAY_RA": when["left"],
        "SO_NGAY_DTRI": _treatment_days(when["arrived"], when["left"]),
        "KET_QUA_DTRI": "2",
        "MA_LOAI_RV": "1",
        "T_THUOC": _money(drug_total),
        "T_VTYT": "0.00",
        "T_TONGCHI_BV": _money(total_bv),
        "T_TONGCHI_BH": _money(total_bv),
        "T_BNTT": "0.00",
        "T_BNCCT": _money(total_copay),
        "T_BHTT": _money(total_bv - total_copay),
        "T_NGUONKHAC": "0.00",
        "T_BHTT_GDV": "0.00",
        "NAM_QT": str(left.year),
        "THANG_QT": str(left.month),
        "MA_LOAI_KCB": "01",
        "MA_KHOA": "K01",
        "MA_CSKCB": facility.code,
        "MA_KHUVUC": "",
        "CAN_NANG": f"{rng.uniform(8, 85):.2f}",
        "MA_HSBA": f"HS{citizen.index:08d}{number:02d}",
        "MA_TTDV": f"{rng.randint(1, 9_999):06d}/BYT-CCHN",
    }
    return Visit(ma_lk, citizen, facility, emergency, checkin, summary, drugs, services, labs)


def visits_at(facility: HasCode, *, seed: int, start: int, count: int, day: date) -> Iterator[Visit]:
    """One visit (number 1) of each citizen ``start .. start+count-1`` of population ``seed`` at
    ``facility``, arriving on ``day`` from 08:00 Vietnam time, three minutes apart: what
    ``lienthong generate --facility`` writes, for citizens the simulated network knows. A citizen
    who died before ``day`` makes no visit (C06 would refuse the identity)."""
    opening = datetime.combine(day, time(8, 0), tzinfo=VN_TZ)
    for offset, person in enumerate(citizens(seed, start, count)):
        if person.death is not None and person.death < day:
            continue
        yield visit_for(
            person, facility, seed=seed, number=1, arrived=opening + timedelta(minutes=3 * offset)
        )
