"""From a source's dates and times to the catalog's schedule fields (server/catalog/records.py).

Every adapter describes when a listing happens as one or more `Timing`s in the listing's
local wall-clock time; `schedule()` turns them into a start date and time, a duration, an
RFC 5545 recurrence set (the text `rrulestr(..., forceset=True)` reads) and an end date,
checking the set with dateutil as the catalog will.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil.rrule import rruleset, rrulestr

from server.catalog.schedule import MAX_SESSIONS

LOCAL = "%Y%m%dT%H%M%S"
_DURATION = re.compile(
    r"^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)(?:[.,]\d+)?S)?)?$"
)


class ScheduleError(ValueError):
    """The dates and times cannot make a schedule; the message says why."""


@dataclass(frozen=True)
class Timing:
    """Occurrences in local wall-clock time: `start`, and more when `rules` or `rdates` say so.

    As in RFC 5545, `start` is always an occurrence unless it is in `exdates`.
    """

    start: datetime  # naive, local
    duration_minutes: int | None = None  # None: not given (the catalog assumes an hour)
    rules: tuple[str, ...] = ()  # "RRULE:..." lines, any UNTIL in local time
    exdates: tuple[datetime, ...] = ()
    rdates: tuple[datetime, ...] = ()
    end_date: date | None = None  # a later last day than the occurrences show


@dataclass(frozen=True)
class Schedule:
    start_date: date
    start_time: time
    duration_minutes: int | None
    recurrence: str | None
    end_date: date | None


def zone(name: str) -> ZoneInfo | None:
    """The IANA zone, or None for a name the system does not know."""
    if not name or len(name) > 64:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return None


def local(moment: datetime, tz: ZoneInfo) -> datetime:
    """Naive wall-clock time in `tz`; naive input is taken as already local."""
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(tz).replace(tzinfo=None)


def minutes(start: datetime, end: datetime) -> int:
    """Wall-clock minutes, as the catalog adds a duration to a local start."""
    return int((end - start).total_seconds() // 60)


def parse_duration(text: str) -> int | None:
    """ISO 8601 / RFC 5545 duration ("PT1H30M", "P1D", "P2W") in minutes; None if not one."""
    found = _DURATION.match(text.strip().upper().lstrip("+"))
    if not found or not any(found.groups()):
        return None
    weeks, days, hours, mins, secs = (int(g) if g else 0 for g in found.groups())
    return ((weeks * 7 + days) * 24 + hours) * 60 + mins + secs // 60


def _text(timing: Timing, rdates: Iterable[datetime]) -> str | None:
    lines = list(timing.rules)
    if timing.exdates:
        lines.append("EXDATE:" + ",".join(d.strftime(LOCAL) for d in sorted(set(timing.exdates))))
    dates = sorted(set(rdates))
    if dates:
        lines.append("RDATE:" + ",".join(d.strftime(LOCAL) for d in dates))
    return "\n".join(lines) if lines else None


def _parse(text: str, start: datetime) -> rruleset:
    try:
        found = rrulestr(text, dtstart=start, forceset=True)
    except (ValueError, TypeError, OverflowError, IndexError, KeyError) as exc:
        raise ScheduleError(f"not a recurrence rule dateutil can read: {exc}") from exc
    assert isinstance(found, rruleset)  # forceset=True
    return found


def _occurrences(found: rruleset) -> list[datetime] | None:
    """All occurrences, or None when there are more than the catalog keeps (or no end)."""
    dates: list[datetime] = []
    try:
        for moment in found:
            dates.append(moment)
            if len(dates) > MAX_SESSIONS:
                return None
    except (ValueError, OverflowError) as exc:  # a rule that runs past year 9999
        raise ScheduleError(f"the recurrence cannot be expanded: {exc}") from exc
    return dates


def _expand(timing: Timing) -> tuple[str | None, list[datetime] | None]:
    if not timing.rules and not timing.rdates:
        return None, [timing.start]
    text = _text(timing, timing.rdates) or ""
    found = _parse(text, timing.start)
    if timing.start not in timing.exdates and timing.start not in found:
        # DTSTART counts as an occurrence in RFC 5545; dateutil adds it only via a rule.
        text = _text(timing, (*timing.rdates, timing.start)) or ""
        found = _parse(text, timing.start)
    return text, _occurrences(found)


def _combine(timings: Sequence[Timing]) -> Timing:
    """Several runs (a course's instances) as one: kept as they are when one rule already
    holds every other occurrence, else spelled out as RDATEs."""
    if len(timings) == 1:
        return timings[0]
    expanded = [(t, _expand(t)[1]) for t in timings]
    if any(dates is None for _, dates in expanded):
        raise ScheduleError(
            f"several schedules that together have more than {MAX_SESSIONS} sessions"
        )
    every = {d for _, dates in expanded for d in dates or ()}
    for timing, dates in expanded:
        if timing.rules and every <= set(dates or ()):
            return timing
    first = min(every)
    return Timing(
        start=first,
        duration_minutes=timings[0].duration_minutes,
        rdates=tuple(sorted(every - {first})),
        end_date=max((t.end_date for t in timings if t.end_date), default=None),
    )


def schedule(timings: Sequence[Timing]) -> Schedule | None:
    """The catalog's schedule fields for these runs (None: no dates at all).

    Raises ScheduleError for a rule dateutil cannot read or a non-positive duration.
    """
    if not timings:
        return None
    timing = _combine(timings)
    if timing.duration_minutes is not None and timing.duration_minutes <= 0:
        raise ScheduleError("the end is not after the start")
    text, dates = _expand(timing)
    ends = [d.date() for d in dates or ()]
    if timing.end_date is not None:
        ends.append(timing.end_date)
    end_date = max(ends) if ends and (dates is not None or timing.end_date) else None
    if end_date == timing.start.date() and not text:
        end_date = None  # a one-off: no end date to state
    return Schedule(
        start_date=timing.start.date(),
        start_time=timing.start.time(),
        duration_minutes=timing.duration_minutes,
        recurrence=text,
        end_date=end_date,
    )


def all_day(first: date, last_exclusive: date | None = None) -> tuple[datetime, int]:
    """An all-day run: local midnight and its length in minutes (one day by default)."""
    days = (last_exclusive - first).days if last_exclusive else 1
    return datetime.combine(first, time()), max(days, 1) * 24 * 60


def until_text(moment: datetime) -> str:
    return moment.strftime(LOCAL)


def end_of(day: date) -> str:
    """A local UNTIL that keeps every occurrence on `day`."""
    return until_text(datetime.combine(day, time()) + timedelta(days=1, seconds=-1))
