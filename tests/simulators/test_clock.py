"""Vietnam local time stamps."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st

from lienthong.simulators.clock import STAMP, VN_TZ, vn_stamp


@given(
    st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30)),
    st.sampled_from([UTC, VN_TZ, timezone(timedelta(hours=-5)), timezone(timedelta(hours=13, minutes=45))]),
)
def test_the_default_stamp_is_strftimes(moment: datetime, zone: timezone) -> None:
    aware = moment.replace(tzinfo=zone)
    assert vn_stamp(aware) == aware.astimezone(VN_TZ).strftime(STAMP)
    assert vn_stamp(aware, "%Y%m%d%H%M") == aware.astimezone(VN_TZ).strftime("%Y%m%d%H%M")


def test_a_stamp_is_vietnam_local_time() -> None:
    assert vn_stamp(datetime(2026, 11, 22, 17, 5, 9, tzinfo=UTC)) == "20261123000509"
