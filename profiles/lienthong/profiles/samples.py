"""Valid sample dossiers as records (table -> list of field dicts), deterministic per seed.

They exercise the common shapes (examination, inpatient stay, referral, appointment, paraclinical
results) and pass every rule of the profile version they are built for. Tests, the benchmark and
the docs use them; :mod:`lienthong.profiles.mutations` breaks them one rule at a time. They are
not the population generator (lienthong.simulators.population): no statistics, only validity.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from random import Random
from typing import Protocol

Tables = dict[str, list[dict[str, str]]]

_ICD = ("J18.9", "K29.7", "I10", "E11.9", "M54.5", "N39.0", "A09", "J06.9")
_NAMES = ("Nguyễn Văn An", "Trần Thị Bích", "Lê Hoàng Cường", "Phạm Thị Dung", "Hoàng Minh Đức")


def _money(value: Decimal) -> str:
    return f"{value:.2f}"


def _shares(amount: Decimal) -> dict[str, str]:
    """The money fields of a drug or service row fully in BHYT scope at an 80 % benefit."""
    return {
        "THANH_TIEN_BV": _money(amount),
        "THANH_TIEN_BH": _money(amount),
        "MUC_HUONG": "80",
        "T_BNTT": "0.00",
        "T_BNCCT": _money(amount * Decimal("0.2")),
        "T_BHTT": _money(amount * Decimal("0.8")),
    }


def sample_tables(
    seed: int = 0,
    *,
    version: str = "qd3176",
    kind: str | None = None,
    referral: bool | None = None,
    appointment: bool | None = None,
) -> Tables:
    """A valid dossier's tables. ``kind`` is ``"01"`` (examination) or ``"03"`` (inpatient);
    ``referral`` adds XML13 (MA_LOAI_RV 2), ``appointment`` adds XML14 (NGAY_TAI_KHAM)."""
    rng = Random(seed)
    kind = kind or rng.choice(("01", "01", "01", "03"))
    referral = rng.random() < 0.1 if referral is None else referral
    appointment = rng.random() < 0.3 if appointment is None else appointment
    year = {"qd130": 2024, "qd4750": 2024, "qd3176": 2025}[version]
    month = {"qd130": 3, "qd4750": 9, "qd3176": 3}[version]
    day = 1 + rng.randrange(20)
    male = rng.random() < 0.5
    birth_year = 1940 + rng.randrange(80)
    sex = "1" if male else "2"
    century = (birth_year - 1900) // 100 * 2 + (0 if male else 1)
    ma_lk = f"LK{seed:010d}"
    facility = "01001"
    start = f"{year}{month:02d}{day:02d}0800"
    if kind == "03":
        end_day, admitted = day + 3, f"{year}{month:02d}{day:02d}1000"
        days = "4"
    else:
        end_day, admitted, days = day, "", "1"
    end = f"{year}{month:02d}{end_day:02d}1130"
    doctor = f"{rng.randrange(1, 99999):06d}/HNO-CCHN"
    head = (
        f"{rng.randrange(1, 99999):06d}/BYT-GPHN"
        if version == "qd3176"
        else f"{rng.randrange(10**9, 10**10)}"
    )
    main_icd = rng.choice(_ICD)
    others = [c for c in _ICD if c != main_icd]
    other_icd = ";".join(rng.sample(others, rng.randrange(3)))
    card = f"DN4{'01'}{rng.randrange(10**9, 10**10)}"

    def stamp(day_: int, hhmm: str) -> str:
        return f"{year}{month:02d}{day_:02d}{hhmm}"

    drugs: list[dict[str, str]] = []
    for n in range(1 + rng.randrange(3)):
        qty, price = Decimal(5 + rng.randrange(20)), Decimal(f"{500 + rng.randrange(5000)}.500")
        bv = (qty * price).quantize(Decimal("0.01"))
        row = {
            "MA_LK": ma_lk,
            "STT": str(n + 1),
            "MA_THUOC": f"40.{100 + n}",
            "MA_NHOM": "4",
            "TEN_THUOC": ("Paracetamol", "Amoxicilin", "Omeprazol")[n],
            "DON_VI_TINH": "Viên",
            "HAM_LUONG": "500mg",
            "DUONG_DUNG": "1.01",
            "LIEU_DUNG": "1 viên/lần * 2 lần/ngày",
            "SO_DANG_KY": f"VD-{10000 + n}-20",
            "TT_THAU": "57/QĐ-TTMS;G1;N1;2024",
            "PHAM_VI": "1",
            "TYLE_TT_BH": "100",
            "SO_LUONG": str(qty),
            "DON_GIA": str(price),
            **_shares(bv),
            "MA_KHOA": "K01",
            "MA_BAC_SI": doctor,
            "NGAY_YL": stamp(day, "0900"),
        }
        if version == "qd3176":
            row["NGAY_TH_YL"] = stamp(day, "0930")
        row["MA_PTTT"] = "1"
        drugs.append(row)

    def service(n: int, group: str, code: str, name: str, price: str, **extra: str) -> dict[str, str]:
        bv = Decimal(price).quantize(Decimal("0.01"))
        row = {
            "MA_LK": ma_lk,
            "STT": str(n),
            "MA_DICH_VU": code,
            "MA_NHOM": group,
            "TEN_DICH_VU": name,
            "DON_VI_TINH": "Lần",
            "PHAM_VI": "1",
            "SO_LUONG": "1",
            "DON_GIA_BV": price,
            "DON_GIA_BH": price,
            "TYLE_TT_DV": "100",
            "TYLE_TT_BH": "100",
            **_shares(bv),
            "MA_KHOA": "K01",
            "MA_BAC_SI": doctor,
            "NGAY_YL": stamp(day, "0815"),
            "MA_PTTT": "1",
        }
        row.update(extra)
        return row

    services = [service(1, "13", "02.1896", "Khám Nội", "38700.000")]
    with_lab = rng.random() < 0.7
    if with_lab:
        services.append(
            service(
                len(services) + 1,
                "1",
                "23.0075.1494",
                "Định lượng Glucose",
                "21500.000",
                NGUOI_THUC_HIEN=doctor,
                NGAY_TH_YL=stamp(day, "0830"),
                NGAY_KQ=stamp(day, "0930"),
            )
        )
    services.append(
        service(
            len(services) + 1,
            "10",
            "",
            "Bơm tiêm 5ml",
            "1200.000",
            MA_VAT_TU="N03.02.040",
            TEN_VAT_TU="Bơm tiêm nhựa 5ml",
            TT_THAU="120/QĐ-SYT;G2;N3;2024",
            MA_DICH_VU="",
        )
    )
    services[-1]["TEN_DICH_VU"] = ""
    if kind == "03":
        services.append(
            service(len(services) + 1, "15", "K01.1911", "Giường Nội khoa", "249000.000", SO_LUONG=days)
        )
        row = services[-1]
        bv = (Decimal(days) * Decimal("249000")).quantize(Decimal("0.01"))
        row.update(
            THANH_TIEN_BV=_money(bv),
            THANH_TIEN_BH=_money(bv),
            T_BNCCT=_money(bv * Decimal("0.2")),
            T_BHTT=_money(bv * Decimal("0.8")),
        )

    rows = drugs + services
    t_bv = sum((Decimal(r["THANH_TIEN_BV"]) for r in rows), Decimal(0))
    t_bh = sum((Decimal(r["THANH_TIEN_BH"]) for r in rows), Decimal(0))
    t_cct = sum((Decimal(r["T_BNCCT"]) for r in rows), Decimal(0))
    summary = {
        "MA_LK": ma_lk,
        "STT": "1",
        "MA_BN": f"BN{seed:08d}",
        "HO_TEN": rng.choice(_NAMES),
        "SO_CCCD": f"001{century}{birth_year % 100:02d}{rng.randrange(10**6):06d}",
        "NGAY_SINH": f"{birth_year}0{1 + rng.randrange(9)}150000",
        "GIOI_TINH": sex,
        "MA_QUOCTICH": "000",
        "MA_DANTOC": "01",
        "MA_NGHE_NGHIEP": "00",
        "DIA_CHI": "Số 1 phố Tràng Tiền, Phường Hoàn Kiếm, Thành phố Hà Nội",
        "MATINH_CU_TRU": "01",
        "MAHUYEN_CU_TRU": "001",
        "MAXA_CU_TRU": "00070",
        "MA_THE_BHYT": card,
        "MA_DKBD": facility,
        "GT_THE_TU": f"{year}0101",
        "GT_THE_DEN": f"{year}1231",
        "LY_DO_VV": "Sốt, ho",
        "CHAN_DOAN_VAO": "Viêm phổi",
        "CHAN_DOAN_RV": "Viêm phổi",
        "MA_BENH_CHINH": main_icd,
        "MA_BENH_KT": other_icd,
        "MA_DOITUONG_KCB": "1.1",
        "NGAY_VAO": start,
        "NGAY_RA": end,
        "SO_NGAY_DTRI": days,
        "KET_QUA_DTRI": "1",
        "MA_LOAI_RV": "2" if referral else "1",
        "NGAY_TTOAN": end,
        "T_THUOC": _money(sum((Decimal(r["THANH_TIEN_BV"]) for r in drugs), Decimal(0))),
        "T_VTYT": _money(
            sum((Decimal(r["THANH_TIEN_BV"]) for r in services if r["MA_NHOM"] in ("10", "11")), Decimal(0))
        ),
        "T_TONGCHI_BV": _money(t_bv),
        "T_TONGCHI_BH": _money(t_bh),
        "T_BNTT": "0.00",
        "T_BNCCT": _money(t_cct),
        "T_BHTT": _money(t_bh - t_cct),
        "T_NGUONKHAC": "0.00",
        "T_BHTT_GDV": "0.00",
        "NAM_QT": str(year),
        "THANG_QT": str(month),
        "MA_LOAI_KCB": kind,
        "MA_KHOA": "K01",
        "MA_CSKCB": facility,
        "MA_KHUVUC": "",
        "CAN_NANG": "60.50",
        "NGAY_TAI_KHAM": f"{year}{month:02d}{end_day + 7:02d}" if appointment else "",
        "MA_HSBA": f"HS{seed:08d}",
        "MA_TTDV": head,
    }
    if admitted:
        summary["NGAY_VAO_NOI_TRU"] = admitted
        summary["LY_DO_VNT"] = "Viêm phổi cần điều trị nội trú"
    if version == "qd130":
        summary["MA_LOAI_KCB"] = str(int(kind))
        summary["MA_DANTOC"] = "1"
        summary["MA_QUOCTICH"] = "0"
    else:
        summary["NHOM_MAU"] = "O"
    tables: Tables = {"XML1": [summary], "XML2": drugs, "XML3": services}
    if with_lab:
        tables["XML4"] = [
            {
                "MA_LK": ma_lk,
                "STT": "1",
                "MA_DICH_VU": "23.0075.1494",
                "MA_CHI_SO": "GLU",
                "TEN_CHI_SO": "Glucose",
                "GIA_TRI": f"{4 + rng.random() * 3:.1f}",
                "DON_VI_DO": "mmol/L",
                "NGAY_KQ": stamp(day, "0930"),
                "MA_BS_DOC_KQ": doctor,
            },
        ]
    if kind == "03":
        tables["XML5"] = [
            {
                "MA_LK": ma_lk,
                "STT": str(n + 1),
                "DIEN_BIEN_LS": f"Ngày {n + 1}: ổn định",
                "THOI_DIEM_DBLS": stamp(day + n, "0800"),
                "NGUOI_THUC_HIEN": doctor,
            }
            for n in range(3)
        ]
        tables["XML8"] = [
            {
                "MA_LK": ma_lk,
                "MA_LOAI_KCB": kind,
                "NGAY_VAO": start,
                "NGAY_RA": end,
                "CHAN_DOAN_VAO": "Viêm phổi",
                "CHAN_DOAN_RV": "Viêm phổi",
                "QT_BENHLY": "Sốt 3 ngày",
                "TOMTAT_KQ": "X-quang: tổn thương phổi phải",
                "PP_DIEUTRI": "Nội khoa",
                "KET_QUA_DTRI": "1",
                "MA_TTDV": head if version == "qd3176" else doctor,
                "NGAY_CT": end[:8],
            }
        ]
    if referral and version != "qd130":
        letter = {
            "MA_LK": ma_lk,
            "SO_HOSO": f"CT{seed:06d}",
            "SO_CHUYENTUYEN": f"{seed % 1000}/2025",
            "GIAY_CHUYEN_TUYEN": f"GCT{seed:06d}",
            "MA_CSKCB": facility,
            "HO_TEN": summary["HO_TEN"],
            "NGAY_SINH": summary["NGAY_SINH"],
            "GIOI_TINH": sex,
            "MA_QUOCTICH": summary["MA_QUOCTICH"],
            "MA_DANTOC": summary["MA_DANTOC"],
            "DIA_CHI": summary["DIA_CHI"],
            "MA_THE_BHYT": card,
            "GT_THE_DEN": summary["GT_THE_DEN"],
            "NGAY_VAO": start,
            "NGAY_RA": end,
            "DAU_HIEU_LS": "Sốt cao, khó thở",
            "CHAN_DOAN_RV": summary["CHAN_DOAN_RV"],
            "QT_BENHLY": "Diễn biến nặng",
            "MA_BENH_CHINH": main_icd,
            "MA_LOAI_RV": "2",
            "MA_LYDO_CT": "2",
            "HUONG_DIEU_TRI": "Tiếp tục điều trị tuyến trên",
            "PHUONGTIEN_VC": "Xe cứu thương",
            "MA_BAC_SI": doctor,
            "MA_TTDV": head,
        }
        if version == "qd3176":
            letter.update(MA_CSKCB_DEN="01002", TINH_TRANG_CT="Ổn định")
        else:
            letter.update(MA_NOI_DEN="01002", PP_DIEU_TRI="Ổn định")
        tables["XML13"] = [letter]
    elif referral:
        summary["MA_LOAI_RV"] = "1"
    if appointment and version != "qd130":
        due = summary["NGAY_TAI_KHAM"] + ("0800" if version == "qd4750" else "")
        tables["XML14"] = [
            {
                "MA_LK": ma_lk,
                "SO_GIAYHEN_KL": f"GH{seed:06d}",
                "MA_CSKCB": facility,
                "HO_TEN": summary["HO_TEN"],
                "NGAY_SINH": summary["NGAY_SINH"],
                "GIOI_TINH": sex,
                "DIA_CHI": summary["DIA_CHI"],
                "MA_THE_BHYT": card,
                "NGAY_VAO": start,
                "NGAY_RA": end,
                "NGAY_HEN_KL": due,
                "CHAN_DOAN_RV": summary["CHAN_DOAN_RV"],
                "MA_BENH_CHINH": main_icd,
                "MA_DOITUONG_KCB": "1.1",
                "MA_BAC_SI": doctor,
                "MA_TTDV": head,
                "NGAY_CT": end[:8],
            }
        ]
    elif appointment:
        summary["NGAY_TAI_KHAM"] = ""
    return tables


def _plus_days(day: str, days: int) -> str:
    from datetime import datetime, timedelta

    return (datetime.strptime(day, "%Y%m%d") + timedelta(days=days)).strftime("%Y%m%d")


def _staff(tables: Tables) -> tuple[str, str]:
    """(head, doctor): licence numbers of the facility head and of a practitioner of the dossier."""
    from lienthong.profiles.identifiers import licence_problems

    summary = tables["XML1"][0]
    rows = [*tables.get("XML2", []), *tables.get("XML3", [])]
    doctor = next((r["MA_BAC_SI"] for r in rows if r.get("MA_BAC_SI")), "000001/HNO-CCHN")
    head = summary.get("MA_TTDV", "")
    return (head if head and not licence_problems(head) else doctor), doctor


def _bhxh_number(card: str) -> str:
    """The BHXH number in a BHYT card number: its last 10 digits (QĐ 1666/QĐ-BHXH [S])."""
    tail = card[-10:]
    return tail if len(tail) == 10 and tail.isdigit() else "0123456789"


def extra_record(kind: str, tables: Tables) -> dict[str, str]:
    """A valid record of a table the samples never carry (``EXTRA_TABLES``: XML6 HIV care, XML7
    discharge paper, XML9 birth certificate, XML10 pregnancy rest, XML11 sick leave, XML15 TB
    treatment) for the dossier ``tables``: fields that repeat XML1 are copied from it, dates follow
    the visit, licences are the dossier's own. Valid in the QĐ 4750 and 3176 profiles; the
    mutation catalogue adds one to break that table's rules."""
    s = tables["XML1"][0]
    head, doctor = _staff(tables)
    arrived, left = s["NGAY_VAO"], s["NGAY_RA"]
    number = s.get("MA_HSBA") or s.get("MA_BN") or s["MA_LK"][-8:]
    if kind == "XML6":
        return {
            "MA_LK": s["MA_LK"],
            "MA_THE_BHYT": s["MA_THE_BHYT"],
            "SO_CCCD": s["SO_CCCD"],
            **{k: s[k] for k in ("NGAY_SINH", "GIOI_TINH", "DIA_CHI") if s.get(k)},
            **{k: s[k] for k in ("MATINH_CU_TRU", "MAHUYEN_CU_TRU", "MAXA_CU_TRU") if s.get(k)},
            "NGAYKD_HIV": arrived[:8],
            "BDDT_ARV": arrived[:8],
            "MA_PHAC_DO_DIEU_TRI_BD": "TDF+3TC+DTG",
            "MA_BAC_PHAC_DO_BD": "1",
            "MA_CSKCB": s["MA_CSKCB"],
        }
    if kind == "XML7":
        return {
            "MA_LK": s["MA_LK"],
            "SO_LUU_TRU": f"RV{number}",
            "MA_YTE": number,
            "MA_KHOA_RV": s.get("MA_KHOA") or "K01",
            "NGAY_VAO": s.get("NGAY_VAO_NOI_TRU") or arrived,
            "NGAY_RA": left,
            "MA_DINH_CHI_THAI": "0",
            "CHAN_DOAN_RV": s["CHAN_DOAN_RV"],
            "PP_DIEUTRI": "Nội khoa",
            "MA_TTDV": head,
            "MA_BS": doctor,
            "TEN_BS": "Nguyễn Văn Bình",
            "NGAY_CT": left[:8],
        }
    if kind == "XML9":
        return {
            "MA_LK": s["MA_LK"],
            "MA_BHXH_NND": _bhxh_number(s["MA_THE_BHYT"]),
            "MA_THE_NND": s["MA_THE_BHYT"],
            "HO_TEN_NND": s["HO_TEN"],
            "NGAYSINH_NND": s["NGAY_SINH"][:8],
            "MA_DANTOC_NND": "01",
            "SO_CCCD_NND": s["SO_CCCD"],
            "NGAYCAP_CCCD_NND": f"{int(arrived[:4]) - 3}0115",
            "NOICAP_CCCD_NND": "Cục Cảnh sát quản lý hành chính về trật tự xã hội",
            "NOI_CU_TRU_NND": s.get("DIA_CHI") or "Hà Nội",
            "MA_QUOCTICH": "000",
            "MATINH_CU_TRU": s.get("MATINH_CU_TRU") or "01",
            "MAHUYEN_CU_TRU": s.get("MAHUYEN_CU_TRU") or "001",
            "MAXA_CU_TRU": s.get("MAXA_CU_TRU") or "00070",
            "GIOI_TINH_CON": "1",
            "SO_CON": "1",
            "LAN_SINH": "1",
            "SO_CON_SONG": "1",
            "CAN_NANG_CON": "3200",
            "NGAY_SINH_CON": arrived,
            "NOI_SINH_CON": "Khoa Sản",
            "TINH_TRANG_CON": "Khỏe mạnh",
            "SINHCON_PHAUTHUAT": "0",
            "SINHCON_DUOI32TUAN": "0",
            "NGUOI_DO_DE": "Trần Thị Hạnh",
            "NGUOI_GHI_PHIEU": "Lê Thị Mai",
            "NGAY_CT": left[:8],
            "SO": f"CS{number}",
            "QUYEN_SO": "01",
            "MA_TTDV": head,
        }
    if kind in ("XML10", "XML11"):
        start = left[:8]
        rest = 29 if kind == "XML10" else 4
        out = {
            "MA_LK": s["MA_LK"],
            "SO_SERI": f"{'DT' if kind == 'XML10' else 'NV'}{number}",
            "SO_CT": f"CT{number}",
            "DON_VI": "Công ty TNHH Minh Phát",
            "CHAN_DOAN_RV": s["CHAN_DOAN_RV"],
            "TU_NGAY": start,
            "DEN_NGAY": _plus_days(start, rest),
            "MA_TTDV": head,
            "MA_BS": doctor,
            "NGAY_CT": start,
        }
        if kind == "XML10":
            return {**out, "SO_NGAY": str(rest), "TEN_BS": "Nguyễn Văn Bình"}
        return {
            **out,
            "SO_KCB": f"KCB{number}",
            "MA_BHXH": _bhxh_number(s["MA_THE_BHYT"]),
            "MA_THE_BHYT": s["MA_THE_BHYT"],
            "PP_DIEUTRI": "Nội khoa",
            "SO_NGAY_NGHI": str(rest + 1),
            "MAU_SO": "CT07",
        }
    if kind == "XML15":
        return {
            "MA_LK": s["MA_LK"],
            "STT": "1",
            "MA_BN": s["MA_BN"],
            "HO_TEN": s["HO_TEN"],
            "SO_CCCD": s["SO_CCCD"],
            "PHANLOAI_LAO_VITRI": "1",
            "LOAI_DTRI_LAO": "1",
            "NGAYBD_DTRI_LAO": arrived[:8],
            "PHACDO_DTRI_LAO": "2RHZE/4RHE",
            "MA_CSKCB": s["MA_CSKCB"],
        }
    raise ValueError(f"no sample record of {kind}; extra tables are {', '.join(EXTRA_TABLES)}")


