"""`format_instant`: ISO 8601 in UTC with microseconds and a Z, for any aware instant (years < 1000 too)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.jsonable import format_instant

zones = st.sampled_from([UTC, timezone(timedelta(hours=5, minutes=30)), timezone(timedelta(hours=-11))])


@settings(max_examples=500, deadline=None)
@given(moment=st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30)), zone=zones)
def test_format_instant_is_iso_8601_in_utc(moment, zone):
    aware = moment.replace(tzinfo=zone)
    expected = aware.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")
    assert format_instant(aware) == expected


def test_a_naive_instant_is_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        format_instant(datetime.now())  # noqa: DTZ005 - naive on purpose
