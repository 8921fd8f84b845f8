"""What happens in a visit: exam, bed days, drugs and lab tests, with their quantities.

Money follows the QĐ 3176 formulas [V]: THANH_TIEN_BV = SO_LUONG × DON_GIA (2 dp),
THANH_TIEN_BH = THANH_TIEN_BV × TYLE_TT_BH / 100, the patient's co-pay is the part above the card's
MUC_HUONG, and T_BHTT = T_TONGCHI_BH − T_BNCCT (see :mod:`dossier`).
"""

from __future__ import annotations

from datetime import timedelta

from lienthong.simulators.population import catalogue
from lienthong.simulators.population.care import LAB_PERCENT, LabResult, Visit
from lienthong.simulators.population.draws import Draws


def fill(draws: Draws, visit: Visit) -> None:
    """Add services, drugs and lab results to a visit."""
    if visit.kind != "07":
        visit.services.append((catalogue.EXAM[visit.facility.level], 1))
    if visit.kind == "03":
        visit.services.append((catalogue.BED_DAY, max(1, (visit.left - visit.arrived).days)))
    days = 30 if visit.diagnosis.chronic else draws.between(3, 7)
    for code in visit.diagnosis.drugs:
        visit.drugs.append((catalogue.DRUGS[code], days * draws.between(1, 2)))
    if visit.kind == "07" and not visit.drugs:
        visit.drugs.append((catalogue.DRUGS["40.17P"], 10))
    if visit.diagnosis.labs and (visit.kind in {"03", "04"} or draws.percent(LAB_PERCENT)):
        at = visit.arrived + timedelta(minutes=draws.between(20, 90))
        at = min(at, visit.left)
        for code in visit.diagnosis.labs:
            test = catalogue.LAB_TESTS[code]
            visit.labs.append(LabResult(test, _value(draws, visit, test), at))
            visit.services.append((catalogue.Service(test.service, test.name, test.price, 1), 1))


def _value(draws: Draws, visit: Visit, test: catalogue.LabTest) -> str:
    """A result inside the reference range, or above it when the diagnosis explains it [I]."""
    low, high = test.low, test.high
    abnormal = {"GLU": "E11.9", "HBA1C": "E11.9", "CHOL": "E78.5", "WBC": "J18.9", "CRP": "J18.9"}
    if abnormal.get(test.code) == visit.diagnosis.icd10 and draws.percent(70):
        low, high = high, high * 1.8
    value = low + (high - low) * draws.below(1000) / 1000
    return f"{value:.{test.decimals}f}"
