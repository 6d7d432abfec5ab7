"""An independent model of search: plain rows, haversine in Python, filters as predicates.

The search service is checked against this, so it must not share code with it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import asyncpg

EARTH_RADIUS_M = 6_371_008.8


def haversine_m(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))


@dataclass
class Row:
    id: int
    title: str
    text: str
    org_slug: str
    kind: str
    delivery: str
    status: str
    min_age: int
    max_age: int
    min_grade: int | None
    max_grade: int | None
    cost_cents: int
    languages: list[str]
    accessibility: list[str]
    topic_slugs: set[str]
    end_date: date | None
    lat: float | None
    lng: float | None
    sessions: list[tuple[datetime, datetime, date, int, int]] = field(default_factory=list)


async def load_rows(database_url: str) -> dict[int, Row]:
    conn = await asyncpg.connect(database_url)
    try:
        records = await conn.fetch(
            """
            SELECT o.id, o.title, o.description, g.slug AS org_slug, o.kind, o.delivery,
                   CASE WHEN g.status = 'approved' THEN o.status ELSE 'hidden' END AS status,
                   o.min_age, o.max_age, o.min_grade, o.max_grade, o.cost_cents,
                   o.languages, o.accessibility, o.end_date, o.keywords,
                   ST_Y(o.location::geometry) AS lat, ST_X(o.location::geometry) AS lng,
                   ARRAY(SELECT t.slug FROM topics t WHERE t.id = ANY(o.topic_ids)) AS topics
            FROM opportunities o JOIN organizations g ON g.id = o.organization_id
            """
        )
        rows = {
            r["id"]: Row(
                id=r["id"],
                title=r["title"],
                text=f"{r['title']} {r['keywords']} {r['description']}".lower(),
                org_slug=r["org_slug"],
                kind=r["kind"],
                delivery=r["delivery"],
                status=r["status"],
                min_age=r["min_age"],
                max_age=r["max_age"],
                min_grade=r["min_grade"],
                max_grade=r["max_grade"],
                cost_cents=r["cost_cents"],
                languages=list(r["languages"]),
                accessibility=list(r["accessibility"]),
                topic_slugs=set(r["topics"]),
                end_date=r["end_date"],
                lat=r["lat"],
                lng=r["lng"],
            )
            for r in records
        }
        for s in await conn.fetch(
            "SELECT opportunity_id, starts_at, ends_at, local_date, local_dow, "
            "local_start_minute FROM sessions ORDER BY starts_at"
        ):
            rows[s["opportunity_id"]].sessions.append(
                (
                    s["starts_at"],
                    s["ends_at"],
                    s["local_date"],
                    s["local_dow"],
                    s["local_start_minute"],
                )
            )
        return rows
    finally:
        await conn.close()


TIME_RANGES = {"MORNING": (300, 720), "AFTERNOON": (720, 1020), "EVENING": (1020, 1440)}
DAYS = {
    "MONDAY": 1,
    "TUESDAY": 2,
    "WEDNESDAY": 3,
    "THURSDAY": 4,
    "FRIDAY": 5,
    "SATURDAY": 6,
    "SUNDAY": 7,
}


def matches(row: Row, f: dict[str, Any], now: datetime) -> bool:
    """The filter semantics the API documents, written out by hand (a listing of an
    organization that is not approved loaded as status 'hidden')."""
    if row.status != "published":
        return False
    # end_date is local; the search gives a day of grace for time zones behind UTC.
    if row.end_date is not None and row.end_date < now.date() - timedelta(days=1):
        return False
    if "age" in f and not row.min_age <= f["age"] <= row.max_age:
        return False
    if "grade" in f and not (
        row.min_grade is not None
        and row.max_grade is not None
        and row.min_grade <= f["grade"] <= row.max_grade
    ):
        return False
    if f.get("free") and row.cost_cents != 0:
        return False
    if "maxCost" in f and row.cost_cents > round(f["maxCost"] * 100):
        return False
    if "delivery" in f and row.delivery.upper() not in f["delivery"]:
        return False
    if "kinds" in f and row.kind.upper() not in f["kinds"]:
        return False
    if "language" in f and f["language"] not in row.languages:
        return False
    if "accessibility" in f and not {a.lower() for a in f["accessibility"]} <= set(
        row.accessibility
    ):
        return False
    if "topics" in f and not row.topic_slugs & set(f["topics"]):
        return False
    if "organizations" in f and row.org_slug not in f["organizations"]:
        return False
    if "text" in f and not all(word.lower() in row.text for word in f["text"].split()):
        return False
    window = {"dateFrom", "dateTo", "daysOfWeek", "timeOfDay"} & f.keys()
    if window:

        def ok(s: tuple[datetime, datetime, date, int, int]) -> bool:
            _, ends, local_date, dow, minute = s
            if ends < now:
                return False
            if "dateFrom" in f and local_date < date.fromisoformat(f["dateFrom"]):
                return False
            if "dateTo" in f and local_date > date.fromisoformat(f["dateTo"]):
                return False
            if "daysOfWeek" in f and dow not in {DAYS[d] for d in f["daysOfWeek"]}:
                return False
            if "timeOfDay" in f and not any(
                TIME_RANGES[t][0] <= minute < TIME_RANGES[t][1] for t in f["timeOfDay"]
            ):
                return False
            return True

        if not any(ok(s) for s in row.sessions):
            return False
    return True
