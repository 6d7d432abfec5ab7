"""Partner feeds: registering them, which are due, and their health.

Health, with the reason and the last good run kept on the feed:
- healthy: the last harvest worked;
- degraded: the last one or two harvests failed (retried after 5, then 10 minutes), or
  most of the last harvest's records were rejected;
- quarantined: three failures in a row; harvested with a longer backoff, and its
  listings are shown as possibly out of date once its last good run is older than
  STALE_AFTER (they stay searchable);
- disabled: ten failures in a row; not harvested until staff enable it again.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from urllib.parse import urlsplit

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from server import audit
from server.authz import Actor, require_active_organization, require_org_role
from server.errors import Conflict, InvalidInput, NotFound
from server.models import Feed, Opportunity, Organization
from server.models.enums import ApiScope, FeedFormat, FeedHealth, StaffRole

DEGRADED_AFTER = 1
QUARANTINED_AFTER = 3
DISABLED_AFTER = 10
MAX_BACKOFF = timedelta(hours=24)
STALE_AFTER = timedelta(days=7)
MIN_INTERVAL_MINUTES = 15
MAX_INTERVAL_MINUTES = 7 * 24 * 60
# A harvest whose records were mostly rejected worked, but something is wrong.
REJECTED_SHARE_DEGRADES = 0.5


def source_of(feed_id: int) -> str:
    """The source key of a feed's listings (server/catalog/imports.py)."""
    return f"feed:{feed_id}"


def check_url(url: str) -> str:
    clean = (url or "").strip()
    parts = urlsplit(clean)
    if parts.scheme not in ("http", "https") or not parts.hostname or len(clean) > 2000:
        raise InvalidInput("a feed address starting with http:// or https://", field="url")
    return clean


async def register(
    session: AsyncSession,
    actor: Actor,
    organization_id: int,
    *,
    format: FeedFormat,
    url: str,
    interval_minutes: int = 360,
    now: datetime,
) -> Feed:
    require_org_role(actor, organization_id, StaffRole.MANAGER, scope=ApiScope.LISTINGS_WRITE)
    organization = await session.get(Organization, organization_id)
    if organization is None:
        raise NotFound("no such organization", field="organizationId")
    require_active_organization(organization)
    if format is FeedFormat.CSV:
        raise InvalidInput("CSV is uploaded, not harvested: use the upload", field="format")
    if not MIN_INTERVAL_MINUTES <= interval_minutes <= MAX_INTERVAL_MINUTES:
        raise InvalidInput(
            f"harvest every {MIN_INTERVAL_MINUTES} minutes to 7 days", field="intervalMinutes"
        )
    address = check_url(url)
    taken = await session.scalar(
        select(Feed.id).where(Feed.organization_id == organization_id, Feed.url == address)
    )
    if taken is not None:
        raise Conflict("this feed is registered already", field="url")
    feed = Feed(
        organization_id=organization_id,
        format=format.value,
        url=address,
        interval_minutes=interval_minutes,
        next_run_at=now,
    )
    session.add(feed)
    await session.flush()
    await audit.record(
        session,
        "feed.registered",
        actor,
        subject_type="organization",
        subject_id=organization_id,
        feed=feed.id,
        format=format.value,
    )
    return feed


async def get_for(session: AsyncSession, actor: Actor, feed_id: int, *, lock: bool = False) -> Feed:
    feed = await session.get(Feed, feed_id, with_for_update=lock or None)
    if feed is None:
        raise NotFound("no such feed", field="feedId")
    require_org_role(actor, feed.organization_id, StaffRole.MANAGER, scope=ApiScope.LISTINGS_WRITE)
    return feed


async def enable(session: AsyncSession, actor: Actor, feed_id: int, *, now: datetime) -> Feed:
    """Staff turn a disabled or quarantined feed back on: healthy, harvested now."""
    feed = await get_for(session, actor, feed_id, lock=True)
    feed.health = FeedHealth.HEALTHY.value
    feed.health_reason = None
    feed.consecutive_failures = 0
    feed.next_run_at = now
    await audit.record(
        session,
        "feed.changed",
        actor,
        subject_type="organization",
        subject_id=feed.organization_id,
        feed=feed.id,
        change="enabled",
    )
    return feed