EXTRA_TABLES = ("XML6", "XML7", "XML9", "XML10", "XML11", "XML15")
"""Tables :func:`sample_tables` never fills; :func:`extra_record` makes a valid record of each."""


def sample_checkin(seed: int = 0, *, version: str = "qd3176") -> list[dict[str, str]]:
    """A valid check-in (one XML0 record) of the episode ``sample_tables(seed)`` describes."""
    summary = sample_tables(seed, version=version, kind="01")["XML1"][0]
    record = {
        k: summary[k]
        for k in (
            "MA_LK",
            "STT",
            "MA_BN",
            "HO_TEN",
            "SO_CCCD",
            "NGAY_SINH",
            "GIOI_TINH",
            "MA_THE_BHYT",
            "MA_DKBD",
            "MA_DOITUONG_KCB",
            "NGAY_VAO",
            "MA_LOAI_KCB",
            "MA_CSKCB",
        )
    }
    record.update(
        GT_THE_TU=summary["GT_THE_TU"][:8],
        GT_THE_DEN=summary["GT_THE_DEN"][:8],
        MA_DICH_VU="02.1896",
        TEN_DICH_VU="Khám Nội",
        NGAY_YL=summary["NGAY_VAO"],
    )
    if version == "qd130":
        record["MA_LOAI_KCB"] = "01"
    return [record]


