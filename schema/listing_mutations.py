"""Mutations for partner systems' listings: push (bulk upsert), CSV import, feeds.

| mutation | who may call it |
| --- | --- |
| opportunitiesUpsert, opportunitiesImportCsv | managers, or tokens with listings:write |
| feedRegister, feedHarvestNow, feedEnable, feedRemove | the same, for the feed's organization |
| importConfirmRemovals | the same, for the run's organization |

Every import goes through server/catalog/imports.py (import_as); the records a push sends
become ListingRecords exactly like an adapter's.
"""

from __future__ import annotations

from datetime import date, datetime, time
from enum import Enum
from typing import Any

import strawberry
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from strawberry import relay
from strawberry.types import Info

from schema.account_types import gid
from schema.context import Context
from schema.enums import Accessibility, Delivery, OpportunityKind
from schema.feed_types import FeedFormatEnum, FeedType, ImportRejection
from schema.payloads import UserError, perform
from schema.permissions import OrganizationRule, pk
from server.catalog import feeds
from server.catalog.imports import ImportSummary, confirm_held_removals, import_as
from server.catalog.records import ListingRecord, PlaceRecord, RecordError, SourceError
from server.errors import InvalidInput
from server.models import Feed, ImportRun
from server.models.enums import ApiScope, FeedFormat, StaffRole

MAX_PUSH = 500
MAX_CSV_BYTES = 5 * 1024 * 1024


