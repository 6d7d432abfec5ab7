"""When the demo's listings meet: dates, weekly rules, start times and durations."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, time, timedelta

from server.demo.listing_rules import (
    AFTERNOON,
    DAY_PATTERNS,
    DURATIONS,
    EVENING,
    LATEST_END,
    MORNING,
    WEEKDAYS,
    YEAR_ROUND,
)
from server.models.enums import OpportunityKind

K = OpportunityKind

_DAY_NAMES = dict(
    zip(
        WEEKDAYS,
        ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
        strict=True,
    )
)


def single_weekday(rrule: str | None) -> str | None:
    """'Saturday' for a weekly rule on Saturdays only; None otherwise."""
    if not rrule or not rrule.startswith("FREQ=WEEKLY;"):
        return None
    parts = dict(part.split("=", 1) for part in rrule.split(";"))
    return _DAY_NAMES.get(parts.get("BYDAY", ""))


@dataclass(frozen=True, slots=True)
class Schedule:
    start_date: date
    end_date: date
    rrule: str | None
    start_time: time
    duration: int


class ScheduleGenerator:
    """Draws schedules inside the summer season of `season_year` (or all year round)."""

    def __init__(self, rng: random.Random, season_year: int, today: date | None) -> None:
        self.rng = rng
        self.season_year = season_year
        self.year_round_from = date(season_year - 1, 9, 1)
        if today is not None and today < self.year_round_from:
            self.year_round_from = today - timedelta(days=42)

    def _week_start(self, weeks: int) -> date:
        """A Monday such that `weeks` weeks from it stay inside mid-June .. mid-August."""
        first = date(self.season_year, 6, 15)
        first -= timedelta(days=first.weekday())
        last_end = date(self.season_year, 8, 16)
        slots = max(1, (last_end - first).days // 7 - weeks + 1)
        return first + timedelta(weeks=self.rng.randrange(slots))

    def _start_minute(self, kind: OpportunityKind, max_age: int, weekend: bool) -> int:
        rng = self.rng
        if kind in (K.CAMP, K.INTERNSHIP, K.APPRENTICESHIP, K.JOB_SHADOW):
            return rng.choice(MORNING[:3]) if rng.random() < 0.75 else rng.choice(AFTERNOON[:2])
        if kind == K.EVENT:
            return rng.choice(MORNING + AFTERNOON) if weekend else rng.choice(AFTERNOON + EVENING)
        if weekend or max_age <= 12:
            return rng.choice(MORNING + AFTERNOON)
        part = rng.random()
        if part < 0.25:
            return rng.choice(MORNING)
        return rng.choice(AFTERNOON) if part < 0.6 else rng.choice(EVENING)

    def _duration(self, kind: OpportunityKind, start_minute: int) -> int:
        low, high = DURATIONS[kind]
        duration = self.rng.randrange(low, high + 1, 15)
        # Evening sessions end by 21:30.
        return max(45, min(duration, LATEST_END - start_minute))

    def _weekly_rule(self, days: Sequence[str], end: date) -> str:
        byday = ",".join(days)
        if self.rng.random() < 0.5:
            # UNTIL is local and floating, like the naive dtstart expand_schedule uses.
            return f"FREQ=WEEKLY;BYDAY={byday};UNTIL={end:%Y%m%d}T235959"
        return f"FREQ=WEEKLY;BYDAY={byday}"  # bounded by end_date alone

    def _weekly(self, weeks: int, days: Sequence[str]) -> tuple[date, date, str]:
        monday = self._week_start(weeks)
        offsets = sorted(WEEKDAYS.index(day) for day in days)
        start = monday + timedelta(days=offsets[0])
        end = monday + timedelta(weeks=weeks - 1, days=offsets[-1])
        return start, end, self._weekly_rule(days, end)

    def _year_round(self, days: Sequence[str]) -> tuple[date, date, str]:
        # Starts in the autumn before the season (or just before `today`, in the summer
        # gap when the season has moved to next year), so "soonest" finds sessions now.
        offsets = sorted(WEEKDAYS.index(day) for day in days)
        start = self.year_round_from + timedelta(days=self.rng.randint(0, 50))
        while start.weekday() != offsets[0]:
            start += timedelta(days=1)
        end = date(self.season_year, 8, 14) - timedelta(days=self.rng.randint(0, 10))
        while end.weekday() != offsets[-1]:
            end -= timedelta(days=1)
        return start, end, self._weekly_rule(days, end)

    def _one_day(self, weekend_share: float) -> date:
        monday = self._week_start(1)
        if self.rng.random() < weekend_share:
            return monday + timedelta(days=self.rng.choice((5, 6)))
        return monday + timedelta(days=self.rng.randrange(5))

    def schedule(
        self, kind: OpportunityKind, max_age: int, *, evening: bool, one_week: bool
    ) -> Schedule:
        """`evening` and `one_week` come from the title ("Game Night", "... in a Week")."""
        rng = self.rng
        rrule: str | None
        if one_week and kind == K.CAMP:
            start = self._week_start(1)
            end, rrule = start + timedelta(days=4), "FREQ=DAILY;COUNT=5"
        elif rng.random() < YEAR_ROUND.get(kind, 0.0):
            days = rng.choice(DAY_PATTERNS[rng.choice((1, 1, 2))])
            start, end, rrule = self._year_round(days)
        elif kind == K.CAMP:
            if rng.random() < 0.6:
                start = self._week_start(1)
                end, rrule = start + timedelta(days=4), "FREQ=DAILY;COUNT=5"
            else:
                start, end, rrule = self._weekly(rng.randint(2, 4), DAY_PATTERNS[5][0])
        elif kind in (K.EVENT, K.JOB_SHADOW) or (
            kind in (K.WORKSHOP, K.VOLUNTEERING) and rng.random() < 0.5
        ):
            start = end = self._one_day(0.6 if kind != K.JOB_SHADOW else 0.0)
            rrule = None
        elif kind in (K.INTERNSHIP, K.APPRENTICESHIP):
            days = rng.choice(DAY_PATTERNS[rng.choice((3, 4))])
            start, end, rrule = self._weekly(rng.randint(6, 8), days)
        elif kind == K.WORKSHOP:
            start, end, rrule = self._weekly(rng.randint(2, 4), rng.choice(DAY_PATTERNS[1]))
        elif kind == K.VOLUNTEERING:
            start, end, rrule = self._weekly(rng.randint(3, 8), ("SA",))
        elif kind == K.DROP_IN:
            start, end, rrule = self._weekly(rng.randint(6, 9), rng.choice(DAY_PATTERNS[2]))
        elif kind == K.ONLINE_ACTIVITY and rng.random() < 0.3:
            start = end = self._one_day(0.3)
            rrule = None
        else:  # program, course, online activity
            pattern = rng.choice((1, 1, 2, 2, 2, 3))
            start, end, rrule = self._weekly(rng.randint(3, 9), rng.choice(DAY_PATTERNS[pattern]))
        weekend = start.weekday() >= 5
        minute = rng.choice(EVENING) if evening else self._start_minute(kind, max_age, weekend)
        return Schedule(
            start, end, rrule, time(minute // 60, minute % 60), self._duration(kind, minute)
        )