async def harvest_now(session: AsyncSession, actor: Actor, feed_id: int, *, now: datetime) -> Feed:
    feed = await get_for(session, actor, feed_id, lock=True)
    if feed.health == FeedHealth.DISABLED.value:
        raise Conflict("the feed is disabled: enable it first", code="FEED_DISABLED")
    feed.next_run_at = now
    return feed


async def remove(session: AsyncSession, actor: Actor, feed_id: int) -> None:
    """Stops harvesting. Its listings stay, as the organization's own (source "manual"):
    no later snapshot could archive them, so they become staff's to keep or archive."""
    feed = await get_for(session, actor, feed_id, lock=True)
    await session.execute(
        update(Opportunity).where(Opportunity.source == source_of(feed.id)).values(source="manual")
    )
    await audit.record(
        session,
        "feed.changed",
        actor,
        subject_type="organization",
        subject_id=feed.organization_id,
        feed=feed.id,
        change="removed",
    )
    await session.delete(feed)


async def due(session: AsyncSession, *, now: datetime, limit: int = 100) -> list[int]:
    rows = await session.scalars(
        select(Feed.id)
        .where(Feed.health != FeedHealth.DISABLED.value, Feed.next_run_at <= now)
        .order_by(Feed.next_run_at)
        .limit(limit)
    )
    return list(rows)


async def claim(session: AsyncSession, feed_id: int) -> Feed | None:
    """The feed, locked for this harvest; None when another worker holds it (the same
    feed is never harvested twice at once) or it is gone."""
    return await session.scalar(
        select(Feed).where(Feed.id == feed_id).with_for_update(skip_locked=True)
    )


def _backoff(feed: Feed) -> timedelta:
    normal = timedelta(minutes=feed.interval_minutes)
    if feed.consecutive_failures == 0:
        return normal
    # The first retry comes soon (a blip), later ones further apart.
    retry: timedelta = timedelta(minutes=5) * int(2 ** (feed.consecutive_failures - 1))
    return min(retry, MAX_BACKOFF)


def succeeded(feed: Feed, *, now: datetime, rejected: int = 0, total: int = 0) -> None:
    feed.consecutive_failures = 0
    feed.last_run_at = feed.last_success_at = now
    if total and rejected / total > REJECTED_SHARE_DEGRADES:
        feed.health = FeedHealth.DEGRADED.value
        feed.health_reason = f"{rejected} of {total} records were rejected"
    else:
        feed.health = FeedHealth.HEALTHY.value
        feed.health_reason = None
    feed.next_run_at = now + _backoff(feed)


def failed(feed: Feed, *, now: datetime, reason: str) -> None:
    feed.consecutive_failures += 1
    feed.last_run_at = now
    feed.health_reason = reason[:1000]
    failures = feed.consecutive_failures
    if failures >= DISABLED_AFTER:
        feed.health = FeedHealth.DISABLED.value
        feed.next_run_at = None
        return
    feed.health = (
        FeedHealth.QUARANTINED.value if failures >= QUARANTINED_AFTER else FeedHealth.DEGRADED.value
    )
    feed.next_run_at = now + _backoff(feed)


_STALE_HEALTH = (FeedHealth.QUARANTINED.value, FeedHealth.DISABLED.value)


def is_stale(health: str, last_success_at: datetime | None, *, now: datetime) -> bool:
    """A quarantined or disabled feed's listings, once its last good run is old enough."""
    if health not in _STALE_HEALTH:
        return False
    return last_success_at is None or now - last_success_at > STALE_AFTER


# The same rule for SQL reads, over a feed joined as `f` (server/catalog/reads.py).
STALE_SQL = (
    f"(f.health IN ({', '.join(repr(h) for h in _STALE_HEALTH)}) AND "
    f"(f.last_success_at IS NULL OR f.last_success_at < now() - interval "
    f"'{int(STALE_AFTER.total_seconds())} seconds'))"
)


async def of_organization(session: AsyncSession, organization_id: int) -> list[Feed]:
    rows = await session.scalars(
        select(Feed).where(Feed.organization_id == organization_id).order_by(Feed.created_at)
    )
    return list(rows)
