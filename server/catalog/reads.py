"""Batch reads of catalog rows by key, for DataLoaders and pages (one query per batch)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.catalog.schedule import UPCOMING_SESSION_SQL
from server.db import fetch_all
from server.models import Opportunity, Organization, Topic


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


async def opportunities_by_ids(session: AsyncSession, ids: Sequence[int]) -> dict[int, Opportunity]:
    if not ids:
        return {}
    rows = await session.scalars(select(Opportunity).where(Opportunity.id.in_(set(ids))))
    return {row.id: row for row in rows}


async def organizations_by_ids(
    session: AsyncSession, ids: Sequence[int]
) -> dict[int, Organization]:
    if not ids:
        return {}
    rows = await session.scalars(select(Organization).where(Organization.id.in_(set(ids))))
    return {row.id: row for row in rows}


async def organization_by_slug(session: AsyncSession, slug: str) -> Organization | None:
    result: Organization | None = await session.scalar(
        select(Organization).where(Organization.slug == slug)
    )
    return result


async def organizations_page(
    session: AsyncSession, *, first: int, after_id: int | None
) -> list[Organization]:
    """Approved organizations by id, first + 1 rows so the caller can tell if more follow."""
    stmt = select(Organization).where(Organization.status == "approved")
    if after_id is not None:
        stmt = stmt.where(Organization.id > after_id)
    rows = await session.scalars(stmt.order_by(Organization.id).limit(first + 1))
    return list(rows)


# Plain SQL through fetch_all on the hot paths of a results page (places, sessions):
# skipping SQLAlchemy's statement building saves about half a millisecond of CPU each.
_PLACES_SQL = (
    "SELECT id, organization_id, name, address, postal_code, neighborhood, "
    "ST_Y(location::geometry), ST_X(location::geometry), location_approximate, "
    "wheelchair_accessible, free_internet FROM places WHERE "
)


async def places_by_ids(session: AsyncSession, ids: Sequence[int]) -> dict[int, PlaceView]:
    if not ids:
        return {}
    rows = await fetch_all(session, _PLACES_SQL + "id = ANY(:ids)", {"ids": sorted(set(ids))})
    return {row[0]: PlaceView(*row) for row in rows}


async def places_of_organization(session: AsyncSession, organization_id: int) -> list[PlaceView]:
    rows = await fetch_all(
        session, _PLACES_SQL + "organization_id = :org ORDER BY name", {"org": organization_id}
    )
    return [PlaceView(*row) for row in rows]


@dataclass(frozen=True)
class SessionView:
    opportunity_id: int
    starts_at: datetime
    ends_at: datetime
    local_date: date
    local_dow: int
    local_start_minute: int


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
        "SELECT opportunity_id, starts_at, ends_at, local_date, local_dow, local_start_minute "
        "FROM (SELECT s.*, row_number() OVER (PARTITION BY opportunity_id ORDER BY starts_at) "
        "AS rank FROM sessions s WHERE opportunity_id = ANY(:ids)"
        + (f" AND {UPCOMING_SESSION_SQL}" if upcoming_from is not None else "")
        + ") ranked"
        + (" WHERE rank <= :limit_per" if limit_per is not None else "")
        + " ORDER BY opportunity_id, starts_at"
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
