"""Hypothesis strategies: valid dossiers pass, each invalid one breaks exactly its tagged rule."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings

from lienthong.profiles.catalogue import requirements
from lienthong.profiles.mutations import MUTATIONS
from lienthong.profiles.validation import validate_dossier
from lienthong.simulators.population import Citizen, Visit, strategies

_SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))


@_SETTINGS
@given(strategies.dossiers())
def test_valid_dossiers_pass(pair: tuple[Visit, bytes]) -> None:
    _, problems = validate_dossier(pair[1])
    assert problems == [], [p.message() for p in problems]


@_SETTINGS
@given(strategies.invalid_dossiers())
def test_invalid_dossiers_break_exactly_their_rule(pair: tuple[str, bytes]) -> None:
    requirement, data = pair
    _, problems = validate_dossier(data)
    assert {p.requirement for p in problems} == {requirement}


@pytest.mark.parametrize("req_id", sorted(MUTATIONS))
def test_each_mutation_names_a_catalogued_requirement(req_id: str) -> None:
    assert req_id in requirements()


@_SETTINGS
@given(strategies.citizens(min_age=0, max_age=5))
def test_age_bounds_hold(person: Citizen) -> None:
    assert person.age <= 5


def test_bad_bounds_fail_early_with_the_values() -> None:
    with pytest.raises(ValueError, match="min_age=9, max_age=3"):
        strategies.citizens(min_age=9, max_age=3)
    with pytest.raises(ValueError, match="XML9-99"):
        strategies.invalid_dossiers(requirements=["XML9-99"])
