"""Harvesting registered feeds over real HTTP: conditional GET, timeouts, size limits,
retries, health states, stale listings, leases, and nothing stored lost on failure."""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from partners import fetch as fetching
from partners.harvest import Harvested, harvest, limits_for
from server.authz import Actor
from server.catalog import feeds, reads
from server.db import session_scope
from server.models import Feed, ImportRun, Opportunity
from server.models.enums import FeedFormat, StaffRole
from server.settings import Settings
from tests.accounts import people
from tests.federation.feed_server import Answer, FeedServer

CALENDAR = """BEGIN:VCALENDAR\r
VERSION:2.0\r
PRODID:-//Lincoln Park Library//Events//EN\r
BEGIN:VEVENT\r
UID:teen-coding-club@lpl.example\r
SUMMARY:Teen Coding Club\r
DESCRIPTION:Build a game in Python. Laptops provided.\r
DTSTART;TZID=America/Chicago:20990707T160000\r
DTEND;TZID=America/Chicago:20990707T173000\r
RRULE:FREQ=WEEKLY;BYDAY=TU;COUNT=6\r
LOCATION:Lincoln Park Branch\\, 1150 W Fullerton Ave\\, Chicago\\, IL 60614\r
GEO:41.9254;-87.6563\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:family-art-day@lpl.example\r
SUMMARY:Family Art Day\r
DTSTART;TZID=America/Chicago:20990712T100000\r
DTEND;TZID=America/Chicago:20990712T120000\r
LOCATION:Lincoln Park Branch\\, 1150 W Fullerton Ave\\, Chicago\\, IL 60614\r
END:VEVENT\r
END:VCALENDAR\r
"""


@pytest.fixture
async def feed_org(sessionmaker: async_sessionmaker[AsyncSession]) -> tuple[int, Actor]:
    async with session_scope(sessionmaker) as s:
        org = await people.organization(s)
        manager = await people.staff(s, org, StaffRole.MANAGER)
        created = org.id, Actor(user_id=manager.id, roles={org.id: StaffRole.MANAGER})
    return created


async def _register(
    sessionmaker: async_sessionmaker[AsyncSession],
    actor: Actor,
    org: int,
    url: str,
    format: FeedFormat = FeedFormat.ICAL,
) -> int:
    async with session_scope(sessionmaker) as s:
        feed = await feeds.register(s, actor, org, format=format, url=url, now=datetime.now(UTC))
        return feed.id


def _settings(settings: Settings, **changes: object) -> Settings:
    return dataclasses.replace(settings, **changes)  # type: ignore[arg-type]


async def _harvest(
    sessionmaker: async_sessionmaker[AsyncSession],
    feed_id: int,
    settings: Settings,
    *,
    due: bool = True,
) -> Harvested:
    if due:  # make it due now, as "harvest now" does
        async with session_scope(sessionmaker) as s:
            await s.execute(
                update(Feed)
                .where(Feed.id == feed_id)
                .values(next_run_at=datetime.now(UTC) - timedelta(seconds=1))
            )
    limits = dataclasses.replace(limits_for(settings), backoff_seconds=0.05)
    async with fetching.client(limits) as http:
        return await harvest(sessionmaker, feed_id, settings=settings, http=http)


async def _feed(sessionmaker: async_sessionmaker[AsyncSession], feed_id: int) -> Feed:
    async with sessionmaker() as s:
        feed = await s.get(Feed, feed_id)
        assert feed is not None
        return feed


async def _published(sessionmaker: async_sessionmaker[AsyncSession], org: int) -> set[str]:
    async with sessionmaker() as s:
        rows = await s.scalars(
            select(Opportunity.title).where(
                Opportunity.organization_id == org, Opportunity.status == "published"
            )
        )
        return set(rows)


async def test_harvest_then_a_conditional_get_that_changes_nothing(
    sessionmaker: async_sessionmaker[AsyncSession],
    settings: Settings,
    feed_server: FeedServer,
    feed_org: tuple[int, Actor],
) -> None:
    org, actor = feed_org
    feed_server.answers["/lpl/events.ics"] = Answer(CALENDAR.encode(), etag='"v1"')
    feed_id = await _register(sessionmaker, actor, org, feed_server.url("/lpl/events.ics"))
    first = await _harvest(sessionmaker, feed_id, settings)
    assert first.outcome == "applied" and first.summary.created == 2
    assert await _published(sessionmaker, org) == {"Teen Coding Club", "Family Art Day"}
    feed = await _feed(sessionmaker, feed_id)
    assert feed.health == "healthy" and feed.etag == '"v1"' and feed.last_success_at is not None
    # Unchanged at the source: a 304, no parse, no write.
    second = await _harvest(sessionmaker, feed_id, settings)
    assert second.outcome == "not_modified"
    assert feed_server.requests[-1][1].get("if-none-match") == '"v1"'
    async with sessionmaker() as s:
        runs = (
            await s.scalars(
                select(ImportRun.outcome).where(ImportRun.feed_id == feed_id).order_by(ImportRun.id)
            )
        ).all()
    assert runs == ["applied", "not_modified"]
    # Not due: a second worker (or a replayed job) does nothing.
    skipped = await _harvest(sessionmaker, feed_id, settings, due=False)
    assert skipped.outcome == "skipped"