VARIANTS: tuple[dict[str, object], ...] = (
    {"kind": "01"},
    {"kind": "01", "referral": True},
    {"kind": "01", "appointment": True},
    {"kind": "03"},
    {"kind": "03", "referral": True, "appointment": True},
)
"""Shapes of :func:`episode`: examination, referral, appointment, inpatient stay, all three."""
HOLDER_FIELDS = ("HO_TEN", "SO_CCCD", "NGAY_SINH", "GIOI_TINH", "MA_THE_BHYT", "GT_THE_TU", "GT_THE_DEN")
"""Fields of the card holder an :func:`episode` takes over (in every table that carries them)."""


class CardHolder(Protocol):
    """What a HIS knows of a card holder (the patients-file columns)."""

    @property
    def cccd(self) -> str: ...

    @property
    def bhyt(self) -> str: ...

    @property
    def name(self) -> str: ...

    @property
    def dob(self) -> date: ...

    @property
    def sex(self) -> str: ...

    @property
    def gt_the_tu(self) -> date | None: ...

    @property
    def gt_the_den(self) -> date | None: ...

    @property
    def ma_dkbd(self) -> str: ...


def holder_fields(holder: CardHolder) -> dict[str, str]:
    """The table fields (``HOLDER_FIELDS``, and MA_DKBD when known) of ``holder``."""
    out = {
        "HO_TEN": holder.name,
        "SO_CCCD": holder.cccd,
        "NGAY_SINH": holder.dob.strftime("%Y%m%d") + "0000",
        "GIOI_TINH": holder.sex,
        "MA_THE_BHYT": holder.bhyt,
    }
    if holder.gt_the_tu and holder.gt_the_den:
        out |= {"GT_THE_TU": f"{holder.gt_the_tu:%Y%m%d}", "GT_THE_DEN": f"{holder.gt_the_den:%Y%m%d}"}
    if holder.ma_dkbd:
        out["MA_DKBD"] = holder.ma_dkbd
    return out


