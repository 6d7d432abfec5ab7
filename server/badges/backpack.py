"""A learner's backpack: their awards, who may see each, and the choice to share one.

Private by default. What any verifier can always fetch at an award's (unguessable) URL is
what Open Badges needs to verify it: the badge, the issuer, the date and a salted hash of
the email; never the learner's name or evidence. Those show only on an award the learner
(or, under 13, a guardian) made public, which is the public-profile consent.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from server import audit
from server.accounts.age import needs_guardian
from server.authz import Actor, require_learner_authority, require_person
from server.badges import awards
from server.errors import Forbidden
from server.models import Assertion, BadgeClass, ImportedBadge, LearnerProfile, Organization
from server.models.enums import ConsentPurpose, Visibility
from server.privacy import consent


async def mine(
    session: AsyncSession, learner_id: int
) -> list[tuple[Assertion, BadgeClass, Organization]]:
    rows = await session.execute(
        select(Assertion, BadgeClass, Organization)
        .join(BadgeClass, BadgeClass.id == Assertion.badge_class_id)
        .join(Organization, Organization.id == Assertion.organization_id)
        .where(Assertion.recipient_user_id == learner_id)
        .order_by(Assertion.issued_on.desc(), Assertion.id)
    )
    return [(a, b, o) for a, b, o in rows.all()]


async def imported_of(session: AsyncSession, learner_id: int) -> list[ImportedBadge]:
    return list(
        await session.scalars(
            select(ImportedBadge)
            .where(ImportedBadge.learner_id == learner_id)
            .order_by(ImportedBadge.created_at.desc(), ImportedBadge.id)
        )
    )


def may_see_details(viewer: Actor, assertion: Assertion) -> bool:
    """The recipient's name and the evidence: the recipient, their guardians, and, as the
    award's visibility allows, signed-in partner staff or anyone."""
    if assertion.recipient_user_id is not None and (
        viewer.user_id == assertion.recipient_user_id or assertion.recipient_user_id in viewer.wards
    ):
        return True
    if assertion.visibility == Visibility.PUBLIC.value:
        return True
    return assertion.visibility == Visibility.NETWORK.value and bool(viewer.roles)


async def set_visibility(
    session: AsyncSession,
    actor: Actor,
    assertion_id: uuid.UUID,
    visibility: Visibility,
    *,
    now: datetime,
) -> Assertion:
    """The learner from 13, a guardian before, chooses who sees one award's details."""
    require_person(actor)
    assertion = await awards.get(session, assertion_id, lock=True)
    if assertion.recipient_user_id is None:
        raise Forbidden("only the recipient can share this badge")
    profile = await session.get(LearnerProfile, assertion.recipient_user_id)
    child = profile is not None and needs_guardian(profile.birth_date, now.date())
    require_learner_authority(actor, assertion.recipient_user_id, is_child=child)
    if visibility is Visibility.PUBLIC and profile is not None:
        # Making a badge public is the public-profile consent, by whoever may decide.
        await consent.grant(
            session,
            assertion.recipient_user_id,
            ConsentPurpose.PUBLIC_PROFILE,
            granted_by=actor,
            method="guardian_email" if child else "self",
            now=now,
        )
    if assertion.visibility != visibility.value:
        assertion.visibility = visibility.value
        await audit.record(
            session,
            "badge.visibility_changed",
            actor,
            subject_type="user",
            subject_id=assertion.recipient_user_id,
            assertion=str(assertion.id),
            visibility=visibility.value,
        )
    await session.flush()
    return assertion


async def make_private(session: AsyncSession, learner_id: int) -> int:
    """Withdrawing the public-profile consent makes every public award private at once."""
    changed = await session.scalars(
        update(Assertion)
        .where(
            Assertion.recipient_user_id == learner_id,
            Assertion.visibility == Visibility.PUBLIC.value,
        )
        .values(visibility=Visibility.PRIVATE.value)
        .returning(Assertion.id)
    )
    return len(list(changed))
