"""Verifiable consent for learners under 13, by email ("email plus").

1. A child signs up and names a parent's or guardian's email: the child's account is
   limited (no participation) and the guardian gets a one-time link.
2. The guardian opens the link, sees what the account is for and what it stores,
   signs in (if they have an account under that email) or creates one, and says yes
   to taking part, and optionally to sharing badges with employers and a public profile.
3. The guardian's account is linked to the child's, the consents are recorded, and a
   confirmation email goes to the guardian with how to withdraw.

Unconsented child accounts are deleted after the link's lifetime (workers/tasks.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server import audit
from server.accounts import links, passwords, people
from server.authz import Actor
from server.errors import Forbidden, InvalidInput, Unauthenticated
from server.mail import queue_email
from server.models import EmailLink, Guardianship, User
from server.models.enums import ConsentPurpose, LinkPurpose
from server.privacy import consent

OPTIONAL_PURPOSES = (ConsentPurpose.SHARE_WITH_EMPLOYERS, ConsentPurpose.PUBLIC_PROFILE)


async def request_consent(
    session: AsyncSession, child: User, guardian_email: str, *, now: datetime, public_url: str
) -> None:
    secret = await links.create(
        session,
        LinkPurpose.GUARDIAN_CONSENT,
        email=guardian_email,
        now=now,
        data={"learner_id": child.id},
    )
    await queue_email(
        session,
        to=guardian_email,
        template="guardian_consent",
        lang=child.locale,
        context={
            "child_name": child.display_name,
            "link": links.url(public_url, LinkPurpose.GUARDIAN_CONSENT, secret),
            "purposes": [p.value for p in ConsentPurpose],
        },
    )
    await audit.record(session, "consent.requested", None, subject_type="user", subject_id=child.id)


@dataclass(frozen=True)
class ConsentRequest:
    child: User
    guardian_email: str
    # The guardian already has an account under that email: they sign in to answer.
    guardian_exists: bool


async def _child_of(session: AsyncSession, link: EmailLink) -> User:
    child = await session.get(User, int(link.data.get("learner_id", 0)))
    if child is None:
        raise InvalidInput("this link is not valid any more", field="token", code="LINK_INVALID")
    return child


async def look_up(session: AsyncSession, secret: str, *, now: datetime) -> ConsentRequest:
    link = await links.peek(session, secret, LinkPurpose.GUARDIAN_CONSENT, now=now)
    child = await _child_of(session, link)
    existing = await session.scalar(select(User.id).where(User.email == link.email))
    return ConsentRequest(child, link.email, guardian_exists=existing is not None)


@dataclass(frozen=True)
class NewGuardian:
    display_name: str
    password: str
    locale: str = "en"


async def give_consent(
    session: AsyncSession,
    secret: str,
    *,
    purposes: set[ConsentPurpose],
    signed_in: Actor,
    new_guardian: NewGuardian | None,
    now: datetime,
    public_url: str,
) -> User:
    """Links the guardian to the child and records the consents. Returns the guardian
    (the page signs them in when the account is new)."""
    if ConsentPurpose.PARTICIPATION not in purposes:
        raise InvalidInput(
            "saying yes to taking part is what gives the account its use",
            field="purposes",
            code="PARTICIPATION_REQUIRED",
        )
    link = await links.consume(session, secret, LinkPurpose.GUARDIAN_CONSENT, now=now)
    child = await _child_of(session, link)
    guardian = await session.scalar(select(User).where(User.email == link.email))
    if guardian is not None:
        if signed_in.user_id != guardian.id:
            raise Unauthenticated(
                f"sign in as {link.email} to answer", field="email", code="SIGN_IN_AS_GUARDIAN"
            )
    else:
        if new_guardian is None:
            raise InvalidInput("choose a name and a password", field="password")
        if signed_in.user_id == child.id:
            raise Forbidden("a parent or guardian answers this, from their own email")
        guardian = User(
            email=link.email,
            password_hash=passwords.hash_password(new_guardian.password),
            display_name=people.clean_name(new_guardian.display_name),
            locale=people.locale(new_guardian.locale),
            # The link reached this mailbox: that is the verification.
            email_verified_at=now,
            password_changed_at=now,
        )
        await people.insert(session, guardian)
        await audit.record(
            session,
            "account.signed_up",
            Actor(user_id=guardian.id),
            subject_type="user",
            subject_id=guardian.id,
        )
    already = await session.scalar(
        select(Guardianship.id).where(
            Guardianship.guardian_id == guardian.id, Guardianship.learner_id == child.id
        )
    )
    if already is None:
        session.add(Guardianship(guardian_id=guardian.id, learner_id=child.id, created_at=now))
        await session.flush()
    actor = Actor(user_id=guardian.id, wards=frozenset({child.id}))
    await audit.record(session, "guardian.linked", actor, subject_type="user", subject_id=child.id)
    for purpose in (ConsentPurpose.PARTICIPATION, *OPTIONAL_PURPOSES):
        if purpose in purposes:
            await consent.grant(
                session, child.id, purpose, granted_by=actor, method="guardian_email", now=now
            )
    await queue_email(
        session,
        to=guardian.email,
        template="guardian_consent_confirmed",
        lang=guardian.locale,
        context={"child_name": child.display_name, "account_link": f"{public_url}/account"},
    )
    return guardian


async def wards(session: AsyncSession, guardian_id: int) -> list[User]:
    rows = await session.scalars(
        select(User)
        .join(Guardianship, Guardianship.learner_id == User.id)
        .where(Guardianship.guardian_id == guardian_id)
        .order_by(User.display_name)
    )
    return list(rows)


async def guardians_of(session: AsyncSession, learner_id: int) -> list[User]:
    rows = await session.scalars(
        select(User)
        .join(Guardianship, Guardianship.guardian_id == User.id)
        .where(Guardianship.learner_id == learner_id)
        .order_by(User.display_name)
    )
    return list(rows)
