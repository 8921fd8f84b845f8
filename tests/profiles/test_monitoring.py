"""The QĐ 2733 visit types and the monitoring deadlines are data with source and mark."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from lienthong.profiles.catalogue import requirement
from lienthong.profiles.codelists import codelist
from lienthong.profiles.monitoring import OTHER, VISIT_TYPES, deadline, deadlines, visit_type, visit_type_rows


def test_every_visit_type_code_maps_to_one_of_the_six_types() -> None:
    rows = visit_type_rows()
    assert set(codelist("MA_LOAI_KCB")) <= set(rows)
    assert {row.visit_type for row in rows.values()} == set(VISIT_TYPES)
    assert len(VISIT_TYPES) == 6
    assert all(row.mark == "I" and "2733" in row.source for row in rows.values())
    assert visit_type("03") == "noi_tru"
    assert visit_type("99") == OTHER


def test_deadlines_name_catalogued_requirements_and_count_working_days() -> None:
    for item in deadlines().values():
        requirement(item.requirement)
        assert item.mark in {"V", "S", "I"}
        assert item.source
    friday_evening = datetime(2026, 3, 6, 18, 0)
    assert deadline("dossier_after_episode").due(friday_evening) == datetime(2026, 3, 17, 18, 0)
    assert deadline("vneid_after_receipt").due(friday_evening) == datetime(2026, 3, 7, 18, 0)
    assert deadline("checkin_after_first_cost").due(friday_evening) == datetime(2026, 3, 6, 20, 0)


def test_working_days_end_where_a_day_by_day_count_ends() -> None:
    """``due`` takes the calendar days from a table by weekday: the same end as counting the days
    one by one, from every weekday and time, for limits 0 to 11."""

    def counted(start: datetime, limit: int) -> datetime:
        moment, left = start, limit
        while left:
            moment += timedelta(days=1)
            if moment.weekday() < 5:
                left -= 1
        return moment

    base = deadline("dossier_after_episode")
    assert base.unit == "working_days"
    for limit in range(12):
        rule = replace(base, limit=limit)
        for hours in range(0, 14 * 24, 5):
            start = datetime(2026, 1, 1, 0, 30) + timedelta(hours=hours)
            assert rule.due(start) == counted(start, limit)
