"""Citizens: a pure function of (seed, index), with well-formed Vietnamese fields."""

from __future__ import annotations

import re
import unicodedata
from datetime import date

from lienthong.simulators.population import citizen, citizens, tables
from lienthong.simulators.population.tables import middle_names

MOBILE = re.compile(r"0(3[2-9]|5[689]|7[06-9]|8[1-9]|9[0-9])\d{7}")


def test_one_citizen_equals_the_same_citizen_in_a_run_in_any_order() -> None:
    run = list(citizens(4, 100, 50))
    assert [citizen(4, i) for i in reversed(range(100, 150))] == run[::-1]


def test_fields_are_well_formed() -> None:
    codes = tables.places().codes
    communes = {str(c) for c in tables.places().commune_codes}
    male = {str(m) for cohort in (False, True) for m in middle_names(1, cohort).values}
    female = {str(m) for cohort in (False, True) for m in middle_names(2, cohort).values}
    for person in citizens(8, 0, 2000):
        assert unicodedata.normalize("NFC", person.name) == person.name
        _family, middle, *given = person.name.split(" ")
        assert given
        assert middle in (male if person.sex == 1 else female)
        assert "Thị" not in person.name.split(" ")[1:2] or person.sex == 2
        assert MOBILE.fullmatch(person.phone), person.phone
        assert person.province in codes
        assert person.commune in communes
        assert person.address.endswith(str(tables.places().names[codes.index(person.province)]))
        assert person.bhyt[3:5] == person.province
        assert person.bhyt[5:] == person.bhxh
        assert date(1926, 1, 1) <= person.dob <= date(2025, 12, 31)
        assert person.password == f"vneid-8-{person.index}"
        if person.age < 6:
            assert person.card_group == "TE"
            assert person.benefit == 2


def test_children_live_with_their_mother_and_carry_their_fathers_surname() -> None:
    kids = [p for p in citizens(6, 0, 400) if p.age < 18]
    assert kids
    for kid in kids:
        assert kid.mother is not None
        assert kid.father is not None
        mother, father = citizen(6, kid.mother), citizen(6, kid.father)
        assert mother.sex == 2
        assert 18 <= mother.age - kid.age <= 45
        assert father.sex == 1
        assert 20 <= father.age - kid.age <= 55
        assert kid.name.split(" ")[0] == father.name.split(" ")[0]
        assert kid.address == mother.address
        assert kid.commune == mother.commune
        assert kid.guardian in (kid.mother, kid.father)
