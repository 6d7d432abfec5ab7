"""Batch reads of catalog rows by key, for DataLoaders and pages (one query per batch)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.catalog.feeds import STALE_SQL
from server.catalog.schedule import UPCOMING_SESSION_SQL
from server.db import fetch_all
from server.models import Topic


@dataclass(frozen=True)
class PlaceView:
    id: int
    organization_id: int
    name: str
    address: str
    postal_code: str | None
    neighborhood: str | None
    latitude: float
    longitude: float
    approximate: bool
    wheelchair_accessible: bool
    free_internet: bool


@dataclass(frozen=True)
class OrganizationView:
    id: int
    slug: str
    name: str
    kind: str
    description: str
    website: str | None
    status: str
    postal_code: str | None
    neighborhood: str | None


@dataclass(frozen=True)
class SessionView:
    opportunity_id: int
    starts_at: datetime
    ends_at: datetime
    local_date: date
    local_dow: int
    local_start_minute: int


@dataclass(frozen=True)
class ListingView:
    """A listing as every reader shows it: with its organization and place, and its first
    upcoming sessions when they were asked for (`sessions_per`)."""

    organization: OrganizationView
    place: PlaceView | None
    sessions: tuple[SessionView, ...]
    # How many upcoming sessions were read: `sessions` holds them all when it is shorter.
    sessions_read: int
    id: int
    organization_id: int
    place_id: int | None
    kind: str
    title: str
    description: str
    topic_ids: list[int]
    min_age: int
    max_age: int
    min_grade: int | None
    max_grade: int | None
    cost_cents: int
    financial_aid: bool
    delivery: str
    languages: list[str]
    accessibility: list[str]
    capacity: int | None
    registration_url: str | None
    start_date: date | None
    end_date: date | None
    schedule_rrule: str | None
    schedule_timezone: str
    status: str
    # "manual", "push", "csv", "feed:<id>" ... (server/catalog/imports.py)
    source: str
    # From a feed that has been failing for a while: shown as possibly out of date.
    stale: bool


# Plain SQL through fetch_all: the reads behind a results page run on every search, and
# skipping SQLAlchemy's statement building and ORM objects halves their CPU.
_ORG_COLUMNS = (
    "g.id, g.slug, g.name, g.kind, g.description, g.website, g.status, g.postal_code, "
    "g.neighborhood"
)
_PLACE_COLUMNS = (
    "pl.id, pl.organization_id, pl.name, pl.address, pl.postal_code, pl.neighborhood, "
    "ST_Y(pl.location::geometry), ST_X(pl.location::geometry), pl.location_approximate, "
    "pl.wheelchair_accessible, pl.free_internet"
)
_LISTING_EXPRESSIONS = (
    *(
        f"o.{column}"
        for column in (
            "id organization_id place_id kind title description topic_ids min_age max_age "
            "min_grade max_grade cost_cents financial_aid delivery languages accessibility "
            "capacity registration_url start_date end_date schedule_rrule schedule_timezone "
            "status source"
        ).split()
    ),
    f"COALESCE({STALE_SQL}, false)",
)
_LISTING_COLUMNS = ", ".join(_LISTING_EXPRESSIONS)
_SESSION_COLUMNS = (
    "s.opportunity_id, s.starts_at, s.ends_at, s.local_date, s.local_dow, s.local_start_minute"
)
_N_LISTING = len(_LISTING_EXPRESSIONS)
_N_ORG = _ORG_COLUMNS.count(",") + 1
_N_PLACE = _PLACE_COLUMNS.count(",") + 1
_LISTINGS_SQL = (
    f"SELECT {_LISTING_COLUMNS}, {_ORG_COLUMNS}, {_PLACE_COLUMNS}, {{sessions}} "
    "FROM opportunities o JOIN organizations g ON g.id = o.organization_id "
    "LEFT JOIN places pl ON pl.id = o.place_id LEFT JOIN feeds f ON f.id = o.feed_id "
    "WHERE o.id = ANY(:ids)"
)
# The first upcoming sessions of each listing, as one array of records in the same row.
_FIRST_SESSIONS = (
    f"ARRAY(SELECT ROW({_SESSION_COLUMNS}) FROM sessions s WHERE s.opportunity_id = o.id "
    f"AND {UPCOMING_SESSION_SQL} ORDER BY s.starts_at LIMIT :sessions_per)"
)
_LISTINGS_WITH_SESSIONS = _LISTINGS_SQL.format(sessions=_FIRST_SESSIONS)
_LISTINGS_ONLY = _LISTINGS_SQL.format(sessions="NULL")


def _listing(row: Any, sessions_per: int) -> ListingView:
    org_end = _N_LISTING + _N_ORG
    place = row[org_end : org_end + _N_PLACE]
    sessions = row[org_end + _N_PLACE] or ()
    return ListingView(
        OrganizationView(*row[_N_LISTING:org_end]),
        PlaceView(*place) if place[0] is not None else None,
        tuple(SessionView(*s) for s in sessions),
        sessions_per,
        *row[:_N_LISTING],
    )


def listings_statement(
    ids: Sequence[int], *, sessions_per: int = 0, upcoming_from: datetime | None = None
) -> tuple[str, dict[str, Any]]:
    """The SQL behind listings_by_ids (the benchmark runs it bare, beside the app)."""
    params: dict[str, Any] = {"ids": sorted(set(ids))}
    if sessions_per <= 0:
        return _LISTINGS_ONLY, params
    if upcoming_from is None:
        raise ValueError("upcoming sessions need the request's clock")
    return _LISTINGS_WITH_SESSIONS, {**params, "now": upcoming_from, "sessions_per": sessions_per}


async def listings_by_ids(
    session: AsyncSession,
    ids: Sequence[int],
    *,
    sessions_per: int = 0,
    upcoming_from: datetime | None = None,
) -> dict[int, ListingView]:
    """Listings with their organization and place in one statement, whatever their status
    (callers decide what may be shown), plus the first `sessions_per` upcoming sessions."""
    if not ids:
        return {}
    sql, params = listings_statement(ids, sessions_per=sessions_per, upcoming_from=upcoming_from)
    rows = await fetch_all(session, sql, params)
    return {row[0]: _listing(row, sessions_per) for row in rows}


_ORGS_SQL = f"SELECT {_ORG_COLUMNS} FROM organizations g WHERE "


async def organizations_by_ids(
    session: AsyncSession, ids: Sequence[int]
) -> dict[int, OrganizationView]:
    if not ids:
        return {}
    rows = await fetch_all(session, _ORGS_SQL + "g.id = ANY(:ids)", {"ids": sorted(set(ids))})
    return {row[0]: OrganizationView(*row) for row in rows}


async def organization_by_slug(session: AsyncSession, slug: str) -> OrganizationView | None:
    rows = await fetch_all(session, _ORGS_SQL + "g.slug = :slug", {"slug": slug})
    return OrganizationView(*rows[0]) if rows else None


async def organizations_page(
    session: AsyncSession, *, first: int, after_id: int | None
) -> list[OrganizationView]:
    """Approved organizations by id, first + 1 rows so the caller can tell if more follow."""
    rows = await fetch_all(
        session,
        _ORGS_SQL + "g.status = 'approved' AND g.id > :after ORDER BY g.id LIMIT :limit",
        {"after": after_id if after_id is not None else 0, "limit": first + 1},
    )
    return [OrganizationView(*row) for row in rows]


_PLACES_SQL = f"SELECT {_PLACE_COLUMNS} FROM places pl WHERE "


async def places_by_ids(session: AsyncSession, ids: Sequence[int]) -> dict[int, PlaceView]:
    if not ids:
        return {}
    rows = await fetch_all(session, _PLACES_SQL + "pl.id = ANY(:ids)", {"ids": sorted(set(ids))})
    return {row[0]: PlaceView(*row) for row in rows}


async def places_of_organization(session: AsyncSession, organization_id: int) -> list[PlaceView]:
    rows = await fetch_all(
        session,
        _PLACES_SQL + "pl.organization_id = :org ORDER BY pl.name",
        {"org": organization_id},
    )
    return [PlaceView(*row) for row in rows]


async def sessions_by_opportunity_ids(
    session: AsyncSession,
    ids: Sequence[int],
    *,
    upcoming_from: datetime | None = None,
    limit_per: int | None = None,
) -> dict[int, list[SessionView]]:
    """Sessions in start order, at most `limit_per` per listing (plain rows, no ORM objects:
    a page of 20 listings has hundreds of sessions)."""
    found: dict[int, list[SessionView]] = defaultdict(list)
    if not ids:
        return found
    # Numbered per listing so "the next three" is one statement for the whole page.
    sql = (
        f"SELECT {_SESSION_COLUMNS} "
        "FROM (SELECT s.*, row_number() OVER (PARTITION BY opportunity_id ORDER BY starts_at) "
        "AS rank FROM sessions s WHERE opportunity_id = ANY(:ids)"
        + (f" AND {UPCOMING_SESSION_SQL}" if upcoming_from is not None else "")
        + ") s"
        + (" WHERE rank <= :limit_per" if limit_per is not None else "")
        + " ORDER BY s.opportunity_id, s.starts_at"
    )
    params = {"ids": sorted(set(ids)), "now": upcoming_from, "limit_per": limit_per}
    for row in await fetch_all(session, sql, params):
        found[row[0]].append(SessionView(*row))
    return found


async def all_topics(session: AsyncSession) -> list[Topic]:
    return list(await session.scalars(select(Topic).order_by(Topic.name)))


async def topics_by_ids(session: AsyncSession, ids: Sequence[int]) -> dict[int, Topic]:
    if not ids:
        return {}
    rows = await session.scalars(select(Topic).where(Topic.id.in_(set(ids))))
    return {row.id: row for row in rows}
