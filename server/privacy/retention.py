"""Keeping no more than we need, for no longer than we need it (a daily worker job).

- A child's account whose guardian never consented is deleted once the consent link
  has expired (COPPA: without consent, the child's details must not be kept).
- Expired web sessions and spent or expired emailed links are removed.
- Sent emails leave the outbox after a week (their rows hold addresses).
- Deleted listings' tombstones leave the RPDE feed after 30 days (the spec asks for 7).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import delete, exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from server import audit
from server.accounts.age import CONSENT_AGE
from server.accounts.links import LIFETIME
from server.accounts.web_sessions import IDLE
from server.catalog.rpde_out import TOMBSTONE_KEPT_DAYS
from server.models import Consent, EmailLink, LearnerProfile, OutboxEvent, User, WebSession
from server.models.enums import ConsentPurpose, LinkPurpose
from server.models.opportunity import OpportunityTombstone

SENT_EMAIL_KEPT = timedelta(days=7)
SPENT_LINK_KEPT = timedelta(days=1)
TOMBSTONE_KEPT = timedelta(days=TOMBSTONE_KEPT_DAYS)


@dataclass(frozen=True)
class Purged:
    unconsented_children: int
    sessions: int
    links: int
    sent_emails: int
    tombstones: int = 0


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


async def purge(session: AsyncSession, *, now: datetime) -> Purged:
    youngest_adult = _years_before(now.date(), CONSENT_AGE)
    never_consented = (
        select(User.id)
        .join(LearnerProfile, LearnerProfile.user_id == User.id)
        .where(
            LearnerProfile.birth_date > youngest_adult,
            User.created_at < now - LIFETIME[LinkPurpose.GUARDIAN_CONSENT],
            ~exists().where(
                Consent.learner_id == User.id,
                Consent.purpose == ConsentPurpose.PARTICIPATION.value,
            ),
        )
    )
    children = list(await session.scalars(never_consented))
    for child_id in children:
        await audit.scrub_person(session, child_id)
        await audit.record(
            session,
            "account.deleted",
            None,
            subject_type="user",
            subject_id=child_id,
            by="retention",
        )
        await session.execute(delete(User).where(User.id == child_id))
    sessions = await session.execute(
        delete(WebSession).where(
            (WebSession.expires_at <= now) | (WebSession.last_seen_at <= now - IDLE)
        )
    )
    links = await session.execute(
        delete(EmailLink).where(
            (EmailLink.expires_at <= now - SPENT_LINK_KEPT)
            | (EmailLink.used_at <= now - SPENT_LINK_KEPT)
        )
    )
    sent = await session.execute(
        delete(OutboxEvent).where(OutboxEvent.dispatched_at <= now - SENT_EMAIL_KEPT)
    )
    tombstones = await session.execute(
        delete(OpportunityTombstone).where(OpportunityTombstone.deleted_at <= now - TOMBSTONE_KEPT)
    )
    return Purged(
        unconsented_children=len(children),
        sessions=sessions.rowcount or 0,  # type: ignore[attr-defined]
        links=links.rowcount or 0,  # type: ignore[attr-defined]
        sent_emails=sent.rowcount or 0,  # type: ignore[attr-defined]
        tombstones=tombstones.rowcount or 0,  # type: ignore[attr-defined]
    )