@strawberry.enum
class RecordOutcome(Enum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    REMOVED = "removed"
    REJECTED = "rejected"


class ListingsWriter(OrganizationRule):
    """The organization's managers, or its tokens with listings:write."""

    role = StaffRole.MANAGER
    scope = ApiScope.LISTINGS_WRITE


class ListingsWriterOfFeed(ListingsWriter):
    async def organization(self, context: Context, arguments: dict[str, Any]) -> int | None:
        feed_id = pk(arguments["id"], "Feed")
        async with context.db.use() as session:
            return await session.scalar(select(Feed.organization_id).where(Feed.id == feed_id))


class ListingsWriterOfRun(ListingsWriter):
    async def organization(self, context: Context, arguments: dict[str, Any]) -> int | None:
        run_id = pk(arguments["run_id"], "ImportRun", field="runId")
        async with context.db.use() as session:
            return await session.scalar(
                select(ImportRun.organization_id).where(ImportRun.id == run_id)
            )


@strawberry.input
class PlaceInput:
    name: str
    address: str = ""
    postal_code: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    wheelchair_accessible: bool = False


@strawberry.input(description="One listing as the partner's system knows it.")
class ListingInput:
    external_id: str = strawberry.field(description="The partner's own id; the upsert key.")
    title: str = ""
    description: str = ""
    kind: OpportunityKind = OpportunityKind.PROGRAM
    delivery: Delivery = Delivery.ONSITE
    topics: list[str] = strawberry.field(default_factory=list)
    min_age: int = 5
    max_age: int = 24
    min_grade: int | None = None
    max_grade: int | None = None
    cost: float = strawberry.field(default=0.0, description="US dollars; 0 is free.")
    financial_aid: bool = False
    languages: list[str] = strawberry.field(default_factory=lambda: ["en"])
    accessibility: list[Accessibility] = strawberry.field(default_factory=list)
    capacity: int | None = None
    registration_url: str | None = None
    place: PlaceInput | None = None
    start_date: date | None = None
    end_date: date | None = None
    start_time: time | None = None
    duration_minutes: int | None = None
    timezone: str = "America/Chicago"
    recurrence: str | None = strawberry.field(
        default=None, description="An RFC 5545 recurrence set: RRULE, EXDATE, RDATE lines."
    )
    modified: datetime | None = None
    deleted: bool = strawberry.field(default=False, description="Remove (archive) it.")

    def record(self, index: int) -> ListingRecord:
        place = None
        if self.place is not None:
            place = PlaceRecord(
                name=self.place.name,
                address=self.place.address,
                postal_code=self.place.postal_code,
                latitude=self.place.latitude,
                longitude=self.place.longitude,
                wheelchair_accessible=self.place.wheelchair_accessible,
            )
        if not (0 <= self.cost <= 1_000_000):
            raise InvalidInput("the cost must be 0 to 1,000,000 dollars", field="cost")
        return ListingRecord(
            external_id=self.external_id,
            title=self.title,
            description=self.description,
            kind=self.kind,
            delivery=self.delivery,
            topics=tuple(self.topics),
            min_age=self.min_age,
            max_age=self.max_age,
            min_grade=self.min_grade,
            max_grade=self.max_grade,
            cost_cents=round(self.cost * 100),
            financial_aid=self.financial_aid,
            languages=tuple(self.languages),
            accessibility=tuple(self.accessibility),
            capacity=self.capacity,
            registration_url=self.registration_url,
            place=place,
            start_date=self.start_date,
            end_date=self.end_date,
            start_time=self.start_time,
            duration_minutes=self.duration_minutes,
            timezone=self.timezone,
            recurrence=self.recurrence,
            source_modified=self.modified,
            deleted=self.deleted,
            location=f"listings[{index}]",
        )


@strawberry.type
class ListingResult:
    external_id: str
    outcome: RecordOutcome
    opportunity_id: relay.GlobalID | None
    errors: list[UserError]


@strawberry.type
class ImportPayload:
    created: int
    updated: int
    unchanged: int
    removed: int
    rejections: list[ImportRejection]
    held_removals: list[str] = strawberry.field(
        description="External ids a snapshot would remove, waiting for importConfirmRemovals."
    )
    dry_run: bool
    run_id: relay.GlobalID | None
    results: list[ListingResult]
    errors: list[UserError]


def _payload(
    summary: ImportSummary | None, run_id: int | None, errors: list[UserError]
) -> ImportPayload:
    if summary is None:
        return ImportPayload(
            created=0,
            updated=0,
            unchanged=0,
            removed=0,
            rejections=[],
            held_removals=[],
            dry_run=False,
            run_id=None,
            results=[],
            errors=errors,
        )
    rejected = {r.external_id: r for r in summary.rejected if r.external_id}
    results = [
        ListingResult(
            external_id=external_id,
            outcome=RecordOutcome(outcome),
            opportunity_id=(
                gid("Opportunity", summary.written[external_id])
                if external_id in summary.written and not summary.dry_run
                else None
            ),
            errors=(
                [UserError(field=None, message=rejected[external_id].reason, code="REJECTED")]
                if external_id in rejected
                else []
            ),
        )
        for external_id, outcome in summary.outcomes.items()
    ]
    return ImportPayload(
        created=summary.created,
        updated=summary.updated,
        unchanged=summary.unchanged,
        removed=summary.removed,
        rejections=[
            ImportRejection(location=r.location, external_id=r.external_id, reason=r.reason)
            for r in summary.rejected
        ],
        held_removals=summary.held_removals,
        dry_run=summary.dry_run,
        run_id=gid("ImportRun", run_id) if run_id is not None else None,
        results=results,
        errors=errors,
    )


@strawberry.type
class FeedPayload:
    feed: FeedType | None
    errors: list[UserError]


@strawberry.type
class ConfirmRemovalsPayload:
    removed: int
    errors: list[UserError]


@strawberry.type
class ListingMutation:
    @strawberry.mutation(
        description=f"Create, update or remove up to {MAX_PUSH} listings by their external id. "
        "Idempotent: the same listings twice change nothing.",
        permission_classes=[ListingsWriter],
    )
    async def opportunities_upsert(
        self,
        info: Info[Context, None],
        organization_id: relay.GlobalID,
        listings: list[ListingInput],
    ) -> ImportPayload:
        context = info.context
        org = pk(organization_id, "Organization", field="organizationId")
        if len(listings) > MAX_PUSH:
            return _payload(
                None,
                None,
                [
                    UserError(
                        field="listings",
                        message=f"at most {MAX_PUSH} listings a call",
                        code="TOO_MANY",
                    )
                ],
            )

        async def work(session: AsyncSession) -> tuple[ImportSummary, int]:
            records: list[Any] = []
            for index, item in enumerate(listings):
                try:
                    records.append(item.record(index))
                except InvalidInput as error:
                    records.append(
                        RecordError(error.message, f"listings[{index}]", item.external_id)
                    )
            summary, run = await import_as(
                session,
                context.actor,
                organization_id=org,
                source="push",
                items=records,
                snapshot=False,
                now=context.now,
            )
            return summary, run.id

        done, errors = await perform(context, work)
        return _payload(done[0] if done else None, done[1] if done else None, errors)

    @strawberry.mutation(
        description="Import listings from CSV text (the template at /partners/<slug>/import). "
        "A snapshot: listings of earlier CSV imports missing from it are removed.",
        permission_classes=[ListingsWriter],
    )
    async def opportunities_import_csv(
        self,
        info: Info[Context, None],
        organization_id: relay.GlobalID,
        csv: str,
        dry_run: bool = False,
        confirm_removals: bool = False,
    ) -> ImportPayload:
        from partners.csv_listings import parse  # the adapter layer, for this one format

        context = info.context
        org = pk(organization_id, "Organization", field="organizationId")
        body = csv.encode()
        if len(body) > MAX_CSV_BYTES:
            return _payload(
                None,
                None,
                [UserError(field="csv", message="the CSV is larger than 5 MB", code="TOO_LARGE")],
            )
        try:
            items = list(parse(body))
        except SourceError as error:
            return _payload(
                None, None, [UserError(field="csv", message=str(error), code="BAD_CSV")]
            )

        async def work(session: AsyncSession) -> tuple[ImportSummary, int]:
            summary, run = await import_as(
                session,
                context.actor,
                organization_id=org,
                source="csv",
                items=items,
                snapshot=True,
                now=context.now,
                dry_run=dry_run,
                confirm_removals=confirm_removals,
            )
            return summary, run.id

        done, errors = await perform(context, work)
        return _payload(done[0] if done else None, done[1] if done else None, errors)

    @strawberry.mutation(
        description="Register a feed to harvest (iCalendar, a page with schema.org JSON-LD, RPDE).",
        permission_classes=[ListingsWriter],
    )
    async def feed_register(
        self,
        info: Info[Context, None],
        organization_id: relay.GlobalID,
        format: FeedFormatEnum,  # type: ignore[valid-type]
        url: str,
        interval_minutes: int = 360,
    ) -> FeedPayload:
        context = info.context

        async def work(session: AsyncSession) -> FeedType:
            feed = await feeds.register(
                session,
                context.actor,
                pk(organization_id, "Organization", field="organizationId"),
                format=FeedFormat(format),
                url=url,
                interval_minutes=interval_minutes,
                now=context.now,
            )
            return FeedType.from_row(feed)

        feed, errors = await perform(context, work)
        return FeedPayload(feed=feed, errors=errors)

    @strawberry.mutation(
        description="Harvest the feed now (the worker picks it up).",
        permission_classes=[ListingsWriterOfFeed],
    )
    async def feed_harvest_now(self, info: Info[Context, None], id: relay.GlobalID) -> FeedPayload:
        context = info.context

        async def work(session: AsyncSession) -> FeedType:
            feed = await feeds.harvest_now(session, context.actor, pk(id, "Feed"), now=context.now)
            return FeedType.from_row(feed)

        feed, errors = await perform(context, work)
        if feed is not None:
            await context.redis.enqueue_job(
                "harvest_feed", pk(id, "Feed"), _job_id=f"harvest:{pk(id, 'Feed')}"
            )
        return FeedPayload(feed=feed, errors=errors)

    @strawberry.mutation(
        description="Turn a quarantined or disabled feed back on.",
        permission_classes=[ListingsWriterOfFeed],
    )
    async def feed_enable(self, info: Info[Context, None], id: relay.GlobalID) -> FeedPayload:
        context = info.context

        async def work(session: AsyncSession) -> FeedType:
            return FeedType.from_row(
                await feeds.enable(session, context.actor, pk(id, "Feed"), now=context.now)
            )

        feed, errors = await perform(context, work)
        return FeedPayload(feed=feed, errors=errors)

    @strawberry.mutation(
        description="Stop harvesting the feed (its listings stay).",
        permission_classes=[ListingsWriterOfFeed],
    )
    async def feed_remove(self, info: Info[Context, None], id: relay.GlobalID) -> FeedPayload:
        context = info.context

        async def work(session: AsyncSession) -> None:
            await feeds.remove(session, context.actor, pk(id, "Feed"))

        _, errors = await perform(context, work)
        return FeedPayload(feed=None, errors=errors)

    @strawberry.mutation(
        description="Apply the removals a held import is waiting for.",
        permission_classes=[ListingsWriterOfRun],
    )
    async def import_confirm_removals(
        self, info: Info[Context, None], run_id: relay.GlobalID
    ) -> ConfirmRemovalsPayload:
        context = info.context

        async def work(session: AsyncSession) -> int:
            return await confirm_held_removals(
                session, context.actor, pk(run_id, "ImportRun", field="runId"), now=context.now
            )

        removed, errors = await perform(context, work)
        return ConfirmRemovalsPayload(removed=removed or 0, errors=errors)
