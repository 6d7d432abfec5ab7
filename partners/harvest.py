"""Harvesting one registered feed: fetch, parse with the feed's adapter, hand the records
to the catalog's import service, record the run and the feed's health.

- Snapshot formats (iCalendar, JSON-LD): one conditional GET; a 304 is a success with
  nothing to do; the records replace the feed's listings (server/catalog/imports.py).
- RPDE: pages from the feed's saved cursor, each applied in its own transaction (a long
  feed keeps its progress), until the last page; its `next` is saved for the next poll.
- A failure (timeout, error status, too large, not the format) changes no listing and
  moves the feed's health (server/catalog/feeds.py); the run keeps the reason.

No HTTP request happens inside a database transaction: the feed is leased first (its
next run moved past the harvest's end), so two workers never harvest it at once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from partners import ADAPTERS, rpde
from partners.fetch import Fetched, FetchError, Limits, fetch
from server.catalog import feeds
from server.catalog.imports import ImportSummary, import_records, record_run
from server.catalog.records import ParsedItem, SourceError
from server.db import session_scope
from server.models import Feed
from server.models.enums import FeedFormat, FeedHealth
from server.settings import Settings

# Longer than any harvest may take; a worker that dies mid-harvest frees the feed then.
LEASE = timedelta(minutes=15)
MAX_RPDE_PAGES = 1000


@dataclass(frozen=True)
class Harvested:
    feed_id: int
    outcome: str  # "applied", "held", "not_modified", "failed", "skipped"
    summary: ImportSummary | None = None
    error: str | None = None


def limits_for(settings: Settings) -> Limits:
    return Limits(
        max_bytes=settings.feed_max_bytes,
        timeout_seconds=settings.feed_timeout_seconds,
        allow_private=settings.allow_private_feed_hosts,
    )


async def _lease(
    sessionmaker: async_sessionmaker[AsyncSession], feed_id: int, now: datetime
) -> Feed | None:
    async with session_scope(sessionmaker) as session:
        feed = await session.scalar(
            update(Feed)
            .where(
                Feed.id == feed_id,
                Feed.health != FeedHealth.DISABLED.value,
                Feed.next_run_at <= now,
            )
            .values(next_run_at=now + LEASE)
            .returning(Feed)
        )
        if feed is not None:
            session.expunge(feed)
        return feed


async def harvest(
    sessionmaker: async_sessionmaker[AsyncSession],
    feed_id: int,
    *,
    settings: Settings,
    http: httpx.AsyncClient,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> Harvested:
    started = now()
    feed = await _lease(sessionmaker, feed_id, started)
    if feed is None:
        return Harvested(feed_id, "skipped")
    limits = limits_for(settings)
    try:
        if feed.format == FeedFormat.RPDE.value:
            return await _harvest_rpde(sessionmaker, feed, http, limits, started, now)
        return await _harvest_snapshot(sessionmaker, feed, http, limits, started, now)
    except (FetchError, SourceError) as exc:
        reason = exc.reason if isinstance(exc, FetchError) else str(exc)
        status = exc.http_status if isinstance(exc, FetchError) else None
        await _failed(sessionmaker, feed, started, now(), reason, status)
        return Harvested(feed.id, "failed", error=reason)


async def _harvest_snapshot(
    sessionmaker: async_sessionmaker[AsyncSession],
    feed: Feed,
    http: httpx.AsyncClient,
    limits: Limits,
    started: datetime,
    now: Callable[[], datetime],
) -> Harvested:
    fetched = await fetch(http, feed.url, limits, etag=feed.etag, last_modified=feed.last_modified)
    if fetched.status == 304:
        async with session_scope(sessionmaker) as session:
            await _finish(session, feed, started, now(), None, fetched, not_modified=True)
        return Harvested(feed.id, "not_modified")
    assert fetched.body is not None
    parse = ADAPTERS[feed.format]
    items = list(parse(fetched.body, url=fetched.url))  # SourceError: nothing applied
    async with session_scope(sessionmaker) as session:
        summary = await import_records(
            session,
            organization_id=feed.organization_id,
            source=feeds.source_of(feed.id),
            feed_id=feed.id,
            items=items,
            snapshot=True,
            now=started,
        )
        await _finish(session, feed, started, now(), summary, fetched)
    return Harvested(feed.id, "held" if summary.held else "applied", summary)


async def _harvest_rpde(
    sessionmaker: async_sessionmaker[AsyncSession],
    feed: Feed,
    http: httpx.AsyncClient,
    limits: Limits,
    started: datetime,
    now: Callable[[], datetime],
) -> Harvested:
    url = feed.cursor_url or rpde.first_url(feed.url)
    total = ImportSummary()
    last: Fetched | None = None
    for _ in range(MAX_RPDE_PAGES):
        last = await fetch(http, url, limits)
        assert last.body is not None
        page = rpde.parse_page(last.body, url=last.url)
        if page.items:
            async with session_scope(sessionmaker) as session:
                summary = await import_records(
                    session,
                    organization_id=feed.organization_id,
                    source=feeds.source_of(feed.id),
                    feed_id=feed.id,
                    items=page.items,
                    snapshot=False,
                    now=started,
                )
                # Progress is kept page by page: the cursor moves with the page's changes.
                await session.execute(
                    update(Feed).where(Feed.id == feed.id).values(cursor_url=page.next_url)
                )
            _add(total, summary)
        url = page.next_url
        if page.is_last:
            break
    async with session_scope(sessionmaker) as session:
        await _finish(
            session,
            feed,
            started,
            now(),
            total,
            last,
            cursor_url=url,
            not_modified=not (total.created or total.updated or total.removed or total.rejected),
        )
    return Harvested(feed.id, "applied", total)


def _add(total: ImportSummary, page: ImportSummary) -> None:
    total.created += page.created
    total.updated += page.updated
    total.unchanged += page.unchanged
    total.removed += page.removed
    total.rejected.extend(page.rejected)


async def _finish(
    session: AsyncSession,
    feed: Feed,
    started: datetime,
    finished: datetime,
    summary: ImportSummary | None,
    fetched: Fetched | None,
    *,
    cursor_url: str | None = None,
    not_modified: bool = False,
) -> None:
    row = await session.get(Feed, feed.id, with_for_update=True)
    if row is None:  # removed by staff during the harvest
        return
    seen = (
        (summary.created + summary.updated + summary.unchanged + len(summary.rejected))
        if summary
        else 0
    )
    feeds.succeeded(row, now=finished, rejected=len(summary.rejected) if summary else 0, total=seen)
    if fetched is not None and fetched.status == 200 and row.format != FeedFormat.RPDE.value:
        row.etag, row.last_modified = fetched.etag, fetched.last_modified
    if cursor_url is not None:
        row.cursor_url = cursor_url
    await record_run(
        session,
        organization_id=row.organization_id,
        source=feeds.source_of(row.id),
        feed_id=row.id,
        summary=summary,
        started_at=started,
        now=finished,
        http_status=fetched.status if fetched else None,
        not_modified=not_modified,
    )


async def _failed(
    sessionmaker: async_sessionmaker[AsyncSession],
    feed: Feed,
    started: datetime,
    finished: datetime,
    reason: str,
    http_status: int | None,
) -> None:
    async with session_scope(sessionmaker) as session:
        row = await session.get(Feed, feed.id, with_for_update=True)
        if row is None:
            return
        feeds.failed(row, now=finished, reason=reason)
        await record_run(
            session,
            organization_id=row.organization_id,
            source=feeds.source_of(row.id),
            feed_id=row.id,
            summary=None,
            started_at=started,
            now=finished,
            http_status=http_status,
            error=reason,
        )


def parse_source(format: FeedFormat, body: bytes, *, url: str | None) -> Iterator[ParsedItem]:
    """For `citylearn ingest` and uploads: a whole source in one format (an RPDE file is
    read as a single page)."""
    if format is FeedFormat.RPDE:
        yield from rpde.parse_page(body, url=url or "file:///").items
        return
    yield from ADAPTERS[format.value](body, url=url)
