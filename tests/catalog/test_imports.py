"""The one import service: idempotent upserts, rejections that take nothing down,
geocoding, duplicates, snapshot removals held over a quarter, RPDE ordering, dry runs."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server.authz import Actor
from server.catalog.imports import (
    ImportSummary,
    confirm_held_removals,
    import_as,
    import_records,
)
from server.catalog.records import ListingRecord, PlaceRecord, RecordError
from server.db import session_scope
from server.errors import Conflict, Forbidden, InvalidInput, Unauthenticated
from server.geo.geocoder import default_geocoder
from server.models import Opportunity, Organization, Place, Session
from server.models.enums import ApiScope, Delivery, StaffRole
from tests.accounts import people

NOW = datetime(2026, 12, 1, 18, 0, tzinfo=UTC)
HUB = PlaceRecord(
    "Field House", "1400 W Augusta Blvd, Chicago, IL 60642", "60642", 41.8995, -87.6623
)


def listing(n: int, **changes: object) -> ListingRecord:
    record = ListingRecord(
        external_id=f"ext-{n}",
        title=f"Summer Robotics Lab {n}",
        description="Build and program robots.",
        topics=("robotics", "Coding"),
        min_age=10,
        max_age=14,
        cost_cents=0,
        place=HUB,
        start_date=date(2099, 6, 16),
        end_date=date(2099, 8, 14),
        start_time=time(10, 0),
        duration_minutes=90,
        recurrence="RRULE:FREQ=WEEKLY;BYDAY=TU",
        location=f"item {n}",
    )
    return dataclasses.replace(record, **changes)  # type: ignore[arg-type]


async def _org(sessionmaker: async_sessionmaker[AsyncSession], status: str = "approved") -> int:
    async with session_scope(sessionmaker) as s:
        return (await people.organization(s, status=status)).id


async def _import(
    sessionmaker: async_sessionmaker[AsyncSession],
    org: int,
    items: list[ListingRecord | RecordError],
    *,
    source: str = "feed:test",
    snapshot: bool = True,
    dry_run: bool = False,
) -> ImportSummary:
    async with session_scope(sessionmaker) as s:
        return await import_records(
            s,
            organization_id=org,
            source=source,
            items=items,
            snapshot=snapshot,
            now=NOW,
            dry_run=dry_run,
        )


async def _listings(
    sessionmaker: async_sessionmaker[AsyncSession], org: int
) -> dict[str, Opportunity]:
    async with sessionmaker() as s:
        rows = await s.scalars(select(Opportunity).where(Opportunity.organization_id == org))
        return {r.external_id or "": r for r in rows}


async def test_the_same_records_twice_change_nothing(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    org = await _org(sessionmaker)
    first = await _import(sessionmaker, org, [listing(1), listing(2)])
    assert (first.created, first.updated, first.unchanged) == (2, 0, 0)
    stored = await _listings(sessionmaker, org)
    marks = {k: (v.rpde_modified, v.updated_at) for k, v in stored.items()}
    assert stored["ext-1"].status == "published" and stored["ext-1"].source == "feed:test"
    async with sessionmaker() as s:
        sessions = await s.scalar(
            select(func.count()).where(Session.opportunity_id == stored["ext-1"].id)
        )
        topics = stored["ext-1"].topic_ids
    assert sessions == 9 and len(topics) == 2  # Tuesdays, mid-June to mid-August
    again = await _import(sessionmaker, org, [listing(1), listing(2)])
    assert (again.created, again.updated, again.unchanged, again.removed) == (0, 0, 2, 0)
    after = await _listings(sessionmaker, org)
    assert {k: (v.rpde_modified, v.updated_at) for k, v in after.items()} == marks  # no write
    changed = await _import(
        sessionmaker, org, [listing(1, title="Robotics Lab: Drones"), listing(2)]
    )
    assert (changed.updated, changed.unchanged) == (1, 1)
    after = await _listings(sessionmaker, org)
    assert after["ext-1"].title == "Robotics Lab: Drones"
    assert after["ext-1"].rpde_modified > marks["ext-1"][0]


async def test_bad_records_are_rejected_and_take_nothing_down(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    org = await _org(sessionmaker)
    await _import(sessionmaker, org, [listing(1), listing(2)])
    summary = await _import(
        sessionmaker,
        org,
        [
            listing(1, min_age=20, max_age=10),  # was good, now broken: the stored one stays
            listing(2),
            listing(3, recurrence="RRULE:FREQ=SOMETIMES"),
            listing(4, timezone="Mars/Olympus"),
            listing(5, place=None),
            listing(6, registration_url="javascript:alert(1)"),
            RecordError("not a VEVENT", "VEVENT 7", "ext-7"),
            listing(8),
            listing(8, title="The same id again"),
        ],
    )
    reasons = {r.external_id: r.reason for r in summary.rejected}
    assert set(reasons) == {"ext-1", "ext-3", "ext-4", "ext-5", "ext-6", "ext-7", "ext-8"}
    assert "ages" in reasons["ext-1"] and "repeats daily" in reasons["ext-3"]
    assert "time zone" in reasons["ext-4"] and "place" in reasons["ext-5"]
    assert reasons["ext-8"] == "the same external id twice"
    assert (summary.created, summary.unchanged, summary.removed) == (1, 1, 0)
    stored = await _listings(sessionmaker, org)
    # ext-1 was rejected this time, not removed: the good version stays published.
    assert stored["ext-1"].status == "published" and stored["ext-1"].min_age == 10
    assert stored["ext-8"].title == "Summer Robotics Lab 8"


async def test_places_without_coordinates_are_geocoded_and_marked_approximate(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    org = await _org(sessionmaker)
    no_coordinates = PlaceRecord("Branch Library", "2311 N Clybourn Ave, Chicago, IL 60614")
    summary = await _import(
        sessionmaker,
        org,
        [
            listing(1, place=no_coordinates),
            listing(2, place=PlaceRecord("Nowhere Hall", "no address we know")),
        ],
    )
    assert summary.created == 1 and summary.rejected[0].external_id == "ext-2"
    centroid = default_geocoder().geocode("60614")
    assert centroid is not None
    async with sessionmaker() as s:
        place = await s.scalar(select(Place).where(Place.organization_id == org))
        assert place is not None and place.postal_code == "60614" and place.location_approximate
        lat, lng = (
            await s.execute(
                text(
                    "SELECT ST_Y(location::geometry), ST_X(location::geometry) "
                    "FROM places WHERE id = :id"
                ),
                {"id": place.id},
            )
        ).one()
    assert (lat, lng) == pytest.approx((centroid.point.latitude, centroid.point.longitude))


async def test_duplicates_across_sources_are_detected(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    org = await _org(sessionmaker)
    await _import(sessionmaker, org, [listing(1)], source="feed:calendar")
    # The same external id from another source is the same listing, updated.
    same_id = await _import(
        sessionmaker, org, [listing(1, description="Now with drones.")], source="csv"
    )
    assert (same_id.created, same_id.updated) == (0, 1)
    # Another id, but the same title, first start and place: a duplicate.
    twin = await _import(
        sessionmaker,
        org,
        [listing(9, title="summer robotics LAB 1!", external_id="csv-77")],
        source="csv",
    )
    assert twin.created == 0
    assert (
        twin.rejected[0].external_id == "csv-77"
        and "duplicate of listing ext-1" in twin.rejected[0].reason
    )
    assert len(await _listings(sessionmaker, org)) == 1


async def test_a_snapshot_removes_what_vanished_but_holds_mass_removals(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    org = await _org(sessionmaker)
    await _import(sessionmaker, org, [listing(n) for n in range(1, 9)])
    # One of eight vanished: removed (archived), not deleted.
    summary = await _import(sessionmaker, org, [listing(n) for n in range(1, 8)])
    assert summary.removed == 1 and not summary.held
    assert (await _listings(sessionmaker, org))["ext-8"].status == "archived"
    # Other sources' listings are not this snapshot's to remove.
    await _import(sessionmaker, org, [listing(20)], source="push", snapshot=False)
    # An empty page from a broken CMS would remove all seven: held instead.
    async with session_scope(sessionmaker) as s:
        organization = await s.get(Organization, org)
        assert organization is not None
        manager = await people.staff(s, organization, StaffRole.MANAGER)
        actor = Actor(user_id=manager.id, roles={org: StaffRole.MANAGER})
        held, run = await import_as(
            s,
            actor,
            organization_id=org,
            source="feed:test",
            items=[listing(1)],
            snapshot=True,
            now=NOW,
        )
        run_id = run.id
    assert (
        held.held and held.held_removals == [f"ext-{n}" for n in range(2, 8)] and held.removed == 0
    )
    stored = await _listings(sessionmaker, org)
    assert sum(1 for r in stored.values() if r.status == "published") == 8
    async with session_scope(sessionmaker) as s:
        assert await confirm_held_removals(s, actor, run_id, now=NOW) == 6
    stored = await _listings(sessionmaker, org)
    assert {k for k, r in stored.items() if r.status == "published"} == {"ext-1", "ext-20"}
    # A stranger cannot confirm; a held run that a newer run replaced cannot be confirmed.
    async with session_scope(sessionmaker) as s:
        again, newer_held = await import_as(
            s, actor, organization_id=org, source="feed:test", items=[], snapshot=True, now=NOW
        )
    assert again.held_removals == ["ext-1"]
    with pytest.raises(Forbidden):
        async with session_scope(sessionmaker) as s:
            await confirm_held_removals(s, Actor(user_id=1), newer_held.id, now=NOW)
    async with session_scope(sessionmaker) as s:
        await import_as(
            s,
            actor,
            organization_id=org,
            source="feed:test",
            items=[listing(1)],
            snapshot=True,
            now=NOW + timedelta(seconds=1),
        )
    with pytest.raises(Conflict):
        async with session_scope(sessionmaker) as s:
            await confirm_held_removals(s, actor, newer_held.id, now=NOW)


async def test_rpde_order_tombstones_and_dry_runs(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    org = await _org(sessionmaker)
    t1, t2 = NOW - timedelta(hours=2), NOW - timedelta(hours=1)
    await _import(sessionmaker, org, [listing(1, source_modified=t2)], snapshot=False)
    # An item no newer than what is stored changes nothing (a replayed page).
    stale = await _import(
        sessionmaker, org, [listing(1, title="Old title", source_modified=t1)], snapshot=False
    )
    assert (
        stale.unchanged == 1
        and (await _listings(sessionmaker, org))["ext-1"].title == "Summer Robotics Lab 1"
    )
    tombstone = await _import(sessionmaker, org, [listing(1, deleted=True)], snapshot=False)
    assert (
        tombstone.removed == 1
        and (await _listings(sessionmaker, org))["ext-1"].status == "archived"
    )
    # A dry run reports exactly what would happen and stores nothing.
    preview = await _import(
        sessionmaker, org, [listing(2), listing(3), listing(4, max_age=2)], dry_run=True
    )
    assert (preview.created, len(preview.rejected), preview.dry_run) == (2, 1, True)
    assert set(await _listings(sessionmaker, org)) == {"ext-1"}


async def test_rpde_integer_versions_order_changes_and_tombstones(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    """An RPDE feed with integer `modified` gives no time: its own order decides."""
    org = await _org(sessionmaker)

    def v(n: int) -> str:
        return f"{n:020d}"

    await _import(sessionmaker, org, [listing(1, source_version=v(5))], snapshot=False)
    older = await _import(
        sessionmaker, org, [listing(1, title="Older", source_version=v(3))], snapshot=False
    )
    assert older.unchanged == 1
    assert (await _listings(sessionmaker, org))["ext-1"].title == "Summer Robotics Lab 1"
    # The partner re-stamps the same content as 7: nothing is rewritten or republished,
    # but a change numbered 6 replayed afterwards is still older.
    rpde_before = await _rpde(sessionmaker, org)
    restamped = await _import(sessionmaker, org, [listing(1, source_version=v(7))], snapshot=False)
    assert restamped.unchanged == 1 and await _rpde(sessionmaker, org) == rpde_before
    six = await _import(
        sessionmaker, org, [listing(1, title="Six", source_version=v(6))], snapshot=False
    )
    assert six.unchanged == 1
    assert (await _listings(sessionmaker, org))["ext-1"].title == "Summer Robotics Lab 1"
    newer = await _import(
        sessionmaker, org, [listing(1, title="Eight", source_version=v(8))], snapshot=False
    )
    assert newer.updated == 1 and (await _listings(sessionmaker, org))["ext-1"].title == "Eight"
    # A tombstone older than the stored change is a replay: the listing stays.
    old_tomb = listing(1, deleted=True, source_version=v(4))
    assert (await _import(sessionmaker, org, [old_tomb], snapshot=False)).removed == 0
    assert (await _listings(sessionmaker, org))["ext-1"].status == "published"
    new_tomb = listing(1, deleted=True, source_version=v(9))
    assert (await _import(sessionmaker, org, [new_tomb], snapshot=False)).removed == 1
    assert (await _listings(sessionmaker, org))["ext-1"].status == "archived"


async def _rpde(sessionmaker: async_sessionmaker[AsyncSession], org: int) -> list[int]:
    async with session_scope(sessionmaker) as s:
        rows = await s.scalars(
            select(Opportunity.rpde_modified)
            .where(Opportunity.organization_id == org)
            .order_by(Opportunity.id)
        )
        return list(rows)


async def test_only_approved_organizations_and_their_writers_import(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    pending = await _org(sessionmaker, status="pending")
    with pytest.raises(InvalidInput) as refused:
        await _import(sessionmaker, pending, [listing(1)])
    assert refused.value.code == "ORGANIZATION_NOT_APPROVED"
    org = await _org(sessionmaker)
    for actor in (
        Actor(),
        Actor(user_id=1, roles={org: StaffRole.ISSUER}),
        Actor(token_id=1, token_organization_id=org, scopes=frozenset({ApiScope.ORG_READ})),
    ):
        with pytest.raises((Unauthenticated, Forbidden)):
            async with session_scope(sessionmaker) as s:
                await import_as(
                    s,
                    actor,
                    organization_id=org,
                    source="push",
                    items=[listing(1)],
                    snapshot=False,
                    now=NOW,
                )
    token = Actor(
        token_id=1, token_organization_id=org, scopes=frozenset({ApiScope.LISTINGS_WRITE})
    )
    async with session_scope(sessionmaker) as s:
        summary, _ = await import_as(
            s,
            token,
            organization_id=org,
            source="push",
            items=[listing(1, delivery=Delivery.ONLINE, place=None)],
            snapshot=False,
            now=NOW,
        )
    assert summary.created == 1
    stored = (await _listings(sessionmaker, org))["ext-1"]
    assert stored.delivery == "online" and stored.location is None


async def test_a_known_place_gives_its_stored_point(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    org = await _org(sessionmaker)
    await _import(sessionmaker, org, [listing(1)])  # HUB with exact coordinates
    bare = PlaceRecord("Field House", "1400 W Augusta Blvd", "60642")
    summary = await _import(sessionmaker, org, [listing(1), listing(2, place=bare, title="Chess")])
    assert summary.created == 1
    async with sessionmaker() as s:
        points = (
            await s.execute(
                text(
                    "SELECT external_id, ST_Y(location::geometry), ST_X(location::geometry) "
                    "FROM opportunities WHERE organization_id = :org ORDER BY external_id"
                ),
                {"org": org},
            )
        ).all()
        places = await s.scalar(select(func.count()).where(Place.organization_id == org))
    assert places == 1
    assert [(p[1], p[2]) for p in points] == [
        pytest.approx((HUB.latitude, HUB.longitude)),
        pytest.approx((HUB.latitude, HUB.longitude)),
    ]


async def test_zones_and_languages_are_checked_even_without_a_schedule(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    org = await _org(sessionmaker)
    ongoing = {"start_date": None, "end_date": None, "start_time": None, "recurrence": None}
    summary = await _import(
        sessionmaker,
        org,
        [
            listing(1, timezone="Nowhere/Land", **ongoing),
            listing(2, languages=("english language",), **ongoing),
            listing(3, **ongoing),
        ],
    )
    assert summary.created == 1
    assert {r.external_id: r.reason.split(" ")[0] for r in summary.rejected} == {
        "ext-1": "unknown",
        "ext-2": "not",
    }


async def test_removing_a_feed_hands_its_listings_to_staff(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    from server.catalog import feeds
    from server.models.enums import FeedFormat

    org = await _org(sessionmaker)
    actor = Actor(user_id=1, roles={org: StaffRole.MANAGER})
    async with session_scope(sessionmaker) as s:
        feed = await feeds.register(
            s, actor, org, format=FeedFormat.ICAL, url="https://example.org/a.ics", now=NOW
        )
        feed_id = feed.id
    await _import(sessionmaker, org, [listing(1)], source=feeds.source_of(feed_id))
    async with session_scope(sessionmaker) as s:
        await feeds.remove(s, actor, feed_id)
    stored = (await _listings(sessionmaker, org))["ext-1"]
    assert stored.source == "manual" and stored.feed_id is None and stored.status == "published"


async def test_a_truncated_source_removes_nothing(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    org = await _org(sessionmaker)
    await _import(sessionmaker, org, [listing(n) for n in range(1, 6)])
    cut = [listing(1), listing(2), RecordError("the file ends inside", "VEVENT 3", partial=True)]
    summary = await _import(sessionmaker, org, cut)
    assert summary.removed == 0 and not summary.held
    stored = await _listings(sessionmaker, org)
    assert all(r.status == "published" for r in stored.values())


async def test_a_schedule_without_end_keeps_its_listing_open(
    sessionmaker: async_sessionmaker[AsyncSession], client: object
) -> None:
    from workers import tasks

    org = await _org(sessionmaker)
    weekly = listing(
        1,
        start_date=date(2020, 1, 7),
        end_date=None,
        recurrence="RRULE:FREQ=WEEKLY;BYDAY=TU",
        title="Tuesday Drop-in Studio",
    )
    finite = listing(2, end_date=None, recurrence="RRULE:FREQ=WEEKLY;COUNT=3")
    summary = await _import(sessionmaker, org, [weekly, finite])
    assert summary.created == 2
    stored = await _listings(sessionmaker, org)
    assert stored["ext-1"].end_date is None  # goes on: never hidden as ended
    assert stored["ext-2"].end_date == date(2099, 6, 30)  # its third Tuesday
    async with sessionmaker() as s:
        upcoming = await s.scalar(
            select(func.count()).where(
                Session.opportunity_id == stored["ext-1"].id, Session.starts_at > datetime.now(UTC)
            )
        )
    assert upcoming is not None and upcoming >= 50
    moved = await tasks.extend_open_schedules({"sessionmaker": sessionmaker})
    assert moved >= 1
