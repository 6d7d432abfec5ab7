"""Our own RPDE feed, harvested by our own RPDE adapter into a second organization, gives
the same listings back: the feed served by a live uvicorn, walked over real HTTP by the
harvester (partners/harvest.py with partners/rpde.py), applied by the import service."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from partners.harvest import harvest
from server.authz import Actor
from server.catalog import feeds
from server.db import session_scope
from server.models import Opportunity, Place, Session, Topic
from server.models.enums import FeedFormat, StaffRole
from server.settings import Settings
from tests.accounts import people
from tests.feeds.rpde_walk import listing, venue

CHICAGO = ZoneInfo("America/Chicago")

# What does not come through schema.org, as web/jsonld.py writes it and partners/jsonld.py
# reads it. The test expects exactly these, so a fix (or a new loss) shows up as a failure.
# - kind: three schema.org types for our eleven kinds; program and camp come back as
#   course (Course), workshop, drop-in, online activity and volunteering as event;
KINDS_BACK = {
    "program": "course",
    "camp": "course",
    "workshop": "event",
    "drop_in": "event",
    "online_activity": "event",
    "volunteering": "event",
}
# - not written: grades, financial aid, capacity, accessibility needs (the place's
#   wheelchair access does come through);
NOT_WRITTEN = {"min_grade": None, "max_grade": None, "financial_aid": False, "capacity": None}
# - a listing without a registration link gets its page on our site as one (the offer's
#   url);
# - internship, job shadow, apprenticeship (EducationalOccupationalProgram) carry dates
#   only: their sessions come back as one all-day session on the first one's day;
WORK_KINDS = {"internship", "job_shadow", "apprenticeship"}
# - a schedule comes back as an equivalent recurrence set from the first to the last
#   session (FREQ=DAILY Monday to Friday as BYDAY=MO..FR;UNTIL=...), so the sessions are
#   compared rather than rrule, start and end dates, start time and duration.
COMPARED = (
    "title",
    "description",
    "kind",
    "delivery",
    "topic_ids",
    "min_age",
    "max_age",
    "min_grade",
    "max_grade",
    "cost_cents",
    "financial_aid",
    "languages",
    "accessibility",
    "capacity",
    "registration_url",
    "schedule_timezone",
    "status",
)


def _expected_back(mine: dict[str, Any], *, site: str, listing_id: str) -> dict[str, Any]:
    """Our listing as the harvest should give it back, after the losses above."""
    back = {**mine, **NOT_WRITTEN, "accessibility": []}
    back["kind"] = KINDS_BACK.get(mine["kind"], mine["kind"])
    back["registration_url"] = mine["registration_url"] or f"{site}/opportunities/{listing_id}"
    if mine["kind"] in WORK_KINDS and mine["sessions"]:
        day = mine["sessions"][0].astimezone(CHICAGO).date()
        back["sessions"] = [datetime.combine(day, time(0), CHICAGO).astimezone(UTC)]
    return back


async def _listings(
    session: AsyncSession, organization_id: int, *, by_external_id: bool = False
) -> dict[str, dict[str, Any]]:
    rows = await session.scalars(
        select(Opportunity).where(
            Opportunity.organization_id == organization_id, Opportunity.status == "published"
        )
    )
    found: dict[str, dict[str, Any]] = {}
    for row in rows:
        fields = {name: getattr(row, name) for name in COMPARED}
        fields["languages"] = sorted(fields["languages"])
        fields["topic_ids"] = sorted(fields["topic_ids"])
        place = await session.get(Place, row.place_id) if row.place_id else None
        fields["place"] = None
        if place is not None:
            point = await session.scalar(
                select(Place.location.ST_AsText()).where(Place.id == place.id)
            )
            fields["place"] = (place.name, place.address, place.postal_code, _rounded(point))
        starts = await session.scalars(
            select(Session.starts_at)
            .where(Session.opportunity_id == row.id)
            .order_by(Session.starts_at)
        )
        fields["sessions"] = list(starts)
        key = row.external_id if by_external_id else str(row.id)
        assert key is not None
        found[key] = fields
    return found


def _rounded(wkt: str | None) -> tuple[float, float] | None:
    if not wkt:
        return None
    lng, lat = wkt.removeprefix("POINT(").removesuffix(")").split()
    return round(float(lat), 6), round(float(lng), 6)


async def test_harvesting_our_own_feed_gives_the_same_listings(
    live_server: str,
    sessionmaker: async_sessionmaker[AsyncSession],
    settings: Settings,
) -> None:
    async with session_scope(sessionmaker) as s:
        source, place = await venue(s, people.unique("roundtrip-source"))
        topics = list(await s.scalars(select(Topic.id).order_by(Topic.id).limit(2)))
        made = [
            await listing(
                s,
                source,
                place,
                kind="program",
                title="Robotics & more",
                description="Build a robot.\n\nBring a friend; snacks, too.",
                topic_ids=topics,
                financial_aid=True,
                capacity=20,
                accessibility=["asl", "wheelchair"],
                min_age=10,
                max_age=13,
            ),
            await listing(
                s,
                source,
                place,
                kind="workshop",
                title="Weekly clay workshop",
                schedule_rrule="FREQ=WEEKLY",
                cost_cents=1500,
                languages=["en", "es"],
                registration_url="https://example.org/clay",
            ),
            await listing(s, source, None, kind="event", title="Online talk", schedule_rrule=None),
            await listing(
                s,
                source,
                place,
                kind="internship",
                title="Museum internship",
                min_age=16,
                max_age=19,
                schedule_rrule="FREQ=WEEKLY;BYDAY=MO,WE,FR",
                start_time=time(9, 30),
                duration_minutes=180,
            ),
            await listing(
                s,
                source,
                place,
                kind="camp",
                title="Summer camp, hybrid",
                delivery="hybrid",
                start_date=date(2099, 7, 6),
                end_date=date(2099, 7, 10),
                schedule_rrule="FREQ=DAILY",
            ),
            await listing(s, source, place, title="Self-paced", start_date=None),
        ]
        await listing(s, source, place, title="Archived: not harvested", status="archived")
        target = await people.organization(s)
        manager = await people.staff(s, target, StaffRole.MANAGER)
        actor = Actor(user_id=manager.id, roles={target.id: StaffRole.MANAGER})
        feed = await feeds.register(
            s,
            actor,
            target.id,
            format=FeedFormat.RPDE,
            url=f"{live_server}/feeds/organizations/{source.slug}/opportunities",
            now=datetime.now(UTC),
        )
        source_id, target_id, feed_id = source.id, target.id, feed.id
    assert settings.allow_private_feed_hosts  # the live server is on 127.0.0.1

    async with httpx.AsyncClient() as http:
        harvested = await harvest(sessionmaker, feed_id, settings=settings, http=http)
    assert harvested.outcome == "applied", harvested
    assert harvested.summary is not None and harvested.summary.created == len(made)
    assert not harvested.summary.rejected, harvested.summary.rejected

    async with sessionmaker() as s:
        ours = await _listings(s, source_id)
        theirs = await _listings(s, target_id, by_external_id=True)
    assert set(theirs) == set(ours)  # the RPDE item's id is the external id
    for key, mine in ours.items():
        assert theirs[key] == _expected_back(mine, site=live_server, listing_id=key), key

    # The feed's position is kept: a change and a deletion come through on the next poll.
    async with session_scope(sessionmaker) as s:
        first, gone = made[0].id, made[2].id
        await s.execute(update(Opportunity).where(Opportunity.id == first).values(title="Renamed"))
        await s.execute(delete(Opportunity).where(Opportunity.id == gone))
    later = datetime.now(UTC) + timedelta(days=1)  # past the feed's next run
    async with httpx.AsyncClient() as http:
        again = await harvest(
            sessionmaker, feed_id, settings=settings, http=http, now=lambda: later
        )
    assert again.outcome == "applied", again
    assert again.summary is not None
    summary = again.summary
    assert (summary.created, summary.updated, summary.removed) == (0, 1, 1), summary
    async with sessionmaker() as s:
        theirs = await _listings(s, target_id, by_external_id=True)
    assert theirs[str(first)]["title"] == "Renamed"
    assert str(gone) not in theirs
