"""The capacity model reproduces the published 40-million-user table from its named assumptions."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema_rs
import pytest
from typer.testing import CliRunner

from lienthong.conformance.cli import app
from lienthong.load import DEFAULTS, SCENARIO_NAMES, AssumptionError, Assumptions, overrides_from_toml, plan
from lienthong.load.capacity import schema_path

# Baseline table (performance baselines §6.3): citizen peak, write peak, facility read peak, total.
PUBLISHED = {
    "low": (174, 142, 94, 410),
    "base": (1458, 200, 150, 1808),
    "high": (5556, 694, 347, 6597),
}


@pytest.mark.parametrize("name", sorted(PUBLISHED))
def test_scenarios_match_the_published_model(name: str) -> None:
    p = plan(name).peak
    got = (p.citizen_read, p.write, p.lookup + p.facility_read, p.total)
    for value, expected in zip(got, PUBLISHED[name], strict=True):
        assert value == pytest.approx(expected, rel=0.01)


def test_surge_soak_and_scaling() -> None:
    assert plan("surge").peak.citizen_read == pytest.approx(25_000)
    assert plan("soak").peak == plan("soak").average  # the daily average, no peak factors
    assert plan("base", scale=0.05).peak.total == pytest.approx(1808 * 0.05, rel=0.01)
    assert plan("base").workers == 1
    assert plan("surge").workers == 7  # 25.35 k / (6,000 × 0.7)


def test_every_assumption_is_documented_with_an_id_a_source_and_a_mark() -> None:
    ids = [a.id for a in DEFAULTS.values()]
    assert len(set(ids)) == len(ids)
    for a in DEFAULTS.values():
        assert a.summary
        assert a.source
        assert a.unit
        assert a.mark in {"V", "S", "I"}


def test_overrides_change_the_rates_and_are_marked() -> None:
    doubled = Assumptions().with_values({"registered_users": 80_000_000})
    p = plan("base", doubled)
    assert p.peak.citizen_read == pytest.approx(2 * 1458.3, rel=0.01)
    assert p.peak.write == pytest.approx(200, rel=0.01)  # visits do not follow app users
    assert p.assumptions.items["registered_users"].overridden
    # an override wins over the scenario's own values
    assert plan("low", Assumptions().with_values({"writes_per_visit": 4})).peak.write == pytest.approx(
        plan("low").peak.write * 4 / 3
    )


@pytest.mark.parametrize(
    ("values", "words"),
    [
        ({"regstered_users": 1}, "Did you mean 'registered_users'"),
        ({"monthly_active_share": 1.5}, "share in (0, 1]"),
        ({"burst_factor": "fast"}, "not a number"),
        ({"working_days": -3}, "positive"),
    ],
)
def test_wrong_overrides_are_usage_errors(values: dict[str, object], words: str) -> None:
    with pytest.raises(AssumptionError, match=re.escape(words)):
        Assumptions().with_values(values)


def test_toml_overrides(tmp_path: Path) -> None:
    project = tmp_path / "pyproject.toml"
    project.write_text("[tool.lienthong.load]\nregistered_users = 50_000_000\n", encoding="utf-8")
    assert overrides_from_toml(project) == {"registered_users": 50_000_000}
    plain = tmp_path / "a.toml"
    plain.write_text("visits_per_year = 200_000_000\n", encoding="utf-8")
    assert overrides_from_toml(plain) == {"visits_per_year": 200_000_000}


def test_plan_json_follows_its_published_schema() -> None:
    result = CliRunner().invoke(app, ["load", "plan", "--users", "40000000", "--format", "json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    validator = jsonschema_rs.validator_for(json.loads(schema_path().read_text(encoding="utf-8")))
    assert validator.is_valid(document), list(validator.iter_errors(document))[:3]
    assert [p["scenario"] for p in document["plans"]] == list(SCENARIO_NAMES)
    broken = dict(document["plans"][0], workers=0)
    assert not validator.is_valid({"plans": [broken]})  # the schema can fail


def test_plan_cli_usage_errors(tmp_path: Path) -> None:
    runner = CliRunner()
    for args in (["--set", "nope=1"], ["--scenario", "medium"], ["--format", "yaml"],
                 ["--assumptions", str(tmp_path / "missing.toml")]):  # fmt: skip
        result = runner.invoke(app, ["load", "plan", *args])
        assert result.exit_code == 2, (args, result.output)
        assert "Traceback" not in result.output
    table = runner.invoke(app, ["load", "plan", "--set", "monthly_active_share=0.5"])
    assert table.exit_code == 0
    assert "overridden: LOAD-A02" in table.output
