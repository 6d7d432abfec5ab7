"""Plain async builders for test data, through the same services the app uses."""

from __future__ import annotations

import dataclasses
from datetime import date, time
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from server.catalog import service as catalog
from server.catalog.keywords import listing_keywords
from server.db import make_engine, make_sessionmaker, session_scope
from server.geo.geocoder import GeoPoint
from server.models import Opportunity, Organization, Place
from server.settings import load_settings

# One venue hosting many listings: every one of them ties on distance.
TIE_POINT = GeoPoint(41.8810, -87.7170)
TIE_ORG_SLUG = "fixture-garfield-hub"
TIE_LISTINGS = 35
# Elsewhere, for tests that add listings of their own without joining the tie.
OTHER_POINT = GeoPoint(41.8000, -87.6000)


async def create_organization(session: AsyncSession, slug: str, **fields: Any) -> Organization:
    org = Organization(
        slug=slug,
        name=fields.pop("name", slug.replace("-", " ").title()),
        kind=fields.pop("kind", "library"),
        status=fields.pop("status", "approved"),
        **fields,
    )
    session.add(org)
    await session.flush()
    return org


async def create_place(
    session: AsyncSession, org: Organization, point: GeoPoint, **fields: Any
) -> Place:
    place = Place(
        organization_id=org.id,
        name=fields.pop("name", f"{org.name} Main"),
        address=fields.pop("address", "100 N Test Ave, Chicago, IL 60624"),
        postal_code=fields.pop("postal_code", "60624"),
        location=point.wkt(),
        **fields,
    )
    session.add(place)
    await session.flush()
    return place


async def create_opportunity(
    session: AsyncSession,
    org: Organization,
    place: Place | None,
    point: GeoPoint | None,
    **fields: Any,
) -> Opportunity:
    defaults: dict[str, Any] = {
        "kind": "program",
        "title": "Fixture Program",
        "description": "A program made by the tests.",
        "delivery": "onsite" if place else "online",
        "min_age": 8,
        "max_age": 14,
        "min_grade": 3,
        "max_grade": 9,
        "start_date": date(2099, 6, 15),
        "end_date": date(2099, 8, 14),
        "start_time": time(10, 0),
        "duration_minutes": 90,
        "schedule_rrule": "FREQ=WEEKLY;BYDAY=TU,TH",
    }
    defaults.update(fields)
    opp = Opportunity(
        organization_id=org.id,
        place_id=place.id if place else None,
        location=point.wkt() if point else None,
        keywords=listing_keywords([], org.name),
        **defaults,
    )
    session.add(opp)
    await session.flush()
    await catalog.expand_sessions(session, opp.id)
    return opp


async def load_fixtures(database_url: str) -> None:
    settings = dataclasses.replace(load_settings(), database_url=database_url)
    engine = make_engine(settings)
    try:
        async with session_scope(make_sessionmaker(engine)) as session:
            org = await create_organization(session, TIE_ORG_SLUG, name="Garfield Learning Hub")
            place = await create_place(session, org, TIE_POINT, name="Garfield Hub Hall")
            for i in range(TIE_LISTINGS):
                await create_opportunity(
                    session,
                    org,
                    place,
                    TIE_POINT,
                    title=f"Hub Session Series {i:02d}",
                    cost_cents=0 if i % 2 else 2500,
                )
    finally:
        await engine.dispose()
