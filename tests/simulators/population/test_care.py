"""Care: every generated visit gives a check-in and a dossier the profile validator accepts."""

from __future__ import annotations

from datetime import date

import orjson
import pytest

from lienthong.profiles.identifiers import facility_problems
from lienthong.profiles.validation import validate_checkin, validate_dossier
from lienthong.simulators.population import citizens, immunisations, visits
from lienthong.simulators.population.exporters import exporter
from lienthong.simulators.population.exporters.fhir import FhirExporter
from lienthong.simulators.population.exporters.xml130 import checkin_bytes, dossier_bytes
from lienthong.simulators.population.facilities import by_code, facilities, gs1_check_digit


def test_every_visit_of_600_citizens_validates() -> None:
    kinds, tables = set(), set()
    for person in citizens(12, 0, 600):
        for visit in visits(person):
            dossier, problems = validate_dossier(dossier_bytes(visit))
            assert problems == [], [p.message() for p in problems]
            _, problems = validate_checkin(checkin_bytes(visit))
            assert problems == [], [p.message() for p in problems]
            assert dossier is not None
            kinds.add(visit.kind)
            tables |= set(dossier.tables)
    assert {"01", "03"} <= kinds
    assert {"XML1", "XML2", "XML3", "XML4", "XML5", "XML8", "XML13", "XML14"} <= tables


def test_referrals_go_up_and_the_dead_stop_changing() -> None:
    saw_death = False
    for person in citizens(13, 0, 3000):
        history = visits(person)
        for visit in history:
            if visit.referral is not None:
                target = by_code()[visit.referral.to]
                assert target.level < visit.facility.level
        if person.death is not None:
            saw_death = True
            assert all(v.arrived.date() <= person.death for v in history)
            assert all(s.day <= person.death for s in immunisations(person))
    assert saw_death


def test_immunisation_schedule_starts_at_birth() -> None:
    babies = [p for p in citizens(14, 0, 3000) if p.age < 6]
    shots = [s for p in babies for s in immunisations(p)]
    assert shots
    for baby in babies:
        for shot in immunisations(baby):
            assert baby.dob <= shot.day <= date(2025, 12, 31)
            if shot.vaccine.code == "VGB":
                assert shot.day == baby.dob


def test_facilities_have_valid_codes_and_glns() -> None:
    every = facilities()
    assert len({f.code for f in every}) == len(every) > 3321
    for f in every:
        assert facility_problems(f.code) == []
        assert len(f.gln) == 13
        assert gs1_check_digit(f.gln[:12]) == f.gln[12]


def test_fhir_lines_are_json_resources() -> None:
    files = FhirExporter().render(1, 0, 50)
    patients = [orjson.loads(line) for line in files["fhir/Patient.ndjson"].splitlines()]
    assert len(patients) == 50
    assert patients[0]["resourceType"] == "Patient"
    for line in files["fhir/Encounter.ndjson"].splitlines():
        assert orjson.loads(line)["subject"]["reference"].startswith("Patient/p")


def test_unknown_exporter_names_the_known_ones() -> None:
    with pytest.raises(KeyError, match="csv"):
        exporter("parquet")
