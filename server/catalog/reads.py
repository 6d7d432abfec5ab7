"""Batch reads of catalog rows by key, for DataLoaders and pages (one query per batch)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from geoalchemy2 import Geometry
from sqlalchemy import ColumnElement, cast, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.models import Opportunity, Organization, Place, Session, Topic


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


async def places_by_ids(session: AsyncSession, ids: Sequence[int]) -> dict[int, PlaceView]:
    if not ids:
        return {}
    return await _places(session, Place.id.in_(set(ids)))


async def places_of_organization(session: AsyncSession, organization_id: int) -> list[PlaceView]:
    found = await _places(session, Place.organization_id == organization_id)
    return sorted(found.values(), key=lambda p: p.name)


async def _places(session: AsyncSession, condition: object) -> dict[int, PlaceView]:
    geometry = cast(Place.location, Geometry)
    stmt = select(
        Place.id,
        Place.organization_id,
        Place.name,
        Place.address,
        Place.postal_code,
        Place.neighborhood,
        func.ST_Y(geometry).label("latitude"),
        func.ST_X(geometry).label("longitude"),
        Place.location_approximate,
        Place.wheelchair_accessible,
        Place.free_internet,
    ).where(condition)  # type: ignore[arg-type]
    result = await session.execute(stmt)
    return {row[0]: PlaceView(*row) for row in result.all()}


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
    conditions: list[ColumnElement[bool]] = [Session.opportunity_id.in_(set(ids))]
    if upcoming_from is not None:
        conditions.append(Session.ends_at >= upcoming_from)
    rank = (
        func.row_number()
        .over(partition_by=Session.opportunity_id, order_by=Session.starts_at)
        .label("rank")
    )
    inner = (
        select(
            Session.opportunity_id,
            Session.starts_at,
            Session.ends_at,
            Session.local_date,
            Session.local_dow,
            Session.local_start_minute,
            rank,
        )
        .where(*conditions)
        .subquery()
    )
    stmt = select(
        inner.c.opportunity_id,
        inner.c.starts_at,
        inner.c.ends_at,
        inner.c.local_date,
        inner.c.local_dow,
        inner.c.local_start_minute,
    )
    if limit_per is not None:
        stmt = stmt.where(inner.c.rank <= limit_per)
    stmt = stmt.order_by(inner.c.opportunity_id, inner.c.starts_at)
    for row in (await session.execute(stmt)).all():
        found[row[0]].append(SessionView(*row))
    return found


async def all_topics(session: AsyncSession) -> list[Topic]:
    return list(await session.scalars(select(Topic).order_by(Topic.name)))


async def topics_by_ids(session: AsyncSession, ids: Sequence[int]) -> dict[int, Topic]:
    if not ids:
        return {}
    rows = await session.scalars(select(Topic).where(Topic.id.in_(set(ids))))
    return {row.id: row for row in rows}
