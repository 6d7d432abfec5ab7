"""Claim codes: staff open one for a badge class at an event (a time window and a use
limit); learners claim the badge with it on their phones.

The code row is locked while a claim is made, so the use limit holds under a crowd of
simultaneous claims, and the unique (claim code, email) index makes a second claim by the
same learner find the first award instead of making another.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server import audit
from server.accounts import people
from server.accounts.age import needs_guardian
from server.authz import Actor, require_org_role
from server.badges import awards, classes
from server.errors import Conflict, Forbidden, InvalidInput, NotFound
from server.models import Assertion, ClaimCode, LearnerProfile, Opportunity, User
from server.models.enums import AwardMethod, BadgeClassStatus, ConsentPurpose, StaffRole
from server.privacy import consent

# No 0/O, 1/I/L: read off a projector across a noisy room and typed on a phone.
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8
LONGEST_WINDOW = timedelta(days=31)
MOST_USES = 10_000


def normalize_code(raw: str) -> str:
    """What people type: lower case, spaces or dashes between the halves."""
    return "".join(ch for ch in (raw or "").upper() if ch.isalnum())[:40]


def display_code(code: str) -> str:
    return f"{code[:4]}-{code[4:]}"


def _new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


async def open_code(
    session: AsyncSession,
    actor: Actor,
    badge_class_id: int,
    *,
    starts_at: datetime,
    ends_at: datetime,
    max_uses: int,
    opportunity_id: int | None = None,
) -> ClaimCode:
    """Issuers open claim codes for badge classes earned by claim code, optionally for one
    of the organization's listings (the event where it is shown)."""
    badge_class = await classes.get(session, badge_class_id)
    require_org_role(actor, badge_class.organization_id, StaffRole.ISSUER)
    classes.require_issuing(await classes.issuer(session, badge_class.organization_id))
    if badge_class.status != BadgeClassStatus.ACTIVE.value:
        raise InvalidInput("this badge class is archived", field="badgeClassId")
    if AwardMethod.CLAIM_CODE.value not in badge_class.earning:
        raise InvalidInput("this badge class is not earned with a claim code", field="badgeClassId")
    if ends_at <= starts_at:
        raise InvalidInput("the end must be after the start", field="endsAt")
    if ends_at - starts_at > LONGEST_WINDOW:
        raise InvalidInput("a claim code stays open at most 31 days", field="endsAt")
    if opportunity_id is not None:
        owner = await session.scalar(
            select(Opportunity.organization_id).where(Opportunity.id == opportunity_id)
        )
        if owner != badge_class.organization_id:
            raise InvalidInput("choose one of this organization's listings", field="opportunityId")
    if not 1 <= max_uses <= MOST_USES:
        raise InvalidInput(
            f"the number of claims must be between 1 and {MOST_USES}", field="maxUses"
        )
    while True:  # 31^8 codes: a collision is rare, and the unique index settles it
        code = _new_code()
        taken = await session.scalar(select(ClaimCode.id).where(ClaimCode.code == code))
        if taken is None:
            break
    claim_code = ClaimCode(
        badge_class_id=badge_class_id,
        code=code,
        starts_at=starts_at,
        ends_at=ends_at,
        max_uses=max_uses,
        opportunity_id=opportunity_id,
        created_by=actor.user_id,
    )
    session.add(claim_code)
    await session.flush()
    await audit.record(
        session, "claim_code.opened", actor, subject_type="claim_code", subject_id=claim_code.id
    )
    return claim_code


async def get(session: AsyncSession, claim_code_id: int) -> ClaimCode:
    claim_code = await session.get(ClaimCode, claim_code_id)
    if claim_code is None:
        raise NotFound("no such claim code", field="claimCodeId")
    return claim_code


async def organization_of(session: AsyncSession, claim_code: ClaimCode) -> int:
    return (await classes.get(session, claim_code.badge_class_id)).organization_id


