"""Writes to the catalog. Every rule about a listing's derived data lives here."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import delete, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from server import audit
from server.authz import Actor, require_org_role
from server.catalog.schedule import expand_schedule, session_rows
from server.errors import NotFound
from server.models import Opportunity, Session
from server.models.enums import ApiScope, OpportunityStatus, StaffRole


async def expand_sessions(session: AsyncSession, opportunity_id: int) -> int:
    """Replace a listing's sessions with those its schedule describes; idempotent.

    Returns how many sessions the listing has afterwards. A listing without a start
    date or time (self-paced, ongoing) has none.
    """
    row = await session.scalar(
        select(Opportunity).where(Opportunity.id == opportunity_id).with_for_update()
    )
    if row is None:
        raise NotFound(f"no opportunity {opportunity_id}", field="id")
    await session.execute(delete(Session).where(Session.opportunity_id == opportunity_id))
    if row.start_date is None or row.start_time is None:
        return 0
    times = expand_schedule(
        start_date=row.start_date,
        end_date=row.end_date,
        start_time=row.start_time,
        duration_minutes=row.duration_minutes or 60,
        timezone=row.schedule_timezone,
        rrule=row.schedule_rrule,
        today=datetime.now(UTC).date(),
    )
    if times:
        await session.execute(insert(Session), session_rows(opportunity_id, times))
    return len(times)


async def organization_of_listing(session: AsyncSession, opportunity_id: int) -> int | None:
    return await session.scalar(
        select(Opportunity.organization_id).where(Opportunity.id == opportunity_id)
    )


async def set_status(
    session: AsyncSession, actor: Actor, opportunity_id: int, status: OpportunityStatus
) -> Opportunity:
    """Publish, unpublish (draft) or archive a listing: the organization's managers, or
    its systems with the listings scope."""
    row = await session.get(Opportunity, opportunity_id, with_for_update=True)
    if row is None:
        raise NotFound(f"no opportunity {opportunity_id}", field="id")
    require_org_role(actor, row.organization_id, StaffRole.MANAGER, scope=ApiScope.LISTINGS_WRITE)
    if row.status != status.value:
        row.status = status.value
        await audit.record(
            session,
            "listing.status_changed",
            actor,
            subject_type="opportunity",
            subject_id=row.id,
            status=status.value,
        )
    return row


async def open_ended_listings(session: AsyncSession) -> list[int]:
    """Published listings whose schedule has no end: their sessions are expanded for a
    window around today (server/catalog/schedule.py), moved along nightly."""
    rows = await session.scalars(
        select(Opportunity.id).where(
            Opportunity.status == OpportunityStatus.PUBLISHED.value,
            Opportunity.end_date.is_(None),
            Opportunity.schedule_rrule.is_not(None),
        )
    )
    return list(rows)