_NOT_SHIFTED = frozenset({"NGAY_SINH", "GT_THE_TU", "GT_THE_DEN", "NGAY_SINHCON"})


def _shift(value: str, days: int) -> str:
    from datetime import datetime, timedelta

    out = []
    for part in value.split(";"):
        pattern = {8: "%Y%m%d", 12: "%Y%m%d%H%M"}.get(len(part))
        if pattern is None or not part.isdigit():
            out.append(part)
            continue
        try:
            moved = datetime.strptime(part, pattern) + timedelta(days=days)
        except ValueError:
            out.append(part)
            continue
        out.append(moved.strftime(pattern))
    return ";".join(out)


def episode(
    number: int,
    *,
    facility: str,
    ma_lk: str,
    ended: str,
    holder: dict[str, str] | None = None,
    variant: int = 0,
    version: str = "qd3176",
) -> Tables:
    """A valid episode of shape ``VARIANTS[variant]`` at ``facility``, ending on ``ended``
    (``yyyymmdd``), with its own ``ma_lk`` and, given ``holder``, that card holder's fields
    (``HOLDER_FIELDS``). Valid traffic for a gateway as a HIS would send it: every date is moved
    by whole days from the sample so that the episode ends on ``ended``; the settlement month
    follows; the card's validity is the holder's (or the calendar year of the visit)."""
    from datetime import datetime

    tables = sample_tables(number, version=version, **VARIANTS[variant % len(VARIANTS)])  # type: ignore[arg-type]
    end = tables["XML1"][0]["NGAY_RA"][:8]
    days = (datetime.strptime(ended, "%Y%m%d") - datetime.strptime(end, "%Y%m%d")).days
    year = ended[:4]
    people = {"GT_THE_TU": f"{year}0101", "GT_THE_DEN": f"{year}1231", **(holder or {})}
    for records in tables.values():
        for record in records:
            for name, value in list(record.items()):
                if ("NGAY" in name or name.startswith("THOI_DIEM")) and name not in _NOT_SHIFTED and value:
                    record[name] = _shift(value, days)
            for name, value in people.items():
                if name in record:
                    record[name] = value
            if "MA_LK" in record:
                record["MA_LK"] = ma_lk
            if "MA_CSKCB" in record:
                record["MA_CSKCB"] = facility
            if "MA_DKBD" in record and not (holder or {}).get("MA_DKBD"):
                record["MA_DKBD"] = facility
    summary = tables["XML1"][0]
    settled = summary.get("NGAY_TTOAN") or summary["NGAY_RA"]
    summary["NAM_QT"], summary["THANG_QT"] = settled[:4], str(int(settled[4:6]))
    return tables


