"""Fast bulk loading of a demo city with asyncpg binary COPY.

Geography cannot be sent through binary COPY without WKB encoding on our side,
so venues and listings are copied into temporary staging tables with plain
latitude/longitude columns and moved with one INSERT ... SELECT each, which
builds the points in PostGIS. Sessions need no geometry and are copied
straight into their table, expanded on the fly so 2M rows never sit in memory.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date

import asyncpg

from server.catalog.taxonomy import TaxonomyEntry, ensure_taxonomies_asyncpg
from server.demo.generate import (
    DEFAULT_SEED,
    DemoCity,
    default_season_year,
    generate_city,
    opportunity_sessions,
)

log = logging.getLogger(__name__)

# Serializes concurrent seeders (two processes starting at once on an empty database).
_SEED_LOCK_KEY = 0x43_4C_44_45_4D_4F  # "CLDEMO"


@dataclass(frozen=True)
class LoadCounts:
    topics: int
    competencies: int
    organizations: int
    places: int
    opportunities: int
    sessions: int
    seconds: float


_ORG_STAGE = """
CREATE TEMP TABLE demo_organizations (
    id bigint, slug text, name text, kind text, description text, website text,
    status text, postal_code text, neighborhood text
) ON COMMIT DROP
"""
_ORG_INSERT = """
INSERT INTO organizations
    (id, slug, name, kind, description, website, status, postal_code, neighborhood)
OVERRIDING SYSTEM VALUE
SELECT id + $1, slug, name, kind, description, website, status, postal_code, neighborhood
FROM demo_organizations ORDER BY id
"""

_PLACE_STAGE = """
CREATE TEMP TABLE demo_places (
    id bigint, organization_id bigint, name text, address text, postal_code text,
    neighborhood text, lat double precision, lng double precision,
    location_approximate boolean, wheelchair_accessible boolean, free_internet boolean
) ON COMMIT DROP
"""
_PLACE_INSERT = """
INSERT INTO places
    (id, organization_id, name, address, postal_code, neighborhood, location,
     location_approximate, wheelchair_accessible, free_internet)
OVERRIDING SYSTEM VALUE
SELECT id + $1, organization_id + $2, name, address, postal_code, neighborhood,
       ST_SetSRID(ST_MakePoint(lng, lat), 4326)::geography,
       location_approximate, wheelchair_accessible, free_internet
FROM demo_places ORDER BY id
"""

_OPPORTUNITY_COLUMNS = (
    "id",
    "organization_id",
    "place_id",
    "kind",
    "title",
    "description",
    "topic_ids",
    "competency_ids",
    "min_age",
    "max_age",
    "min_grade",
    "max_grade",
    "cost_cents",
    "financial_aid",
    "delivery",
    "languages",
    "accessibility",
    "capacity",
    "registration_url",
    "start_date",
    "end_date",
    "schedule_rrule",
    "schedule_timezone",
    "start_time",
    "duration_minutes",
    "lat",
    "lng",
    "status",
    "keywords",
)
_OPPORTUNITY_STAGE = """
CREATE TEMP TABLE demo_opportunities (
    id bigint, organization_id bigint, place_id bigint, kind text, title text,
    description text, topic_ids integer[], competency_ids integer[],
    min_age smallint, max_age smallint, min_grade smallint, max_grade smallint,
    cost_cents integer, financial_aid boolean, delivery text, languages text[],
    accessibility text[], capacity integer, registration_url text,
    start_date date, end_date date, schedule_rrule text, schedule_timezone text,
    start_time time, duration_minutes integer, lat double precision, lng double precision,
    status text, keywords text
) ON COMMIT DROP
"""
# ST_MakePoint is strict, so online listings (no lat/lng) get a NULL location.
_OPPORTUNITY_INSERT = """
INSERT INTO opportunities
    (id, organization_id, place_id, kind, title, description, topic_ids, competency_ids,
     min_age, max_age, min_grade, max_grade, cost_cents, financial_aid, delivery,
     languages, accessibility, capacity, registration_url, start_date, end_date,
     schedule_rrule, schedule_timezone, start_time, duration_minutes, location, status,
     keywords)