async def close_code(
    session: AsyncSession, actor: Actor, claim_code_id: int, *, now: datetime
) -> ClaimCode:
    claim_code = await get(session, claim_code_id)
    require_org_role(actor, await organization_of(session, claim_code), StaffRole.ISSUER)
    if claim_code.closed_at is None:
        claim_code.closed_at = now
        await audit.record(
            session, "claim_code.closed", actor, subject_type="claim_code", subject_id=claim_code.id
        )
    await session.flush()
    return claim_code


@dataclass(frozen=True)
class Claimed:
    assertion_id: uuid.UUID
    created: bool  # False: this learner had already claimed with this code
    badge_class_id: int


# Why a code takes no claims now: a key for the pages and the API's words.
CLOSED = {
    "closed": "This code has been closed by the organizer.",
    "not_yet": "This code is not open yet.",
    "expired": "This code has expired.",
    "used_up": "This code has been used as many times as it allows.",
}


def why_closed(claim_code: ClaimCode, now: datetime) -> str | None:
    """A key of CLOSED when the code takes no claims now; None when it is open."""
    if claim_code.closed_at is not None and claim_code.closed_at <= now:
        return "closed"
    if now < claim_code.starts_at:
        return "not_yet"
    if now >= claim_code.ends_at:
        return "expired"
    if claim_code.uses >= claim_code.max_uses:
        return "used_up"
    return None


async def claim(
    session: AsyncSession, actor: Actor, code: str, *, now: datetime, email: str | None = None
) -> Claimed:
    """A signed-in learner claims with `code`; or, signed out, anyone 13 or older gives an
    email (the badge becomes theirs when they sign up with it)."""
    if actor.token_id is not None:
        raise Forbidden("an API token cannot claim badges; award them instead")
    if actor.user_id is not None:
        user = await session.get(User, actor.user_id)
        assert user is not None
        await require_participation(session, user, now)
        recipient = user.email
    elif email is None:
        raise InvalidInput("enter your email address, or sign in", field="email")
    else:
        recipient = people.normalize_email(email)
    normalized = normalize_code(code)
    claim_code = (
        await session.scalars(
            select(ClaimCode).where(ClaimCode.code == normalized).with_for_update()
        )
    ).first()
    if claim_code is None:
        raise NotFound("There is no badge with this code. Check it and try again.", field="code")
    earlier = await session.scalar(
        select(Assertion.id).where(
            Assertion.claim_code_id == claim_code.id, Assertion.recipient_email == recipient
        )
    )
    if earlier is not None:  # a double tap, or a second try: the same award, no new use
        return Claimed(earlier, False, claim_code.badge_class_id)
    reason = why_closed(claim_code, now)
    if reason is not None:
        raise Conflict(CLOSED[reason], field="code", code=f"CLAIM_CODE_{reason.upper()}")
    organization_id = await organization_of(session, claim_code)
    result = (
        await awards.award_many(
            session,
            actor,
            organization_id,
            [awards.AwardRequest(claim_code.badge_class_id, recipient)],
            method=AwardMethod.CLAIM_CODE,
            now=now,
            claim_code_id=claim_code.id,
        )
    )[0]
    if result.error is not None:
        raise result.error
    assert result.assertion_id is not None
    claim_code.uses += 1
    await session.flush()
    return Claimed(result.assertion_id, True, claim_code.badge_class_id)


async def require_participation(session: AsyncSession, user: User, now: datetime) -> None:
    """A child's account earns badges once a guardian has agreed to it taking part."""
    profile = await session.get(LearnerProfile, user.id)
    if profile is None or not needs_guardian(profile.birth_date, now.date()):
        return
    if not await consent.holds(session, user.id, ConsentPurpose.PARTICIPATION):
        raise Forbidden(
            "a parent or guardian needs to agree before you can earn badges",
            code="CONSENT_REQUIRED",
        )


async def codes_of(session: AsyncSession, badge_class_id: int) -> list[ClaimCode]:
    return list(
        await session.scalars(
            select(ClaimCode)
            .where(ClaimCode.badge_class_id == badge_class_id)
            .order_by(ClaimCode.created_at.desc())
        )
    )
