"""FHIR R4 exporter: bulk-data NDJSON, one file per resource type (``fhir/<Type>.ndjson``).

Patient, Encounter, Condition, Observation (lab results), ServiceRequest (referrals), Appointment
(re-exam) and Immunization. Plain R4 JSON built with dicts and orjson (no model validation on the
hot path). Identifier systems are lienthong URNs (the VN Core IG has no published ones) [I].
"""

from __future__ import annotations

from typing import Any

import orjson

from lienthong.simulators.population import care, immunisation
from lienthong.simulators.population.batch import CitizenBatch
from lienthong.simulators.population.citizens import Citizen, from_batch

CCCD_SYSTEM = "urn:lienthong:vn:cccd"
BHYT_SYSTEM = "urn:lienthong:vn:bhyt"
FACILITY_SYSTEM = "urn:lienthong:vn:ma-cskcb"
MA_LK_SYSTEM = "urn:lienthong:vn:ma-lk"
ICD10 = "http://hl7.org/fhir/sid/icd-10"
CVX = "http://hl7.org/fhir/sid/cvx"
TYPES = (
    "Patient",
    "Encounter",
    "Condition",
    "Observation",
    "ServiceRequest",
    "Appointment",
    "Immunization",
)
_CLASS = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
Resource = dict[str, Any]


def _time(moment: Any) -> str:
    return f"{moment:%Y-%m-%dT%H:%M:00+07:00}"


def patient(c: Citizen) -> Resource:
    resource: Resource = {
        "resourceType": "Patient",
        "id": f"p{c.index}",
        "identifier": [
            {"system": CCCD_SYSTEM, "value": c.cccd},
            {"system": BHYT_SYSTEM, "value": c.bhyt},
        ],
        "name": [{"text": c.name, "family": c.name.split(" ")[0], "given": c.name.split(" ")[1:]}],
        "gender": "male" if c.sex == 1 else "female",
        "birthDate": c.dob.isoformat(),
        "telecom": [{"system": "phone", "value": c.phone}],
        "address": [{"text": c.address, "state": c.province, "district": c.commune, "country": "VN"}],
    }
    if c.death is not None:
        resource["deceasedDateTime"] = c.death.isoformat()
    if c.guardian is not None:
        resource["link"] = [{"other": {"reference": f"Patient/p{c.guardian}"}, "type": "seealso"}]
    return resource


def visit_resources(v: care.Visit) -> dict[str, list[Resource]]:
    ref = {"reference": f"Patient/p{v.citizen.index}"}
    enc = f"e{v.ma_lk}"
    inpatient = v.kind in care.INPATIENT
    out: dict[str, list[Resource]] = {
        "Encounter": [
            {
                "resourceType": "Encounter",
                "id": enc,
                "status": "finished",
                "identifier": [{"system": MA_LK_SYSTEM, "value": v.ma_lk}],
                "class": {"system": _CLASS, "code": "IMP" if inpatient else "AMB"},
                "type": [{"coding": [{"system": "urn:lienthong:vn:ma-loai-kcb", "code": v.kind}]}],
                "subject": ref,
                "period": {"start": _time(v.arrived), "end": _time(v.left)},
                "serviceProvider": {"identifier": {"system": FACILITY_SYSTEM, "value": v.facility.code}},
            }
        ],
        "Condition": [
            {
                "resourceType": "Condition",
                "id": f"c{v.ma_lk}",
                "subject": ref,
                "encounter": {"reference": f"Encounter/{enc}"},
                "code": {
                    "coding": [{"system": ICD10, "code": v.diagnosis.icd10, "display": v.diagnosis.title}]
                },
            }
        ],
        "Observation": [
            {
                "resourceType": "Observation",
                "id": f"o{v.ma_lk}-{n}",
                "status": "final",
                "subject": ref,
                "encounter": {"reference": f"Encounter/{enc}"},
                "code": {
                    "coding": [{"system": "urn:lienthong:vn:ma-chi-so", "code": lab.test.code}],
                    "text": lab.test.name,
                },
                "effectiveDateTime": _time(lab.at),
                "valueQuantity": {"value": float(lab.value), "unit": lab.test.unit},
            }
            for n, lab in enumerate(v.labs, 1)
        ],
        "ServiceRequest": [],
        "Appointment": [],
    }
    if v.referral:
        out["ServiceRequest"].append(
            {
                "resourceType": "ServiceRequest",
                "id": f"r{v.ma_lk}",
                "status": "active",
                "intent": "order",
                "subject": ref,
                "encounter": {"reference": f"Encounter/{enc}"},
                "identifier": [{"system": "urn:lienthong:vn:giay-chuyen-tuyen", "value": v.referral.number}],
                "performer": [{"identifier": {"system": FACILITY_SYSTEM, "value": v.referral.to}}],
                "reasonCode": [{"coding": [{"system": ICD10, "code": v.diagnosis.icd10}]}],
            }
        )
    if v.appointment:
        day = v.appointment.isoformat()
        out["Appointment"].append(
            {
                "resourceType": "Appointment",
                "id": f"a{v.ma_lk}",
                "status": "booked",
                "start": f"{day}T07:30:00+07:00",
                "end": f"{day}T11:30:00+07:00",
                "participant": [{"actor": ref, "status": "accepted"}],
            }
        )
    return out


def immunisation_resource(c: Citizen, shot: immunisation.Immunisation, n: int) -> Resource:
    return {
        "resourceType": "Immunization",
        "id": f"i{c.index}-{n}",
        "status": "completed",
        "vaccineCode": {
            "coding": [{"system": CVX, "code": shot.vaccine.cvx}],
            "text": shot.vaccine.name,
        },
        "patient": {"reference": f"Patient/p{c.index}"},
        "occurrenceDateTime": shot.day.isoformat(),
        "protocolApplied": [{"doseNumberPositiveInt": shot.dose}],
        "performer": [{"actor": {"identifier": {"system": FACILITY_SYSTEM, "value": shot.facility}}}],
    }


class FhirExporter:
    name = "fhir"

    def header(self) -> dict[str, bytes]:
        return {f"fhir/{kind}.ndjson": b"" for kind in TYPES}

    def render(self, seed: int, start: int, count: int) -> dict[str, bytes]:
        lines: dict[str, list[bytes]] = {kind: [] for kind in TYPES}
        for person in from_batch(CitizenBatch(seed, start, count)):
            lines["Patient"].append(orjson.dumps(patient(person)))
            for visit in care.visits(person):
                for kind, resources in visit_resources(visit).items():
                    lines[kind] += [orjson.dumps(r) for r in resources]
            for n, shot in enumerate(immunisation.immunisations(person), 1):
                lines["Immunization"].append(orjson.dumps(immunisation_resource(person, shot, n)))
        return {f"fhir/{kind}.ndjson": b"".join(x + b"\n" for x in rows) for kind, rows in lines.items()}


__all__ = ["FhirExporter"]