async def test_failures_move_the_health_and_lose_nothing(
    sessionmaker: async_sessionmaker[AsyncSession],
    settings: Settings,
    feed_server: FeedServer,
    feed_org: tuple[int, Actor],
) -> None:
    org, actor = feed_org
    path = "/museum/calendar.ics"
    feed_server.answers[path] = Answer(CALENDAR.encode())
    feed_id = await _register(sessionmaker, actor, org, feed_server.url(path))
    await _harvest(sessionmaker, feed_id, settings)
    before = await _published(sessionmaker, org)
    failing = [
        Answer(status=500),  # a server error (retried, still failing)
        Answer(b"<html><body>We moved!</body></html>", content_type="text/html"),  # not a calendar
        Answer(CALENDAR.encode(), delay=3.0),  # too slow
        Answer(endless=True),  # a 50 MB "calendar"
    ]
    quick = _settings(settings, feed_timeout_seconds=1.0)  # the default 20 MB limit
    reasons = []
    for answer in failing:
        feed_server.answers[path] = answer
        result = await _harvest(sessionmaker, feed_id, quick)
        assert result.outcome == "failed", result
        reasons.append(result.error)
        assert await _published(sessionmaker, org) == before  # nothing stored lost
    assert "500" in reasons[0] and "VCALENDAR" in (reasons[1] or "")
    assert "within 1 s" in reasons[2] and "larger than 20 MB" in reasons[3]
    feed = await _feed(sessionmaker, feed_id)
    assert feed.health == "quarantined" and feed.consecutive_failures == 4
    assert feed.health_reason == reasons[3]
    # Retried a moment later than the normal interval, then further apart.
    assert feed.next_run_at is not None and feed.next_run_at - datetime.now(UTC) < timedelta(
        hours=1
    )
    # Quarantined for more than a week: its listings stay searchable, marked stale.
    async with session_scope(sessionmaker) as s:
        await s.execute(
            update(Feed)
            .where(Feed.id == feed_id)
            .values(last_success_at=datetime.now(UTC) - timedelta(days=8))
        )
        ids = list(await s.scalars(select(Opportunity.id).where(Opportunity.feed_id == feed_id)))
    async with sessionmaker() as s:
        views = await reads.listings_by_ids(s, ids)
    assert views and all(v.stale and v.status == "published" for v in views.values())
    # Ten failures in a row: disabled, not harvested until enabled again.
    async with session_scope(sessionmaker) as s:
        await s.execute(update(Feed).where(Feed.id == feed_id).values(consecutive_failures=9))
    feed_server.answers[path] = Answer(status=404)
    assert (await _harvest(sessionmaker, feed_id, settings)).outcome == "failed"
    assert (await _feed(sessionmaker, feed_id)).health == "disabled"
    async with session_scope(sessionmaker) as s:
        assert feed_id not in await feeds.due(s, now=datetime.now(UTC) + timedelta(days=30))
        await feeds.enable(s, actor, feed_id, now=datetime.now(UTC))
    feed_server.answers[path] = Answer(CALENDAR.encode())
    assert (await _harvest(sessionmaker, feed_id, settings)).outcome in ("applied", "not_modified")
    feed = await _feed(sessionmaker, feed_id)
    assert feed.health == "healthy" and feed.consecutive_failures == 0


async def test_a_transient_error_is_retried_within_the_harvest(
    sessionmaker: async_sessionmaker[AsyncSession],
    settings: Settings,
    feed_server: FeedServer,
    feed_org: tuple[int, Actor],
) -> None:
    org, actor = feed_org
    path = "/blip/events.ics"
    feed_server.answers[path] = Answer(CALENDAR.encode(), fail_first=2, status_when_failing=503)
    feed_id = await _register(sessionmaker, actor, org, feed_server.url(path))
    result = await _harvest(sessionmaker, feed_id, settings)
    assert result.outcome == "applied" and feed_server.hits(path) == 3


async def test_private_addresses_are_refused_unless_allowed(
    sessionmaker: async_sessionmaker[AsyncSession],
    settings: Settings,
    feed_server: FeedServer,
    feed_org: tuple[int, Actor],
) -> None:
    org, actor = feed_org
    path = "/internal/secrets.ics"
    feed_server.answers[path] = Answer(CALENDAR.encode())
    feed_id = await _register(sessionmaker, actor, org, feed_server.url(path))
    result = await _harvest(
        sessionmaker, feed_id, _settings(settings, allow_private_feed_hosts=False)
    )
    assert result.outcome == "failed" and "private or local address" in (result.error or "")
    assert feed_server.hits(path) == 0


async def test_two_workers_never_harvest_one_feed_at_once(
    sessionmaker: async_sessionmaker[AsyncSession],
    settings: Settings,
    feed_server: FeedServer,
    feed_org: tuple[int, Actor],
) -> None:
    org, actor = feed_org
    path = "/slow/events.ics"
    feed_server.answers[path] = Answer(CALENDAR.encode(), delay=0.5)
    feed_id = await _register(sessionmaker, actor, org, feed_server.url(path))
    async with session_scope(sessionmaker) as s:
        await s.execute(
            update(Feed)
            .where(Feed.id == feed_id)
            .values(next_run_at=datetime.now(UTC) - timedelta(seconds=1))
        )
    results = await asyncio.gather(
        _harvest(sessionmaker, feed_id, settings, due=False),
        _harvest(sessionmaker, feed_id, settings, due=False),
    )
    assert sorted(r.outcome for r in results) == ["applied", "skipped"]
    assert feed_server.hits(path) == 1
    async with sessionmaker() as s:
        count = await s.scalar(select(func.count()).where(Opportunity.feed_id == feed_id))
    assert count == 2