_CHECKIN_FIELDS = (
    "MA_LK",
    "STT",
    "MA_BN",
    "HO_TEN",
    "SO_CCCD",
    "NGAY_SINH",
    "GIOI_TINH",
    "MA_THE_BHYT",
    "MA_DKBD",
    "GT_THE_TU",
    "GT_THE_DEN",
    "MA_DOITUONG_KCB",
    "NGAY_VAO",
    "MA_LOAI_KCB",
    "MA_CSKCB",
)


def checkins_of(tables: Tables) -> list[dict[str, str]]:
    """The check-ins a HIS sends for this episode, in order (QĐ 130 Đ3 k1 [V]; QĐ 4750 Đ2 k2 [S]):
    one right after the first cost and, for an inpatient or day stay, another at admission; none
    for an emergency (MA_DOITUONG_KCB 2). Each is one XML0 record."""
    summary = tables["XML1"][0]
    if summary.get("MA_DOITUONG_KCB") == "2":
        return []
    first = next(iter(tables.get("XML3", [])), None)
    base = {
        k: summary.get(k, "")[:8] if k.startswith("GT_THE") else summary.get(k, "") for k in _CHECKIN_FIELDS
    }
    base["STT"] = "1"
    if first is not None:
        cost = {"MA_DICH_VU": first["MA_DICH_VU"], "TEN_DICH_VU": first.get("TEN_DICH_VU", "")}
        ordered = first.get("NGAY_YL") or summary["NGAY_VAO"]
    else:
        drug = tables["XML2"][0]
        cost = {"MA_THUOC": drug["MA_THUOC"], "TEN_THUOC": drug.get("TEN_THUOC", "")}
        ordered = drug.get("NGAY_YL") or summary["NGAY_VAO"]
    arrival = {**base, **cost, "NGAY_YL": max(ordered, summary["NGAY_VAO"]), "MA_LOAI_KCB": "01"}
    out = [arrival]
    if summary.get("NGAY_VAO_NOI_TRU"):
        admitted = summary["NGAY_VAO_NOI_TRU"]
        out.append(
            {
                **base,
                **cost,
                "MA_LOAI_KCB": summary["MA_LOAI_KCB"],
                "NGAY_VAO_NOI_TRU": admitted,
                "LY_DO_VNT": summary.get("LY_DO_VNT", "Điều trị nội trú"),
                "NGAY_YL": admitted,
            }
        )
    return out
