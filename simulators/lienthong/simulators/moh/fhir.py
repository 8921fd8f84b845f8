"""The health book as FHIR R4 (4.0.1) resources, built from the XML 130 records of each visit.

Plain dicts (orjson on the wire): full model validation stays off the serving path (DESIGN 9).
Referral letters (XML13) become ServiceRequest, re-exam appointments (XML14) Appointment, lab
results (XML4) Observation, HIV care records (XML6) a Condition labelled restricted.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

SID_CCCD = "urn:lienthong:sid:cccd"
SID_MA_LK = "urn:lienthong:sid:ma-lk"
SID_CSKCB = "urn:lienthong:sid:ma-cskcb"
SID_REFERRAL = "urn:lienthong:sid:giay-chuyen-tuyen"
SID_APPOINTMENT = "urn:lienthong:sid:giay-hen-kham-lai"
ICD10 = "http://hl7.org/fhir/sid/icd-10"
CVX = "http://hl7.org/fhir/sid/cvx"
CS_MA_CHI_SO = "urn:lienthong:cs:ma-chi-so"
CS_VACCINE = "urn:lienthong:cs:tiem-chung-mo-rong"
CONFIDENTIALITY = "http://terminology.hl7.org/CodeSystem/v3-Confidentiality"
ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
RESTRICTED = [{"system": CONFIDENTIALITY, "code": "R"}, {"system": ACT_CODE, "code": "HIV"}]
_SEX = {"1": "male", "2": "female", "3": "unknown"}

Resource = dict[str, Any]
Record = Mapping[str, str]


def fhir_time(value: str) -> str:
    """``yyyymmddHHMM`` (Vietnam time) as a FHIR dateTime with the +07:00 offset."""
    if len(value) < 12 or not value[:12].isdigit():
        return fhir_date(value)
    return f"{value[:4]}-{value[4:6]}-{value[6:8]}T{value[8:10]}:{value[10:12]}:00+07:00"


def fhir_date(value: str) -> str:
    return f"{value[:4]}-{value[4:6]}-{value[6:8]}" if len(value) >= 8 and value[:8].isdigit() else value[:10]


def facility_ref(code: str) -> Resource:
    return {"identifier": {"system": SID_CSKCB, "value": code}}


def patient(cccd: str, name: str, birth: str, sex: str) -> Resource:
    """``birth`` as yyyymmdd or YYYY-MM-DD; ``sex`` as GIOI_TINH."""
    return {
        "resourceType": "Patient",
        "id": cccd,
        "identifier": [{"system": SID_CCCD, "value": cccd}],
        "name": [{"text": name}],
        "gender": _SEX.get(sex, "unknown"),
        "birthDate": fhir_date(birth.replace("-", "")),
    }


def visit_resources(cccd: str, visit_id: int, summary: Record, labs: Sequence[Record]) -> list[Resource]:
    """Encounter, its main Condition and one Observation per lab indicator of a visit."""
    encounter_id, condition_id = f"enc-{visit_id}", f"cond-{visit_id}"
    subject = {"reference": f"Patient/{cccd}"}
    encounter: Resource = {
        "resourceType": "Encounter",
        "id": encounter_id,
        "status": "finished",
        "class": {
            "system": "http://terminology.hl7.org/CodeSystem/v3-ActCode",
            "code": "IMP" if summary.get("MA_LOAI_KCB") in {"03", "04"} else "AMB",
        },
        "identifier": [{"system": SID_MA_LK, "value": summary.get("MA_LK", "")}],
        "subject": subject,
        "period": {
            "start": fhir_time(summary.get("NGAY_VAO", "")),
            "end": fhir_time(summary.get("NGAY_RA", "")),
        },
        "serviceProvider": facility_ref(summary.get("MA_CSKCB", "")),
        "diagnosis": [{"condition": {"reference": f"Condition/{condition_id}"}, "rank": 1}],
    }
    condition: Resource = {
        "resourceType": "Condition",
        "id": condition_id,
        "subject": subject,
        "encounter": {"reference": f"Encounter/{encounter_id}"},
        "code": {
            "coding": [{"system": ICD10, "code": summary.get("MA_BENH_CHINH", "")}],
            "text": summary.get("CHAN_DOAN_RV", ""),
        },
    }
    return [encounter, condition, *[_lab(cccd, visit_id, n, lab) for n, lab in enumerate(labs, start=1)]]


def _lab(cccd: str, visit_id: int, index: int, lab: Record) -> Resource:
    observation: Resource = {
        "resourceType": "Observation",
        "id": f"obs-{visit_id}-{index}",
        "status": "final",
        "category": [
            {
                "coding": [
                    {
                        "system": "http://terminology.hl7.org/CodeSystem/observation-category",
                        "code": "laboratory",
                    }
                ]
            }
        ],
        "code": {
            "coding": [{"system": CS_MA_CHI_SO, "code": lab.get("MA_CHI_SO", "")}],
            "text": lab.get("TEN_CHI_SO", ""),
        },
        "subject": {"reference": f"Patient/{cccd}"},
        "encounter": {"reference": f"Encounter/enc-{visit_id}"},
    }
    if lab.get("NGAY_KQ"):
        observation["effectiveDateTime"] = fhir_time(lab["NGAY_KQ"])
    value, unit = lab.get("GIA_TRI", ""), lab.get("DON_VI_DO", "")
    try:
        observation["valueQuantity"] = {"value": float(value), "unit": unit}
    except ValueError:
        observation["valueString"] = value
    return observation


def referral(cccd: str, visit_id: int, letter: Record) -> Resource:
    """A referral letter (XML13) as a ServiceRequest to the receiving facility."""
    request: Resource = {
        "resourceType": "ServiceRequest",
        "id": f"sr-{visit_id}",
        "status": "active",
        "intent": "order",
        "identifier": [
            {
                "system": SID_REFERRAL,
                "value": letter.get("GIAY_CHUYEN_TUYEN") or letter.get("SO_CHUYENTUYEN", ""),
            }
        ],
        "category": [
            {
                "coding": [
                    {"system": "http://snomed.info/sct", "code": "3457005", "display": "Patient referral"}
                ],
                "text": "Giấy chuyển tuyến",
            }
        ],
        "code": {"text": letter.get("HUONG_DIEU_TRI") or "Chuyển tuyến khám chữa bệnh"},
        "subject": {"reference": f"Patient/{cccd}"},
        "encounter": {"reference": f"Encounter/enc-{visit_id}"},
        "requester": facility_ref(letter.get("MA_CSKCB", "")),
        "performer": [facility_ref(letter.get("MA_CSKCB_DEN", ""))],
        "reasonCode": [
            {
                "coding": [{"system": ICD10, "code": letter.get("MA_BENH_CHINH", "")}],
                "text": letter.get("CHAN_DOAN_RV", ""),
            }
        ],
    }
    if letter.get("NGAY_RA"):
        request["authoredOn"] = fhir_time(letter["NGAY_RA"])
    return request


def appointment(cccd: str, visit_id: int, slip: Record) -> Resource:
    """A re-exam appointment slip (XML14) as a booked Appointment at the issuing facility."""
    day = fhir_date(slip.get("NGAY_HEN_KL", ""))
    return {
        "resourceType": "Appointment",
        "id": f"appt-{visit_id}",
        "status": "booked",
        "identifier": [{"system": SID_APPOINTMENT, "value": slip.get("SO_GIAYHEN_KL", "")}],
        "description": "Hẹn khám lại",
        "start": f"{day}T07:00:00+07:00",
        "end": f"{day}T11:30:00+07:00",
        "reasonCode": [
            {
                "coding": [{"system": ICD10, "code": slip.get("MA_BENH_CHINH", "")}],
                "text": slip.get("CHAN_DOAN_RV", ""),
            }
        ],
        "participant": [
            {"actor": {"reference": f"Patient/{cccd}"}, "status": "accepted"},
            {
                "actor": {"identifier": {"system": SID_CSKCB, "value": slip.get("MA_CSKCB", "")}},
                "status": "accepted",
            },
        ],
    }


def hiv_record(cccd: str, visit_id: int, record: Record) -> Resource:
    """An HIV care record (XML6): restricted, never on a citizen-facing view."""
    condition: Resource = {
        "resourceType": "Condition",
        "id": f"hiv-{visit_id}",
        "meta": {"security": RESTRICTED},
        "subject": {"reference": f"Patient/{cccd}"},
        "encounter": {"reference": f"Encounter/enc-{visit_id}"},
        "code": {"coding": [{"system": ICD10, "code": "B24"}], "text": "Bệnh do HIV"},
        "note": [{"text": f"Phác đồ ARV: {record.get('MA_PHAC_DO_DIEU_TRI_BD', '')}"}],
    }
    if record.get("NGAYKD_HIV"):
        condition["onsetDateTime"] = fhir_date(record["NGAYKD_HIV"])
    return condition
