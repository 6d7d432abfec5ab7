"""A learner's own settings: what they consent to and who sees their profile.

Rules: private by default; while a learner is under 13 only a guardian changes these;
a public profile needs the public-profile consent, and withdrawing that consent makes
the profile private again at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server import audit
from server.accounts.age import age_on, needs_guardian
from server.authz import Actor, require_learner_authority
from server.badges import backpack
from server.errors import NotFound
from server.models import LearnerProfile, User
from server.models.enums import ConsentPurpose, Visibility
from server.privacy import consent


@dataclass(frozen=True)
class Learner:
    user: User
    profile: LearnerProfile

    def is_child(self, now: datetime) -> bool:
        return needs_guardian(self.profile.birth_date, now.date())

    def age(self, now: datetime) -> int:
        return age_on(self.profile.birth_date, now.date())


async def get(session: AsyncSession, learner_id: int, *, lock: bool = False) -> Learner:
    stmt = (
        select(User, LearnerProfile)
        .join(LearnerProfile, LearnerProfile.user_id == User.id)
        .where(User.id == learner_id)
    )
    if lock:
        stmt = stmt.with_for_update(of=LearnerProfile)
    found = (await session.execute(stmt)).first()
    if found is None:
        raise NotFound("no such learner", field="learnerId")
    return Learner(*found)


async def find(session: AsyncSession, user_id: int) -> Learner | None:
    try:
        return await get(session, user_id)
    except NotFound:
        return None


async def set_visibility(
    session: AsyncSession, actor: Actor, learner_id: int, visibility: Visibility, *, now: datetime
) -> Visibility:
    learner = await get(session, learner_id, lock=True)
    require_learner_authority(actor, learner_id, is_child=learner.is_child(now))
    method = "guardian_email" if learner.is_child(now) else "self"
    if visibility is Visibility.PUBLIC:
        # Choosing a public profile is the consent to it, by whoever may decide.
        await consent.grant(
            session, learner_id, ConsentPurpose.PUBLIC_PROFILE, granted_by=actor, method=method
        )
    elif learner.profile.visibility == Visibility.PUBLIC.value:
        await consent.withdraw(
            session, learner_id, ConsentPurpose.PUBLIC_PROFILE, withdrawn_by=actor, now=now
        )
        await backpack.make_private(session, learner_id)  # public badges lean on that consent
    if learner.profile.visibility != visibility.value:
        await audit.record(
            session,
            "profile.visibility_changed",
            actor,
            subject_type="user",
            subject_id=learner_id,
            visibility=visibility.value,
        )
        learner.profile.visibility = visibility.value
    return visibility


async def grant_consent(
    session: AsyncSession, actor: Actor, learner_id: int, purpose: ConsentPurpose, *, now: datetime
) -> bool:
    learner = await get(session, learner_id, lock=True)
    child = learner.is_child(now)
    require_learner_authority(actor, learner_id, is_child=child)
    return await consent.grant(
        session,
        learner_id,
        purpose,
        granted_by=actor,
        method="guardian_email" if child else "self",
        now=now,
    )


async def withdraw_consent(
    session: AsyncSession, actor: Actor, learner_id: int, purpose: ConsentPurpose, *, now: datetime
) -> bool:
    learner = await get(session, learner_id, lock=True)
    require_learner_authority(actor, learner_id, is_child=learner.is_child(now))
    withdrawn = await consent.withdraw(session, learner_id, purpose, withdrawn_by=actor, now=now)
    if purpose is ConsentPurpose.PUBLIC_PROFILE:
        await backpack.make_private(session, learner_id)
    if purpose is ConsentPurpose.PUBLIC_PROFILE and learner.profile.visibility == "public":
        learner.profile.visibility = Visibility.PRIVATE.value
        await audit.record(
            session,
            "profile.visibility_changed",
            actor,
            subject_type="user",
            subject_id=learner_id,
            visibility=Visibility.PRIVATE.value,
        )
    return withdrawn


def can_view_profile(viewer: Actor, learner: Learner, *, now: datetime) -> bool:
    """Whether `viewer` may see the learner's profile (and, later, their badges)."""
    if viewer.user_id == learner.user.id:
        return True
    if learner.user.id in viewer.wards and learner.is_child(now):
        return True
    visibility = learner.profile.visibility
    if visibility == Visibility.PUBLIC.value:
        return True
    return visibility == Visibility.NETWORK.value and bool(viewer.roles)
