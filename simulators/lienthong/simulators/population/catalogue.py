"""Clinical catalogue of the care model: diagnoses, drugs, services, lab indicators.

ICD-10 codes are WHO ICD-10 codes with their Vietnamese titles (QĐ 4469/QĐ-BYT wording where known
[S]); weights, age and sex limits are the generator's own approximations [I]. Drug ingredient codes,
service codes and prices are synthetic but shaped like the common code lists (``40.xxx`` ingredient
codes; ``CC.KKKK.GGGG`` service codes) [I]. Lab indicators carry real units and reference ranges.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Diagnosis:
    icd10: str
    title: str
    weight: int
    min_age: int = 0
    max_age: int = 120
    sex: int = 0
    """0 any, 1 male only, 2 female only."""
    chronic: bool = False
    labs: tuple[str, ...] = ()
    drugs: tuple[str, ...] = ()


DIAGNOSES = (
    Diagnosis(
        "J06.9",
        "Nhiễm trùng đường hô hấp trên cấp, không đặc hiệu",
        160,
        labs=("WBC",),
        drugs=("40.17P", "40.48A"),
    ),
    Diagnosis("J02.9", "Viêm họng cấp, không đặc hiệu", 60, drugs=("40.48A", "40.17P")),
    Diagnosis("J20.9", "Viêm phế quản cấp, không đặc hiệu", 50, labs=("WBC",), drugs=("40.48A", "40.71A")),
    Diagnosis("J18.9", "Viêm phổi, không đặc hiệu", 20, labs=("WBC", "CRP"), drugs=("40.50C", "40.17P")),
    Diagnosis("A09", "Tiêu chảy và viêm dạ dày-ruột do nhiễm trùng", 40, drugs=("40.99O", "40.17P")),
    Diagnosis(
        "I10",
        "Tăng huyết áp vô căn (nguyên phát)",
        120,
        min_age=30,
        chronic=True,
        labs=("GLU", "CHOL", "CREA"),
        drugs=("40.26A", "40.31L"),
    ),
    Diagnosis(
        "E11.9",
        "Bệnh đái tháo đường type 2 không có biến chứng",
        70,
        min_age=30,
        chronic=True,
        labs=("GLU", "HBA1C", "CREA"),
        drugs=("40.33M",),
    ),
    Diagnosis(
        "E78.5",
        "Tăng lipid máu, không đặc hiệu",
        40,
        min_age=30,
        chronic=True,
        labs=("CHOL", "ALT"),
        drugs=("40.28S",),
    ),
    Diagnosis("K29.7", "Viêm dạ dày, không đặc hiệu", 60, min_age=12, drugs=("40.67O",)),
    Diagnosis(
        "K21.9",
        "Bệnh trào ngược dạ dày-thực quản không viêm thực quản",
        25,
        min_age=15,
        drugs=("40.67O",),
    ),
    Diagnosis("M54.5", "Đau vùng thắt lưng", 50, min_age=20, drugs=("40.20M", "40.17P")),
    Diagnosis("M17.9", "Thoái hóa khớp gối, không đặc hiệu", 30, min_age=45, drugs=("40.20M",)),
    Diagnosis(
        "N39.0",
        "Nhiễm khuẩn hệ tiết niệu, vị trí không xác định",
        25,
        labs=("WBC",),
        drugs=("40.50C",),
    ),
    Diagnosis("H10.9", "Viêm kết mạc, không đặc hiệu", 20, drugs=("40.17P",)),
    Diagnosis("L30.9", "Viêm da, không đặc hiệu", 20, drugs=("40.71A",)),
    Diagnosis(
        "I25.9",
        "Bệnh tim thiếu máu cục bộ mạn, không đặc hiệu",
        20,
        min_age=45,
        chronic=True,
        labs=("CHOL", "CREA"),
        drugs=("40.26A", "40.28S"),
    ),
    Diagnosis("J45.9", "Hen, không đặc hiệu", 15, chronic=True, drugs=("40.71A",)),
    Diagnosis("S93.4", "Bong gân và căng dây chằng cổ chân", 15, min_age=5, drugs=("40.20M",)),
    Diagnosis("O80", "Đẻ thường một thai", 12, min_age=18, max_age=45, sex=2, labs=("HGB",)),
    Diagnosis("N40", "Tăng sản tuyến tiền liệt", 10, min_age=50, sex=1, chronic=True),
    Diagnosis("Z00.1", "Khám sức khỏe định kỳ trẻ em", 30, max_age=5),
    Diagnosis("B34.9", "Nhiễm virus, không đặc hiệu", 40, max_age=15, labs=("WBC",), drugs=("40.17P",)),
)


@dataclass(frozen=True, slots=True)
class Drug:
    code: str
    """MA_THUOC (active-ingredient code, synthetic)."""
    name: str
    unit: str
    strength: str
    route: str
    """DUONG_DUNG code (1.01 oral) [I]."""
    price: int
    """DON_GIA in VND."""
    group: int = 4
    """MA_NHOM (4 = drug in the list) [I]."""


DRUGS = {
    d.code: d
    for d in (
        Drug("40.17P", "Paracetamol", "Viên", "500mg", "1.01", 300),
        Drug("40.48A", "Amoxicilin", "Viên", "500mg", "1.01", 900),
        Drug("40.50C", "Cefuroxim", "Viên", "500mg", "1.01", 4500),
        Drug("40.71A", "Salbutamol", "Viên", "4mg", "1.01", 250),
        Drug("40.99O", "Oresol", "Gói", "4,1g", "1.01", 1500),
        Drug("40.26A", "Amlodipin", "Viên", "5mg", "1.01", 400),
        Drug("40.31L", "Losartan", "Viên", "50mg", "1.01", 1200),
        Drug("40.33M", "Metformin", "Viên", "500mg", "1.01", 600),
        Drug("40.28S", "Atorvastatin", "Viên", "10mg", "1.01", 800),
        Drug("40.67O", "Omeprazol", "Viên", "20mg", "1.01", 700),
        Drug("40.20M", "Meloxicam", "Viên", "7,5mg", "1.01", 500),
    )
}


@dataclass(frozen=True, slots=True)
class Service:
    code: str
    name: str
    price: int
    group: int
    """MA_NHOM: 1 xét nghiệm, 2 CĐHA, 13 khám bệnh, 14 ngày giường [I]."""


EXAM = {
    1: Service("02.1896", "Khám Nội (tuyến trung ương)", 50600, 13),
    2: Service("02.1897", "Khám Nội (tuyến tỉnh)", 45000, 13),
    3: Service("02.1898", "Khám Nội (khu vực)", 39000, 13),
    4: Service("02.1899", "Khám bệnh tại trạm y tế xã", 30500, 13),
    5: Service("02.1898", "Khám Nội (khu vực)", 39000, 13),
}
BED_DAY = Service("K19.1901", "Ngày giường bệnh Nội khoa", 225000, 14)


@dataclass(frozen=True, slots=True)
class LabTest:
    code: str
    """MA_CHI_SO."""
    service: str
    """MA_DICH_VU of the test."""
    name: str
    unit: str
    low: float
    high: float
    price: int
    decimals: int = 1


LAB_TESTS = {
    t.code: t
    for t in (
        LabTest("GLU", "23.0075.1494", "Glucose máu", "mmol/L", 3.9, 6.4, 21500),
        LabTest("HBA1C", "23.0083.1523", "HbA1c", "%", 4.0, 6.0, 101000),
        LabTest("CHOL", "23.0041.1506", "Cholesterol toàn phần", "mmol/L", 3.9, 5.2, 26900),
        LabTest("CREA", "23.0051.1494", "Creatinin máu", "µmol/L", 62.0, 106.0, 21500, 0),
        LabTest("ALT", "23.0020.1493", "ALT (GPT)", "U/L", 7.0, 40.0, 21500, 0),
        LabTest("WBC", "22.0121.1370", "Số lượng bạch cầu", "G/L", 4.0, 10.0, 46200),
        LabTest("HGB", "22.0121.1371", "Huyết sắc tố (Hb)", "g/L", 120.0, 160.0, 46200, 0),
        LabTest("CRP", "23.0031.1521", "CRP định lượng", "mg/L", 0.0, 5.0, 53800),
    )
}