OVERRIDING SYSTEM VALUE
SELECT id + $1, organization_id + $2, place_id + $3, kind, title, description, topic_ids,
       competency_ids, min_age, max_age, min_grade, max_grade, cost_cents, financial_aid,
       delivery, languages, accessibility, capacity, registration_url, start_date, end_date,
       schedule_rrule, schedule_timezone, start_time, duration_minutes,
       ST_SetSRID(ST_MakePoint(lng, lat), 4326)::geography, status, keywords
FROM demo_opportunities ORDER BY id
"""

_SESSION_COLUMNS = (
    "opportunity_id",
    "starts_at",
    "ends_at",
    "local_date",
    "local_dow",
    "local_start_minute",
)
_LOADED_TABLES = ("topics", "competencies", "organizations", "places", "opportunities", "sessions")


def _copied(status: str) -> int:
    """asyncpg returns the command tag, e.g. 'COPY 5200'."""
    return int(status.rsplit(" ", 1)[-1])


async def _id_map(
    conn: asyncpg.Connection, table: str, entries: Sequence[TaxonomyEntry]
) -> dict[int, int] | None:
    """Generator id (position + 1) -> database id by slug; None when they already agree."""
    rows = await conn.fetch(f"SELECT slug, id FROM {table}")  # table is one of two constants
    by_slug = {row["slug"]: row["id"] for row in rows}
    mapping = {index + 1: by_slug[entry.slug] for index, entry in enumerate(entries)}
    return None if all(gen == db for gen, db in mapping.items()) else mapping


def _remap(ids: tuple[int, ...], mapping: dict[int, int] | None) -> list[int]:
    return list(ids) if mapping is None else [mapping[i] for i in ids]


async def _max_id(conn: asyncpg.Connection, table: str) -> int:
    value = await conn.fetchval(f"SELECT coalesce(max(id), 0) FROM {table}")
    return int(value)


async def _reset_identity(conn: asyncpg.Connection, table: str) -> None:
    # Explicit ids do not advance the identity sequence; without this the next ordinary
    # insert would collide with a demo row.
    await conn.execute(
        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
        f"(SELECT coalesce(max(id), 0) + 1 FROM {table}), false)"
    )


def _session_records(city: DemoCity, opportunity_offset: int) -> Iterator[tuple[object, ...]]:
    # A generator, so COPY streams while the next sessions are being expanded.
    for opportunity in city.opportunities:
        opportunity_id = opportunity.id + opportunity_offset
        for session in opportunity_sessions(opportunity):
            yield (
                opportunity_id,
                session.starts_at,
                session.ends_at,
                session.local_date,
                session.local_dow,
                session.local_start_minute,
            )


async def load_city(conn: asyncpg.Connection, city: DemoCity) -> LoadCounts:
    """Load a generated city in one transaction, then ANALYZE.

    The generator numbers rows from 1; if the tables already hold rows, ids are shifted
    past them, so loading into a non-empty database works (slugs must still be new).
    """
    started = time.perf_counter()
    async with conn.transaction():
        # Block other writers (readers still work) so the id offsets stay valid.
        await conn.execute(
            "LOCK TABLE organizations, places, opportunities IN SHARE ROW EXCLUSIVE MODE"
        )
        await ensure_taxonomies_asyncpg(conn)
        topic_map = await _id_map(conn, "topics", city.topics)
        competency_map = await _id_map(conn, "competencies", city.competencies)
        org_offset = await _max_id(conn, "organizations")
        place_offset = await _max_id(conn, "places")
        opportunity_offset = await _max_id(conn, "opportunities")

        await conn.execute(_ORG_STAGE)
        await conn.copy_records_to_table(
            "demo_organizations",
            records=[
                (
                    o.id,
                    o.slug,
                    o.name,
                    o.kind,
                    o.description,
                    o.website,
                    o.status,
                    o.postal_code,
                    o.neighborhood,
                )
                for o in city.organizations
            ],
        )
        organizations = _copied(await conn.execute(_ORG_INSERT, org_offset))

        await conn.execute(_PLACE_STAGE)
        await conn.copy_records_to_table(
            "demo_places",
            records=[
                (
                    p.id,
                    p.organization_id,
                    p.name,
                    p.address,
                    p.postal_code,
                    p.neighborhood,
                    p.latitude,
                    p.longitude,
                    p.location_approximate,
                    p.wheelchair_accessible,
                    p.free_internet,
                )
                for p in city.places
            ],
        )
        places = _copied(await conn.execute(_PLACE_INSERT, place_offset, org_offset))

        await conn.execute(_OPPORTUNITY_STAGE)
        await conn.copy_records_to_table(
            "demo_opportunities",
            columns=list(_OPPORTUNITY_COLUMNS),
            records=(
                (
                    o.id,
                    o.organization_id,
                    o.place_id,
                    o.kind,
                    o.title,
                    o.description,
                    _remap(o.topic_ids, topic_map),
                    _remap(o.competency_ids, competency_map),
                    o.min_age,
                    o.max_age,
                    o.min_grade,
                    o.max_grade,
                    o.cost_cents,
                    o.financial_aid,
                    o.delivery,
                    list(o.languages),
                    list(o.accessibility),
                    o.capacity,
                    o.registration_url,
                    o.start_date,
                    o.end_date,
                    o.schedule_rrule,
                    o.schedule_timezone,
                    o.start_time,
                    o.duration_minutes,
                    o.latitude,
                    o.longitude,
                    o.status,
                    o.keywords,
                )
                for o in city.opportunities
            ),
        )
        opportunities = _copied(
            await conn.execute(_OPPORTUNITY_INSERT, opportunity_offset, org_offset, place_offset)
        )
        staged_at = time.perf_counter()

        sessions = _copied(
            await conn.copy_records_to_table(
                "sessions",
                columns=list(_SESSION_COLUMNS),
                records=_session_records(city, opportunity_offset),
            )
        )
        for table in ("organizations", "places", "opportunities"):
            await _reset_identity(conn, table)
    loaded_at = time.perf_counter()
    # Fresh statistics, or the planner guesses row counts for the first searches.
    await conn.execute(f"ANALYZE {', '.join(_LOADED_TABLES)}")
    finished = time.perf_counter()
    log.info(
        "demo city loaded: %d organizations, %d places, %d opportunities (%.1fs), "
        "%d sessions (%.1fs), analyze %.1fs",
        organizations,
        places,
        opportunities,
        staged_at - started,
        sessions,
        loaded_at - staged_at,
        finished - loaded_at,
    )
    return LoadCounts(
        topics=len(city.topics),
        competencies=len(city.competencies),
        organizations=organizations,
        places=places,
        opportunities=opportunities,
        sessions=sessions,
        seconds=finished - started,
    )


def asyncpg_dsn(database_url: str) -> str:
    """asyncpg wants plain postgresql://; SQLAlchemy URLs carry '+asyncpg' in the scheme."""
    scheme, sep, rest = database_url.partition("://")
    return f"{scheme.split('+', 1)[0]}{sep}{rest}"


