"""`citylearn ingest`: one source (a file or a URL) into one organization's listings.

A URL that is one of the organization's registered feeds imports as that feed (the same
listings, the same snapshot scope); anything else is its own source,
"ingest:<format>:<source>". Fatal problems (unknown organization, unreadable source,
not the format) raise and change nothing; bad records are listed in the summary.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select

from partners.fetch import FetchError, client, fetch
from partners.harvest import limits_for, parse_source
from server.catalog import feeds
from server.catalog.imports import ImportSummary, import_records, record_run
from server.catalog.records import SourceError
from server.db import make_engine, make_sessionmaker, session_scope
from server.models import Feed, Organization
from server.models.enums import FeedFormat
from server.settings import Settings


async def _read(settings: Settings, source: str) -> tuple[bytes, str | None]:
    if source.startswith(("http://", "https://")):
        limits = limits_for(settings)
        async with client(limits) as http:
            try:
                fetched = await fetch(http, source, limits)
            except FetchError as exc:
                raise RuntimeError(exc.reason) from exc
        assert fetched.body is not None
        return fetched.body, fetched.url
    return await asyncio.to_thread(_read_file, Path(source), settings.feed_max_bytes), None


def _read_file(path: Path, max_bytes: int) -> bytes:
    if path.stat().st_size > max_bytes:
        raise RuntimeError(f"{path} is larger than the feed size limit")
    return path.read_bytes()


async def ingest(
    settings: Settings,
    *,
    organization_slug: str,
    format: str,
    source: str,
    dry_run: bool = False,
    confirm_removals: bool = False,
) -> ImportSummary:
    kind = FeedFormat(format)
    body, url = await _read(settings, source)
    try:
        items = list(parse_source(kind, body, url=url))
    except SourceError as exc:
        raise RuntimeError(f"{source} is not usable {format}: {exc}") from exc
    engine = make_engine(settings)
    try:
        async with session_scope(make_sessionmaker(engine)) as session:
            organization = await session.scalar(
                select(Organization).where(Organization.slug == organization_slug)
            )
            if organization is None:
                raise RuntimeError(f"no organization with the slug {organization_slug!r}")
            feed = await session.scalar(
                select(Feed).where(Feed.organization_id == organization.id, Feed.url == source)
            )
            key = feeds.source_of(feed.id) if feed else f"ingest:{format}:{source}"[:200]
            now = datetime.now(UTC)
            summary = await import_records(
                session,
                organization_id=organization.id,
                source=key,
                feed_id=feed.id if feed else None,
                items=items,
                snapshot=kind is not FeedFormat.RPDE,
                now=now,
                dry_run=dry_run,
                confirm_removals=confirm_removals,
            )
            await record_run(
                session,
                organization_id=organization.id,
                source=key,
                feed_id=feed.id if feed else None,
                summary=summary,
                started_at=now,
                now=datetime.now(UTC),
            )
    finally:
        await engine.dispose()
    return summary
