"""Expanding an opportunity's schedule (RRULE + time zone) into dated sessions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil.rrule import rrulestr

from server.errors import InvalidInput

# A schedule may not describe more occurrences than this; protects the database from
# an RRULE like FREQ=MINUTELY with no end.
MAX_SESSIONS = 500

# A session counts as upcoming until it ends, so one in progress still shows (a drop-in
# that started at five is worth walking to at six). The one place this rule lives;
# `s` is the sessions table and `:now` the request's clock.
UPCOMING_SESSION_SQL = "s.ends_at >= :now"


@dataclass(frozen=True)
class SessionTimes:
    starts_at: datetime  # aware, UTC
    ends_at: datetime
    local_date: date
    local_dow: int  # ISO weekday, 1 = Monday
    local_start_minute: int


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise InvalidInput(f"unknown time zone {name!r}", field="scheduleTimezone") from exc


def expand_schedule(
    *,
    start_date: date,
    end_date: date | None,
    start_time: time,
    duration_minutes: int,
    timezone: str,
    rrule: str | None,
) -> list[SessionTimes]:
    """Local wall-clock occurrences, so a 9:00 class stays at 9:00 across DST changes."""
    zone = _zone(timezone)
    if duration_minutes <= 0:
        raise InvalidInput("duration must be positive", field="durationMinutes")
    first = datetime.combine(start_date, start_time)
    if rrule:
        try:
            rule = rrulestr(rrule, dtstart=first, forceset=True)
        except (ValueError, TypeError) as exc:
            raise InvalidInput(f"invalid RRULE: {exc}", field="scheduleRrule") from exc
        until = datetime.combine(end_date, time.max) if end_date else None
        starts = []
        for occurrence in rule:
            if until is not None and occurrence > until:
                break
            starts.append(occurrence)
            if len(starts) > MAX_SESSIONS:
                raise InvalidInput(
                    f"schedule has more than {MAX_SESSIONS} sessions", field="scheduleRrule"
                )
    else:
        starts = [first]
    duration = timedelta(minutes=duration_minutes)
    sessions = []
    for local in starts:
        aware = local.replace(tzinfo=zone)
        sessions.append(
            SessionTimes(
                starts_at=aware.astimezone(ZoneInfo("UTC")),
                ends_at=(aware + duration).astimezone(ZoneInfo("UTC")),
                local_date=local.date(),
                local_dow=local.isoweekday(),
                local_start_minute=local.hour * 60 + local.minute,
            )
        )
    return sessions
