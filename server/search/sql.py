"""Builds the one SQL statement behind a search.

Plain SQL text with named parameters: the geography operators read more
clearly here than through an expression builder, and nothing user-given is
ever spliced into the text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from server.catalog.schedule import UPCOMING_SESSION_SQL
from server.geo.geocoder import GeoPoint
from server.search.cursor import Cursor
from server.search.query import SearchFilter, SortOrder, TimeOfDay

POINT_SQL = "ST_SetSRID(ST_MakePoint(:lng, :lat), 4326)::geography"
DISTANCE_SQL = f"(o.location <-> {POINT_SQL})"
TSQUERY_SQL = "websearch_to_tsquery('english', :text)"
RANK_SQL = f"ts_rank_cd(o.search_vector, {TSQUERY_SQL})::float8"

# Local start minute ranges, [from, to).
_TIME_RANGES = {
    TimeOfDay.MORNING: (5 * 60, 12 * 60),
    TimeOfDay.AFTERNOON: (12 * 60, 17 * 60),
    TimeOfDay.EVENING: (17 * 60, 24 * 60),
}


@dataclass
class Where:
    clauses: list[str] = field(default_factory=list)
    params: dict[str, Any] = field(default_factory=dict)
    # The ST_DWithin clause, kept apart: the distance-sorted page bounds its KNN scan
    # with a plain bounding box instead (see page_sql).
    radius_clause: str | None = None

    def add(self, clause: str, **params: Any) -> None:
        self.clauses.append(clause)
        self.params.update(params)

    def sql(self) -> str:
        return " AND ".join(self.clauses) if self.clauses else "TRUE"


def filter_where(
    f: SearchFilter, *, point: GeoPoint | None, radius_m: float | None, now: datetime
) -> Where:
    """The WHERE shared by the result page, the total count and the map clusters."""
    w = Where()
    w.add("o.status = 'published'")
    # A pending, declined or suspended organization's listings are not shown (measured: a
    # hashed subplan, no difference in the search statement's time at 100k listings).
    w.add("o.organization_id IN (SELECT g.id FROM organizations g WHERE g.status = 'approved')")
    # Hide listings whose schedule is over; undated listings are ongoing. end_date is the
    # listing's local date, which can trail the UTC date by a day: one day of grace.
    w.add(
        "(o.end_date IS NULL OR o.end_date >= CAST(:today AS date))",
        today=now.date() - timedelta(days=1),
    )
    if point is not None and radius_m is not None:
        w.radius_clause = f"ST_DWithin(o.location, {POINT_SQL}, :radius_m, false)"
        w.add(w.radius_clause, lat=point.latitude, lng=point.longitude, radius_m=radius_m)
    text = (f.text or "").strip()
    if text:
        w.add(f"o.search_vector @@ {TSQUERY_SQL}", text=text)
    if f.topics:
        w.add(
            "o.topic_ids && ARRAY(SELECT t.id FROM topics t WHERE t.slug = ANY(:topics))",
            topics=list(f.topics),
        )
    if f.organizations:
        w.add(
            "o.organization_id IN (SELECT g.id FROM organizations g WHERE g.slug = ANY(:orgs))",
            orgs=list(f.organizations),
        )
    if f.age is not None:
        w.add("o.min_age <= :age AND o.max_age >= :age", age=f.age)
    if f.grade is not None:
        w.add("o.min_grade <= :grade AND o.max_grade >= :grade", grade=f.grade)
    if f.free_only:
        w.add("o.cost_cents = 0")
    if f.max_cost is not None:
        w.add("o.cost_cents <= :max_cents", max_cents=round(f.max_cost * 100))
    if f.delivery:
        w.add("o.delivery = ANY(:delivery)", delivery=list(f.delivery))
    if f.kinds:
        w.add("o.kind = ANY(:kinds)", kinds=list(f.kinds))
    if f.language:
        w.add(":language = ANY(o.languages)", language=f.language.lower())
    if f.accessibility:
        w.add("o.accessibility @> CAST(:access AS varchar[])", access=list(f.accessibility))
    _session_window(w, f, now)
    return w


def _session_window(w: Where, f: SearchFilter, now: datetime) -> None:
    """Date, weekday and time-of-day filters must hold for one and the same session."""
    if not (f.starts_after or f.starts_before or f.days_of_week or f.time_of_day):
        return
    parts = ["s.opportunity_id = o.id", UPCOMING_SESSION_SQL]
    if f.starts_after:
        parts.append("s.local_date >= :date_from")
        w.params["date_from"] = f.starts_after
    if f.starts_before:
        parts.append("s.local_date <= :date_to")
        w.params["date_to"] = f.starts_before
    if f.days_of_week:
        parts.append("s.local_dow = ANY(CAST(:dows AS smallint[]))")
        w.params["dows"] = sorted(set(f.days_of_week))
    if f.time_of_day:
        ranges = []
        for i, name in enumerate(sorted(set(f.time_of_day))):
            lo, hi = _TIME_RANGES[TimeOfDay(name)]
            ranges.append(
                f"(s.local_start_minute >= :tod_lo{i} AND s.local_start_minute < :tod_hi{i})"
            )
            w.params[f"tod_lo{i}"] = lo
            w.params[f"tod_hi{i}"] = hi
        parts.append("(" + " OR ".join(ranges) + ")")
    w.params["now"] = now
    w.add("EXISTS (SELECT 1 FROM sessions s WHERE " + " AND ".join(parts) + ")")


def page_sql(
    where: Where,
    *,
    sort: SortOrder,
    after: Cursor | None,
    limit: int,
    point: GeoPoint | None,
    now: datetime,
) -> tuple[str, dict[str, Any]]:
    """SELECT id, sort key, distance, next start for one keyset page (limit + 1 rows)."""
    params = dict(where.params)
    params.update(limit=limit + 1, now=now)
    if after is not None:
        params.update(after_key=after.key, after_id=after.id)
    if point is not None:
        params.update(lat=point.latitude, lng=point.longitude)
    if sort is SortOrder.DISTANCE:
        inner = _distance_page(where, after)
    else:
        inner = _ranked_page(where, sort, after, point)
    # The next session is looked up for the page's rows only, not for every candidate.
    sql = (
        f"SELECT p.id, p.sort_key, p.distance_m, {_next_start('p.id')} AS next_start "
        f"FROM ({inner}) p ORDER BY {_outer_order(sort)}"
    )
    return sql, params


def _next_start(id_sql: str) -> str:
    return (
        "(SELECT min(s.starts_at) FROM sessions s "
        f"WHERE s.opportunity_id = {id_sql} AND {UPCOMING_SESSION_SQL})"
    )


NEXT_START_SQL = _next_start("o.id")


def _outer_order(sort: SortOrder) -> str:
    if sort is SortOrder.RELEVANCE:
        return "p.sort_key DESC, p.id"
    if sort is SortOrder.SOONEST:
        return "p.sort_key ASC NULLS LAST, p.id"
    return "p.sort_key, p.id"


def _distance_page(where: Where, after: Cursor | None) -> str:
    """Nearest first, ties by id, in two index-friendly steps within one statement.

    PostgreSQL walks the GiST index in distance order (KNN) only when ORDER BY is the
    distance alone, and the id tie-breaker that keeps cursors stable defeats that. So:
    (1) a KNN scan, bounded by the radius' bounding box, finds the distance D of the
    page's last row; (2) the rows within D, which are the page plus any ties at D, are
    sorted by (distance, id). Both steps read about a page of rows, not the circle.
    """
    keyset = [f"({DISTANCE_SQL}, o.id) > (:after_key, :after_id)"] if after else []
    box = f"o.location && _ST_Expand({POINT_SQL}, :radius_m)"
    knn_where = [c for c in where.clauses if c != where.radius_clause] + [box, *keyset]
    bound = (
        f"SELECT max(k.d) AS d FROM (SELECT {DISTANCE_SQL} AS d FROM opportunities o "
        f"WHERE {' AND '.join(knn_where)} ORDER BY {DISTANCE_SQL} LIMIT :limit) k"
    )
    # The box is padded by a millimetre so float rounding can never drop a tie at D.
    page_where = [
        *where.clauses,
        *keyset,
        f"o.location && _ST_Expand({POINT_SQL}, (SELECT d FROM bound) + 0.001)",
        f"{DISTANCE_SQL} <= (SELECT d FROM bound)",
    ]
    return (
        f"WITH bound AS MATERIALIZED ({bound}) "
        f"SELECT o.id, {DISTANCE_SQL} AS sort_key, {DISTANCE_SQL} AS distance_m "
        f"FROM opportunities o WHERE {' AND '.join(page_where)} "
        f"ORDER BY {DISTANCE_SQL}, o.id LIMIT :limit"
    )


def _ranked_page(
    where: Where, sort: SortOrder, after: Cursor | None, point: GeoPoint | None
) -> str:
    clauses = list(where.clauses)
    if sort is SortOrder.RELEVANCE:
        key, order = RANK_SQL, f"{RANK_SQL} DESC, o.id"
        if after is not None:
            clauses.append(
                f"({RANK_SQL} < :after_key OR ({RANK_SQL} = :after_key AND o.id > :after_id))"
            )
    else:
        key, order = NEXT_START_SQL, f"{NEXT_START_SQL} ASC NULLS LAST, o.id"
        if after is not None:
            if after.key is None:
                clauses.append(f"({NEXT_START_SQL} IS NULL AND o.id > :after_id)")
            else:
                clauses.append(
                    f"({NEXT_START_SQL} > :after_key OR {NEXT_START_SQL} IS NULL"
                    f" OR ({NEXT_START_SQL} = :after_key AND o.id > :after_id))"
                )
    distance = DISTANCE_SQL if point is not None else "NULL::float8"
    return (
        f"SELECT o.id, {key} AS sort_key, {distance} AS distance_m FROM opportunities o "
        f"WHERE {' AND '.join(clauses)} ORDER BY {order} LIMIT :limit"
    )


def count_sql(where: Where, *, cap: int) -> tuple[str, dict[str, Any]]:
    """Counts at most cap + 1 rows: an exact count of a dense circle reads every row in it."""
    sql = (
        f"SELECT count(*) FROM (SELECT 1 FROM opportunities o WHERE {where.sql()} "
        "LIMIT :count_limit) c"
    )
    return sql, {**where.params, "count_limit": cap + 1}
