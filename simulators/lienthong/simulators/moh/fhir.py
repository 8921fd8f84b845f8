"""The health book as FHIR R4 (4.0.1) resources, built from the XML 130 records of each visit.

Plain dicts (orjson on the wire): full model validation stays off the serving path (DESIGN 9).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

SID_CCCD = "urn:lienthong:sid:cccd"
SID_MA_LK = "urn:lienthong:sid:ma-lk"
SID_CSKCB = "urn:lienthong:sid:ma-cskcb"
ICD10 = "http://hl7.org/fhir/sid/icd-10"
CS_MA_CHI_SO = "urn:lienthong:cs:ma-chi-so"
_SEX = {"1": "male", "2": "female", "3": "unknown"}

Resource = dict[str, Any]


def fhir_time(value: str) -> str:
    """``yyyymmddHHMM`` (Vietnam time) as a FHIR dateTime with the +07:00 offset."""
    return f"{value[:4]}-{value[4:6]}-{value[6:8]}T{value[8:10]}:{value[10:12]}:00+07:00"


def fhir_date(value: str) -> str:
    return f"{value[:4]}-{value[4:6]}-{value[6:8]}"


def patient(cccd: str, summary: Mapping[str, str]) -> Resource:
    return {
        "resourceType": "Patient", "id": cccd,
        "identifier": [{"system": SID_CCCD, "value": cccd}],
        "name": [{"text": summary.get("HO_TEN", "")}],
        "gender": _SEX.get(summary.get("GIOI_TINH", ""), "unknown"),
        "birthDate": fhir_date(summary.get("NGAY_SINH", "")),
    }


def visit_resources(cccd: str, visit_id: int, summary: Mapping[str, str],
                    labs: Sequence[Mapping[str, str]]) -> list[Resource]:
    """Encounter, its main Condition and one Observation per lab indicator of a visit."""
    encounter_id, condition_id = f"enc-{visit_id}", f"cond-{visit_id}"
    subject = {"reference": f"Patient/{cccd}"}
    encounter: Resource = {
        "resourceType": "Encounter", "id": encounter_id, "status": "finished",
        "class": {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode",
                  "code": "IMP" if summary.get("MA_LOAI_KCB") in {"03", "04"} else "AMB"},
        "identifier": [{"system": SID_MA_LK, "value": summary.get("MA_LK", "")}],
        "subject": subject,
        "period": {"start": fhir_time(summary.get("NGAY_VAO", "")),
                   "end": fhir_time(summary.get("NGAY_RA", ""))},
        "serviceProvider": {"identifier": {"system": SID_CSKCB, "value": summary.get("MA_CSKCB", "")}},
        "diagnosis": [{"condition": {"reference": f"Condition/{condition_id}"}, "rank": 1}],
    }
    condition: Resource = {
        "resourceType": "Condition", "id": condition_id, "subject": subject,
        "encounter": {"reference": f"Encounter/{encounter_id}"},
        "code": {"coding": [{"system": ICD10, "code": summary.get("MA_BENH_CHINH", "")}],
                 "text": summary.get("CHAN_DOAN_RV", "")},
    }
    out = [encounter, condition]
    for index, lab in enumerate(labs, start=1):
        observation: Resource = {
            "resourceType": "Observation", "id": f"obs-{visit_id}-{index}", "status": "final",
            "category": [{"coding": [{
                "system": "http://terminology.hl7.org/CodeSystem/observation-category",
                "code": "laboratory"}]}],
            "code": {"coding": [{"system": CS_MA_CHI_SO, "code": lab.get("MA_CHI_SO", "")}],
                     "text": lab.get("TEN_CHI_SO", "")},
            "subject": subject, "encounter": {"reference": f"Encounter/{encounter_id}"},
        }
        if lab.get("NGAY_KQ"):
            observation["effectiveDateTime"] = fhir_time(lab["NGAY_KQ"])
        value, unit = lab.get("GIA_TRI", ""), lab.get("DON_VI_DO", "")
        try:
            observation["valueQuantity"] = {"value": float(value), "unit": unit}
        except ValueError:
            observation["valueString"] = value
        out.append(observation)
    return out


def searchset(resources: Sequence[Resource], base: str) -> Resource:
    return {"resourceType": "Bundle", "type": "searchset", "total": len(resources),
            "entry": [{"fullUrl": f"{base}/{r['resourceType']}/{r['id']}", "resource": r,
                       "search": {"mode": "match" if r["resourceType"] == "Patient" else "include"}}
                      for r in resources]}


def capability_statement() -> Resource:
    return {
        "resourceType": "CapabilityStatement", "status": "active", "kind": "instance",
        "fhirVersion": "4.0.1", "format": ["application/fhir+json"], "date": "2026-11-22",
        "rest": [{"mode": "server", "resource": [
            {"type": "Patient", "operation": [{"name": "everything",
                                               "definition": "http://hl7.org/fhir/OperationDefinition/Patient-everything"}]},
        ]}],
    }
