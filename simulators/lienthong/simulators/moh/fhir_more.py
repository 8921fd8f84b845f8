"""More health-book resources: immunisations, visit documents, bundles, the CapabilityStatement."""

from __future__ import annotations

import base64
from collections.abc import Sequence

from lienthong.simulators.moh.fhir import (
    CS_VACCINE,
    CVX,
    Record,
    Resource,
    facility_ref,
    fhir_time,
)

SEARCHABLE = (
    "Patient",
    "Encounter",
    "Condition",
    "Observation",
    "ServiceRequest",
    "Appointment",
    "Immunization",
    "DocumentReference",
)


def immunization(
    cccd: str, row_id: int, vaccine: str, name: str, cvx: str, dose: int, day: str, facility: str
) -> Resource:
    return {
        "resourceType": "Immunization",
        "id": f"imm-{row_id}",
        "status": "completed",
        "vaccineCode": {
            "coding": [{"system": CVX, "code": cvx}, {"system": CS_VACCINE, "code": vaccine}],
            "text": name,
        },
        "patient": {"reference": f"Patient/{cccd}"},
        "occurrenceDateTime": day,
        "performer": [{"actor": facility_ref(facility)}],
        "protocolApplied": [{"doseNumberPositiveInt": dose}],
    }


def visit_summary_text(summary: Record) -> str:
    lines = [
        f"Mã lượt khám (MA_LK): {summary.get('MA_LK', '')}",
        f"Cơ sở KCB: {summary.get('MA_CSKCB', '')}",
        f"Vào: {fhir_time(summary.get('NGAY_VAO', ''))}  Ra: {fhir_time(summary.get('NGAY_RA', ''))}",
        f"Chẩn đoán: {summary.get('CHAN_DOAN_RV', '')} ({summary.get('MA_BENH_CHINH', '')})",
    ]
    return "\n".join(lines)


def document(cccd: str, visit_id: int, summary: Record) -> Resource:
    """The visit summary as a DocumentReference (text inline; VNeID renders the PDF)."""
    text = visit_summary_text(summary)
    return {
        "resourceType": "DocumentReference",
        "id": f"doc-{visit_id}",
        "status": "current",
        "type": {
            "coding": [
                {"system": "http://loinc.org", "code": "34133-9", "display": "Summary of episode note"}
            ],
            "text": "Tóm tắt khám chữa bệnh",
        },
        "subject": {"reference": f"Patient/{cccd}"},
        "custodian": facility_ref(summary.get("MA_CSKCB", "")),
        "date": fhir_time(summary.get("NGAY_RA", ""))
        if len(summary.get("NGAY_RA", "")) >= 12
        else "1970-01-01T00:00:00+07:00",
        "description": "Tóm tắt khám chữa bệnh",
        "content": [
            {
                "attachment": {
                    "contentType": "text/plain; charset=utf-8",
                    "language": "vi",
                    "title": f"Lượt khám {summary.get('MA_LK', '')}",
                    "data": base64.b64encode(text.encode("utf-8")).decode("ascii"),
                }
            }
        ],
        "context": {
            "encounter": [{"reference": f"Encounter/enc-{visit_id}"}],
            "period": {
                "start": fhir_time(summary.get("NGAY_VAO", "")),
                "end": fhir_time(summary.get("NGAY_RA", "")),
            },
        },
    }


def searchset(resources: Sequence[Resource], base: str, *, everything: bool = False) -> Resource:
    """A searchset Bundle; in ``$everything`` the Patient is the match and the rest included."""
    return {
        "resourceType": "Bundle",
        "type": "searchset",
        "total": len(resources),
        "entry": [
            {
                "fullUrl": f"{base}/{r['resourceType']}/{r['id']}",
                "resource": r,
                "search": {
                    "mode": "match" if not everything or r["resourceType"] == "Patient" else "include"
                },
            }
            for r in resources
        ],
    }


def outcome(code: str, text: str) -> Resource:
    return {
        "resourceType": "OperationOutcome",
        "issue": [{"severity": "error", "code": code, "diagnostics": text}],
    }


def capability_statement() -> Resource:
    search = [{"name": "patient", "type": "reference"}]
    resources: list[Resource] = [
        {
            "type": "Patient",
            "interaction": [{"code": "read"}, {"code": "search-type"}],
            "searchParam": [{"name": "_id", "type": "token"}, {"name": "identifier", "type": "token"}],
            "operation": [
                {
                    "name": "everything",
                    "definition": "http://hl7.org/fhir/OperationDefinition/Patient-everything",
                }
            ],
        },
        *(
            {"type": kind, "interaction": [{"code": "search-type"}], "searchParam": search}
            for kind in SEARCHABLE[1:]
        ),
    ]
    return {
        "resourceType": "CapabilityStatement",
        "status": "active",
        "kind": "instance",
        "fhirVersion": "4.0.1",
        "format": ["application/fhir+json"],
        "date": "2026-11-22",
        "rest": [
            {
                "mode": "server",
                "security": {
                    "service": [
                        {
                            "coding": [
                                {
                                    "system": "http://terminology.hl7.org/CodeSystem/restful-security-service",
                                    "code": "OAuth",
                                }
                            ]
                        }
                    ],
                    "description": "Bearer tokens: facility client credentials (POST /oauth/token, scopes "
                    "system/<Type>.read) or a citizen token from C06 (VNeID sign-in).",
                },
                "resource": resources,
            }
        ],
    }
