"""Demo stacks for a development machine: the demo owner's organization (it also posts
opportunities as an employer) defines the "Invention pathway" stack (Curious Explorer and
Young Maker, awarding Summit: Invention) and a job shadow gated by it, preferring the
summit badge. Theo holds Curious Explorer and waits for his Young Maker work to be
reviewed: approving it in the review queue completes his stack and unlocks the job shadow.
Made through the stacks services, once."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.authz import Actor
from server.catalog import service as catalog
from server.models import BadgeClass, Membership, Opportunity, Place, Stack, User
from server.models.enums import StaffRole
from server.stacks import definitions

SHADOW_TITLE = "Job shadow: a day with our exhibit designers"


async def ensure(session: AsyncSession, *, now: datetime) -> str | None:
    """The gated listing's title (None when the demo badges are not there)."""
    owner = await session.scalar(select(User).where(User.email == "owner@demo.citylearn.test"))
    if owner is None:
        return None
    org_id = await session.scalar(
        select(Membership.organization_id).where(
            Membership.user_id == owner.id, Membership.role == StaffRole.OWNER.value
        )
    )
    if org_id is None:
        return None
    if await session.scalar(select(Stack.id).where(Stack.organization_id == org_id).limit(1)):
        return SHADOW_TITLE
    named = {
        b.name: b
        for b in await session.scalars(
            select(BadgeClass).where(BadgeClass.organization_id == org_id)
        )
    }
    explorer, maker, summit = (
        named.get(n) for n in ("Curious Explorer", "Young Maker", "Summit: Invention")
    )
    found = (
        await session.execute(
            select(Place.id, func.ST_AsEWKT(Place.location))
            .where(Place.organization_id == org_id)
            .order_by(Place.id)
            .limit(1)
        )
    ).first()
    if explorer is None or maker is None or summit is None or found is None:
        return None
    place_id, point = found
    actor = Actor(user_id=owner.id, roles={org_id: StaffRole.OWNER})
    stack = await definitions.create_stack(
        session,
        actor,
        org_id,
        definitions.StackInput(
            name="Invention pathway",
            description="Explore, then make: the way to our designers' studio.",
            rule={"all_of": [{"badge": explorer.id}, {"badge": maker.id}]},
            award_badge_class_id=summit.id,
        ),
    )
    shadow = Opportunity(
        organization_id=org_id,
        place_id=place_id,
        location=point,
        kind="job_shadow",
        title=SHADOW_TITLE,
        description="Spend a day beside the team that designs and builds our exhibits.",
        min_age=14,
        max_age=19,
        delivery="onsite",
        capacity=4,
        start_date=(now + timedelta(days=45)).date(),
        end_date=(now + timedelta(days=45)).date(),
        keywords="job shadow design exhibits",
    )
    session.add(shadow)
    await session.flush()
    await catalog.expand_sessions(session, shadow.id)
    await definitions.set_gate(
        session,
        actor,
        shadow.id,
        definitions.GateInput(
            stack_id=stack.id,
            preferred_badge_class_ids=[summit.id],
            apply_by=now + timedelta(days=30),
        ),
    )
    return SHADOW_TITLE
