"""Expanding an opportunity's schedule (RRULE + time zone) into dated sessions."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
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


def session_rows(opportunity_id: int, times: Sequence[SessionTimes]) -> list[dict[str, Any]]:
    """The `sessions` rows of a listing's expanded schedule."""
    return [
        {
            "opportunity_id": opportunity_id,
            "starts_at": t.starts_at,
            "ends_at": t.ends_at,
            "local_date": t.local_date,
            "local_dow": t.local_dow,
            "local_start_minute": t.local_start_minute,
        }
        for t in times
    ]


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError) as exc:  # OSError: a name too long
        raise InvalidInput(f"unknown time zone {name[:64]!r}", field="scheduleTimezone") from exc


# Learning programs repeat daily at most often: finer rules are refused (an hourly rule
# is a mistake, and a minutely one costs seconds to expand).
FREQUENCIES = {"DAILY", "WEEKLY", "MONTHLY", "YEARLY"}
# A rule with no end (no UNTIL or COUNT, no end date: "every Tuesday") is expanded for
# this window around today, and the worker moves the window along every night.
OPEN_PAST = timedelta(days=60)
OPEN_AHEAD = timedelta(days=400)
_MONTH_DAYS = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _rules(recurrence: str) -> list[dict[str, str]]:
    rules = []
    for line in recurrence.replace("\r", "").split("\n"):
        name, _, value = line.strip().partition(":")
        if name.upper() == "RRULE" or (not value and "FREQ=" in name.upper()):
            text = value or name
            rules.append(
                {k.upper(): v for k, _, v in (p.partition("=") for p in text.split(";")) if k}
            )
    return rules


def is_open_ended(recurrence: str) -> bool:
    """A rule without UNTIL or COUNT: it goes on until someone stops it."""
    return any("UNTIL" not in r and "COUNT" not in r for r in _rules(recurrence))


def _check_rules(recurrence: str) -> bool:
    """Refuses what dateutil would take seconds over; True when a rule has no end."""
    open_ended = False
    for rule in _rules(recurrence):
        frequency = rule.get("FREQ", "").upper()
        if frequency not in FREQUENCIES:
            raise InvalidInput(
                f"a schedule repeats daily, weekly, monthly or yearly, not {frequency or '?'}",
                field="scheduleRrule",
            )
        months = [int(m) for m in rule.get("BYMONTH", "").split(",") if m.strip().isdigit()]
        days = [int(d) for d in rule.get("BYMONTHDAY", "").split(",") if d.strip().isdigit()]
        if (
            months
            and days
            and all(d > _MONTH_DAYS[m - 1] for m in months if 1 <= m <= 12 for d in days)
        ):
            # "February 30th": dateutil searches for years before it finds nothing.
            raise InvalidInput(
                "the schedule never happens (no such day in that month)", field="scheduleRrule"
            )
        open_ended = open_ended or ("UNTIL" not in rule and "COUNT" not in rule)
    return open_ended


def expand_schedule(
    *,
    start_date: date,
    end_date: date | None,
    start_time: time,
    duration_minutes: int,
    timezone: str,
    rrule: str | None,
    today: date | None = None,
) -> list[SessionTimes]:
    """Local wall-clock occurrences, so a 9:00 class stays at 9:00 across DST changes.

    A rule with no end is expanded from OPEN_PAST before `today` to OPEN_AHEAD after it
    (the worker re-expands such listings nightly); any other schedule in full, up to
    MAX_SESSIONS sessions.
    """
    zone = _zone(timezone)
    if duration_minutes <= 0:
        raise InvalidInput("duration must be positive", field="durationMinutes")
    first = datetime.combine(start_date, start_time)
    if rrule:
        open_ended = _check_rules(rrule) and end_date is None
        try:
            rule = rrulestr(rrule, dtstart=first, forceset=True)
        except (ValueError, TypeError) as exc:
            raise InvalidInput(f"invalid RRULE: {exc}", field="scheduleRrule") from exc
        until = datetime.combine(end_date, time.max) if end_date else None
        since = None
        if open_ended:
            around = today or start_date
            since = datetime.combine(around - OPEN_PAST, time.min)
            until = datetime.combine(around + OPEN_AHEAD, time.max)
        starts = []
        for occurrence in rule:
            if until is not None and occurrence > until:
                break
            if since is not None and occurrence < since:
                continue
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
