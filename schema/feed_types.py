"""GraphQL types for feeds and import runs (an organization's private side)."""

from __future__ import annotations

from datetime import datetime

import strawberry
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from strawberry import relay

from schema.account_types import gid
from server.models import Feed, ImportRun
from server.models.enums import FeedFormat, FeedHealth, RunOutcome

FeedFormatEnum = strawberry.enum(FeedFormat, name="FeedFormat")
FeedHealthEnum = strawberry.enum(FeedHealth, name="FeedHealth")
RunOutcomeEnum = strawberry.enum(RunOutcome, name="ImportOutcome")
RUNS_PER_FEED = 5


@strawberry.type
class ImportRejection:
    location: str = strawberry.field(description='Where: "row 7, column start_date".')
    external_id: str | None
    reason: str


@strawberry.type(name="ImportRun")
class ImportRunType:
    id: relay.GlobalID
    source: str
    outcome: RunOutcomeEnum  # type: ignore[valid-type]
    started_at: datetime
    finished_at: datetime | None
    http_status: int | None
    created: int
    updated: int
    unchanged: int
    removed: int
    rejected: int
    error: str | None
    rejections: list[ImportRejection]
    held_removals: list[str] | None

    @classmethod
    def from_row(cls, row: ImportRun) -> ImportRunType:
        return cls(
            id=gid("ImportRun", row.id),
            source=row.source,
            outcome=RunOutcome(row.outcome),
            started_at=row.started_at,
            finished_at=row.finished_at,
            http_status=row.http_status,
            created=row.created,
            updated=row.updated,
            unchanged=row.unchanged,
            removed=row.removed,
            rejected=row.rejected,
            error=row.error,
            rejections=[
                ImportRejection(
                    location=r.get("location", ""),
                    external_id=r.get("external_id"),
                    reason=r.get("reason", ""),
                )
                for r in row.rejections
            ],
            held_removals=row.held_removals,
        )


@strawberry.type(name="Feed")
class FeedType:
    id: relay.GlobalID
    format: FeedFormatEnum  # type: ignore[valid-type]
    url: str
    interval_minutes: int
    health: FeedHealthEnum  # type: ignore[valid-type]
    health_reason: str | None
    consecutive_failures: int
    last_run_at: datetime | None
    last_success_at: datetime | None
    next_run_at: datetime | None
    runs: list[ImportRunType] = strawberry.field(description="The latest runs, newest first.")

    @classmethod
    def from_row(cls, row: Feed, runs: list[ImportRun] | None = None) -> FeedType:
        return cls(
            id=gid("Feed", row.id),
            format=FeedFormat(row.format),
            url=row.url,
            interval_minutes=row.interval_minutes,
            health=FeedHealth(row.health),
            health_reason=row.health_reason,
            consecutive_failures=row.consecutive_failures,
            last_run_at=row.last_run_at,
            last_success_at=row.last_success_at,
            next_run_at=row.next_run_at,
            runs=[ImportRunType.from_row(r) for r in runs or []],
        )


async def latest_runs(
    session: AsyncSession, feed_ids: list[int], per_feed: int = RUNS_PER_FEED
) -> dict[int, list[ImportRun]]:
    """The newest runs of each feed, in one statement."""
    found: dict[int, list[ImportRun]] = {feed_id: [] for feed_id in feed_ids}
    if not feed_ids:
        return found
    rank = (
        func.row_number()
        .over(partition_by=ImportRun.feed_id, order_by=ImportRun.started_at.desc())
        .label("rank")
    )
    ranked = select(ImportRun.id, rank).where(ImportRun.feed_id.in_(feed_ids)).subquery()
    rows = await session.scalars(
        select(ImportRun)
        .join(ranked, ranked.c.id == ImportRun.id)
        .where(ranked.c.rank <= per_feed)
        .order_by(ImportRun.started_at.desc())
    )
    for run in rows:
        if run.feed_id is not None:
            found[run.feed_id].append(run)
    return found