async def _has_organizations(conn: asyncpg.Connection) -> bool:
    return bool(await conn.fetchval("SELECT EXISTS (SELECT 1 FROM organizations)"))


async def seed_demo(
    database_url: str,
    *,
    seed: int = DEFAULT_SEED,
    opportunities: int = 5200,
    organizations: int | None = None,
    only_if_empty: bool = True,
    today: date | None = None,
) -> LoadCounts | None:
    """Generate and load the demo city; None (and no change) when data is already there."""
    org_count = organizations if organizations is not None else max(320, opportunities // 16)
    today = today or date.today()
    season_year = default_season_year(today)
    conn = await asyncpg.connect(asyncpg_dsn(database_url))
    try:
        await conn.execute("SELECT pg_advisory_lock($1)", _SEED_LOCK_KEY)
        try:
            if only_if_empty and await _has_organizations(conn):
                return None
            started = time.perf_counter()
            # CPU-bound for a few seconds at 100k listings: keep the event loop answering.
            city = await asyncio.to_thread(
                generate_city,
                seed,
                org_count,
                opportunities,
                season_year=season_year,
                today=today,
            )
            log.info(
                "demo city generated in %.1fs (seed %d, season %d)",
                time.perf_counter() - started,
                seed,
                season_year,
            )
            return await load_city(conn, city)
        finally:
            await conn.execute("SELECT pg_advisory_unlock($1)", _SEED_LOCK_KEY)
    finally:
        await conn.close()
