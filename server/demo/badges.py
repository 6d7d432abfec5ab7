"""Demo badges for a development machine: the demo owner's organization issues three badge
classes (linked to some of its listings), one of them endorsed by a second organization;
an open claim code; a badge already in Theo's backpack and a piece of his work waiting in
the review queue. Made through the badge services, once (nothing when the first
organization already has badge classes)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.authz import Actor
from server.badges import awards, claims, classes, review
from server.models import BadgeClass, ClaimCode, Membership, Opportunity, Organization, User
from server.models.enums import AwardMethod, OrganizationStatus, StaffRole

DESIGNS = (
    (
        "Curious Explorer",
        "participation",
        "Came to a program and tried something new.",
        "Take part in any of our summer programs.",
    ),
    (
        "Young Maker",
        "skill",
        "Designed and built a working project with real tools.",
        "Build a project from a plan you made, and show how it works.",
    ),
    (
        "Summit: Invention",
        "summit",
        "Took an invention from an idea to a working prototype shown to the public.",
        "Finish three maker projects and present one at our showcase.",
    ),
)


@dataclass(frozen=True)
class DemoBadges:
    organization: str
    claim_code: str | None


async def ensure(session: AsyncSession, *, now: datetime) -> DemoBadges | None:
    owner = await session.scalar(select(User).where(User.email == "owner@demo.citylearn.test"))
    if owner is None:
        return None
    org_id = await session.scalar(
        select(Membership.organization_id).where(
            Membership.user_id == owner.id, Membership.role == StaffRole.OWNER.value
        )
    )
    organization = await session.get(Organization, org_id) if org_id else None
    if organization is None:
        return None
    existing = await session.scalar(
        select(BadgeClass.id).where(BadgeClass.organization_id == organization.id).limit(1)
    )
    if existing is not None:
        latest = await session.scalar(
            select(ClaimCode.code)
            .join(BadgeClass, BadgeClass.id == ClaimCode.badge_class_id)
            .where(BadgeClass.organization_id == organization.id)
            .order_by(ClaimCode.ends_at.desc())
            .limit(1)
        )
        return DemoBadges(organization.name, claims.display_code(latest) if latest else None)
    organization.is_issuer = True
    actor = Actor(user_id=owner.id, roles={organization.id: StaffRole.OWNER})
    listings = list(
        await session.scalars(
            select(Opportunity.id)
            .where(Opportunity.organization_id == organization.id)
            .order_by(Opportunity.id)
            .limit(3)
        )
    )
    made = []
    for name, level, description, criteria in DESIGNS:
        made.append(
            await classes.create(
                session,
                actor,
                organization.id,
                classes.BadgeClassInput(
                    name=name,
                    description=description,
                    level=level,
                    earning=["claim_code", "roster", "review", "api"],
                    criteria_narrative=criteria,
                    tags=["demo"],
                    opportunity_ids=listings,
                ),
            )
        )
    code = await claims.open_code(
        session, actor, made[0].id, starts_at=now, ends_at=now + timedelta(days=30), max_uses=500
    )
    teen = await session.scalar(select(User).where(User.email == "teen@demo.citylearn.test"))
    if teen is not None:
        await awards.award_many(
            session,
            actor,
            organization.id,
            [awards.AwardRequest(made[0].id, teen.email, narrative="Came to Maker Mondays.")],
            method=AwardMethod.ROSTER,
            now=now,
        )
        await review.submit(
            session,
            Actor(user_id=teen.id),
            made[1].id,
            now=now,
            narrative="I built a solar-powered phone charger from a kit and my own case design.",
        )
    endorser = await session.scalar(
        select(Organization)
        .where(
            Organization.status == OrganizationStatus.APPROVED.value,
            Organization.id != organization.id,
        )
        .order_by(Organization.id)
        .limit(1)
    )
    if endorser is not None:
        await classes.endorse(
            session,
            Actor(user_id=owner.id, roles={endorser.id: StaffRole.MANAGER}),
            made[1].id,
            endorser.id,
            "We look for this badge when we hire summer interns.",
        )
    return DemoBadges(organization.name, claims.display_code(code.code))
