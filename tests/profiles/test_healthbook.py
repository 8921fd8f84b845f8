"""The health-book view is consistent with the field tables and covers the four content groups."""

from __future__ import annotations

from lienthong.profiles.healthbook import GROUPS, book_items
from lienthong.profiles.tables import table

FHIR_R4_RESOURCES = {
    "Patient",
    "Coverage",
    "RelatedPerson",
    "AllergyIntolerance",
    "Condition",
    "Immunization",
    "Encounter",
    "Observation",
    "MedicationStatement",
    "MedicationRequest",
    "Procedure",
    "Composition",
    "ServiceRequest",
    "Appointment",
    "Practitioner",
}


def test_every_source_field_exists_in_the_qd3176_tables() -> None:
    missing = [
        f"{item.item_en}: {kind}.{name}"
        for item in book_items()
        for kind, name in item.sources
        if name not in table(kind, "qd3176").names
    ]
    assert missing == []


def test_groups_marks_and_resources() -> None:
    items = book_items()
    assert {item.group for item in items} == set(GROUPS)
    assert {item.mark for item in items} <= {"V", "S", "I"}
    assert {item.resource for item in items} <= FHIR_R4_RESOURCES
    by_en = {item.item_en: item for item in items}
    assert ("XML14", "NGAY_HEN_KL") in by_en["re-exam schedule"].sources
    assert by_en["referral letter"].resource == "ServiceRequest"
    assert by_en["vaccinations"].resource == "Immunization"
    assert all(item.note for item in items if not item.sources)  # an unmapped item says why
