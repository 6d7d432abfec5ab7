"""Builders for stacks tests: an employer with a manager, gated listings, awards, and the
worker's relay drained."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server import outbox
from server.authz import Actor
from server.badges import awards
from server.models import BadgeClass, Opportunity, Organization, OutboxEvent, User
from server.models.enums import AwardMethod, StaffRole
from server.settings import Settings
from server.stacks import definitions
from tests import builders
from tests.accounts import people
from tests.badges.helpers import Issuer, now

Sessions = async_sessionmaker[AsyncSession]


@dataclass
class Employer:
    organization: Organization
    manager: User

    @property
    def actor(self) -> Actor:
        return Actor(user_id=self.manager.id, roles={self.organization.id: StaffRole.MANAGER})


async def employer(session: AsyncSession) -> Employer:
    organization = await people.organization(session)
    organization.is_employer = True
    organization.kind = "employer"
    manager = await people.staff(session, organization, StaffRole.MANAGER, "Emery")
    return Employer(organization, manager)


async def listing(session: AsyncSession, organization: Organization, **fields: Any) -> Opportunity:
    values: dict[str, Any] = {
        "kind": "internship",
        "title": "Web design internship",
        "min_age": 14,
        "max_age": 24,
        "min_grade": None,
        "max_grade": None,
        "schedule_rrule": None,
        "start_time": None,
        "duration_minutes": None,
    }
    values.update(fields)
    place = await builders.create_place(session, organization, builders.OTHER_POINT)
    return await builders.create_opportunity(
        session, organization, place, builders.OTHER_POINT, **values
    )


async def gated_listing(
    session: AsyncSession, made: Employer, rule: Any = None, **fields: Any
) -> Opportunity:
    gate_fields = {
        k: fields.pop(k)
        for k in ("stack_id", "preferred_badge_class_ids", "apply_by")
        if k in fields
    }
    opportunity = await listing(session, made.organization, **fields)
    await definitions.set_gate(
        session,
        made.actor,
        opportunity.id,
        definitions.GateInput(rule=rule, **gate_fields),
    )
    return opportunity


async def award(
    session: AsyncSession,
    issuer: Issuer,
    badge_class: BadgeClass,
    user: User,
    *,
    when: datetime | None = None,
) -> uuid.UUID:
    done = await awards.award_many(
        session,
        issuer.staff_actor,
        issuer.organization.id,
        [awards.AwardRequest(badge_class.id, user.email)],
        method=AwardMethod.API,
        now=when or now(),
    )
    assert done[0].assertion_id is not None, done[0].error
    return done[0].assertion_id


async def drain(sessionmaker: Sessions, settings: Settings) -> None:
    """What the worker does: relay every due event."""
    while await outbox.relay(sessionmaker, settings, limit=500):
        pass


async def emails_to(session: AsyncSession, user: User, template: str) -> int:
    rows = await session.scalars(
        select(OutboxEvent.id).where(
            OutboxEvent.topic == "email",
            OutboxEvent.payload["to"].astext == user.email,
            OutboxEvent.payload["template"].astext == template,
        )
    )
    return len(list(rows))
