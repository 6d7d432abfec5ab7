"""Schedules become sessions in the listing's own wall-clock time."""

from __future__ import annotations

import itertools
import time as time_module
from datetime import UTC, date, datetime, time, timedelta

import pytest

from server.catalog.schedule import MAX_SESSIONS, expand_schedule
from server.errors import InvalidInput


def test_weekly_rule_keeps_local_time_across_daylight_saving() -> None:
    # US daylight saving ends on 2026-11-01: 9:00 local is 14:00 UTC before, 15:00 after.
    sessions = expand_schedule(
        start_date=date(2026, 10, 24),
        end_date=date(2026, 11, 8),
        start_time=time(9, 0),
        duration_minutes=60,
        timezone="America/Chicago",
        rrule="FREQ=WEEKLY;BYDAY=SA",
    )
    assert [s.local_date for s in sessions] == [
        date(2026, 10, 24),
        date(2026, 10, 31),
        date(2026, 11, 7),
    ]
    assert [s.starts_at.hour for s in sessions] == [14, 14, 15]
    assert {s.local_start_minute for s in sessions} == {540}
    assert {s.local_dow for s in sessions} == {6}
    assert all(s.starts_at.tzinfo is not None for s in sessions)


def test_one_off_event_and_other_time_zones() -> None:
    (session,) = expand_schedule(
        start_date=date(2027, 7, 4),
        end_date=None,
        start_time=time(18, 30),
        duration_minutes=90,
        timezone="Asia/Kolkata",
        rrule=None,
    )
    assert session.starts_at == datetime(2027, 7, 4, 13, 0, tzinfo=UTC)
    assert session.ends_at == datetime(2027, 7, 4, 14, 30, tzinfo=UTC)
    assert session.local_dow == 7


def test_end_date_bounds_an_open_rule_and_count_works() -> None:
    daily = expand_schedule(
        start_date=date(2027, 6, 14),
        end_date=date(2027, 6, 18),
        start_time=time(9),
        duration_minutes=60,
        timezone="America/Chicago",
        rrule="FREQ=DAILY",
    )
    assert len(daily) == 5
    counted = expand_schedule(
        start_date=date(2027, 6, 14),
        end_date=None,
        start_time=time(9),
        duration_minutes=60,
        timezone="America/Chicago",
        rrule="FREQ=WEEKLY;COUNT=3",
    )
    assert len(counted) == 3


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"rrule": "FREQ=SOMETIMES"}, "repeats daily, weekly, monthly or yearly"),
        ({"rrule": "FREQ=WEEKLY;BYDAY=XX"}, "invalid RRULE"),
        ({"rrule": "FREQ=DAILY;COUNT=600"}, f"more than {MAX_SESSIONS}"),
        ({"timezone": "Mars/Olympus"}, "unknown time zone"),
        ({"duration_minutes": 0}, "duration"),
    ],
)
def test_bad_schedules_are_clear_errors(fields: dict[str, object], message: str) -> None:
    args: dict[str, object] = {
        "start_date": date(2027, 6, 1),
        "end_date": None,
        "start_time": time(9),
        "duration_minutes": 60,
        "timezone": "America/Chicago",
        "rrule": None,
    }
    args.update(fields)
    with pytest.raises(InvalidInput, match=message):
        expand_schedule(**args)  # type: ignore[arg-type]


def test_a_rule_without_end_is_expanded_around_today() -> None:
    today = date(2027, 3, 10)
    sessions = expand_schedule(
        start_date=date(2020, 1, 7),  # "every Tuesday since 2020"
        end_date=None,
        start_time=time(16, 0),
        duration_minutes=60,
        timezone="America/Chicago",
        rrule="RRULE:FREQ=WEEKLY;BYDAY=TU",
        today=today,
    )
    days = [s.local_date for s in sessions]
    assert days[0] >= today - timedelta(days=60) and days[0].isoweekday() == 2
    assert today + timedelta(days=393) <= days[-1] <= today + timedelta(days=400)
    assert all((b - a).days == 7 for a, b in itertools.pairwise(days))


@pytest.mark.parametrize(
    ("rrule", "message"),
    [
        ("RRULE:FREQ=HOURLY;COUNT=3", "not HOURLY"),
        ("RRULE:FREQ=MINUTELY;BYMONTH=2;BYMONTHDAY=30", "not MINUTELY"),
        ("RRULE:FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30;COUNT=3", "never happens"),
        ("RRULE:FREQ=YEARLY;BYMONTH=4,6;BYMONTHDAY=31", "never happens"),
    ],
)
def test_rules_that_would_take_seconds_are_refused_at_once(rrule: str, message: str) -> None:
    started = time_module.perf_counter()
    with pytest.raises(InvalidInput) as refused:
        expand_schedule(
            start_date=date(2027, 1, 1),
            end_date=None,
            start_time=time(9, 0),
            duration_minutes=60,
            timezone="America/Chicago",
            rrule=rrule,
        )
    assert message in refused.value.message
    assert time_module.perf_counter() - started < 0.1


def test_an_absurd_zone_name_is_an_input_error() -> None:
    with pytest.raises(InvalidInput):
        expand_schedule(
            start_date=date(2027, 1, 1),
            end_date=None,
            start_time=time(9, 0),
            duration_minutes=60,
            timezone="A" * 300,
            rrule=None,
        )
