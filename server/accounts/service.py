"""Sign-up, email verification, sign-in and sign-out, password reset.

The age gate lives here: a learner under 13 gets a limited account (no participation)
until a guardian consents through an emailed link (server/privacy/guardians.py).
"""

from __future__ import annotations

import re
import secrets as random
from dataclasses import dataclass
from datetime import date, datetime

from redis.asyncio import Redis
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from server import audit
from server.accounts import links, passwords, people, throttle, web_sessions
from server.accounts.age import check_birth_date, needs_guardian
from server.authz import Actor
from server.badges import awards
from server.errors import Conflict, InvalidInput, Throttled
from server.mail import queue_email
from server.models import LearnerProfile, User
from server.models.enums import ConsentPurpose, LinkPurpose
from server.privacy import consent

_ZIP = re.compile(r"[0-9]{5}")


@dataclass(frozen=True)
class LearnerSignUp:
    display_name: str
    email: str
    password: str
    birth_date: date
    # Required when the learner is under 13: where the consent request goes.
    guardian_email: str | None = None
    postal_code: str | None = None
    locale: str = "en"


@dataclass(frozen=True)
class SignedUp:
    user: User
    needs_guardian: bool


async def email_taken(session: AsyncSession, email: str) -> bool:
    found = await session.scalar(select(func.count()).where(User.email == email))
    return bool(found)


async def sign_up_learner(
    session: AsyncSession, form: LearnerSignUp, *, now: datetime, public_url: str, ip: str | None
) -> SignedUp:
    """Creates the learner. 13 and over: a full account with participation consented by
    the learner themself, and a verification email. Under 13: a limited account, and a
    consent request to the guardian; nothing else is sent to the child."""
    email = people.normalize_email(form.email)
    name = people.clean_name(form.display_name)
    check_birth_date(form.birth_date, now.date())
    child = needs_guardian(form.birth_date, now.date())
    guardian_email = None
    if child:
        if not form.guardian_email:
            raise InvalidInput(
                "enter a parent's or guardian's email: they say yes first",
                field="guardianEmail",
                code="GUARDIAN_REQUIRED",
            )
        guardian_email = people.normalize_email(form.guardian_email, field="guardianEmail")
        if guardian_email == email:
            raise InvalidInput(
                "a parent's or guardian's own email, not yours", field="guardianEmail"
            )
    postal_code = (form.postal_code or "").strip() or None
    if postal_code is not None and not _ZIP.fullmatch(postal_code):
        raise InvalidInput("a 5-digit ZIP code (no street address)", field="postalCode")
    password_hash = passwords.hash_password(form.password)
    if await email_taken(session, email):
        raise Conflict("an account with this email exists; sign in instead", field="email")
    user = User(
        email=email,
        password_hash=password_hash,
        display_name=name,
        locale=people.locale(form.locale),
        password_changed_at=now,
    )
    await people.insert(session, user)
    session.add(
        LearnerProfile(
            user_id=user.id,
            birth_date=form.birth_date,
            postal_code=postal_code,
            handle=random.token_hex(8),
        )
    )
    actor = Actor(user_id=user.id, ip=ip)
    await audit.record(
        session, "account.signed_up", actor, subject_type="user", subject_id=user.id, child=child
    )
    if child:
        assert guardian_email is not None
        from server.privacy.guardians import request_consent  # a cycle otherwise

        await request_consent(session, user, guardian_email, now=now, public_url=public_url)
    else:
        await consent.grant(
            session, user.id, ConsentPurpose.PARTICIPATION, granted_by=actor, method="self"
        )
        await send_verification(session, user, now=now, public_url=public_url)
    return SignedUp(user=user, needs_guardian=child)


async def sign_up_person(
    session: AsyncSession,
    *,
    display_name: str,
    email: str,
    password: str,
    locale: str,
    now: datetime,
    public_url: str,
    ip: str | None,
) -> User:
    """An adult account that is not a learner: a partner's staff member, a guardian."""
    address = people.normalize_email(email)
    user = User(
        email=address,
        password_hash=passwords.hash_password(password),
        display_name=people.clean_name(display_name),
        locale=people.locale(locale),
        password_changed_at=now,
    )
    if await email_taken(session, address):
        raise Conflict("an account with this email exists; sign in instead", field="email")
    await people.insert(session, user)
    await audit.record(
        session,
        "account.signed_up",
        Actor(user_id=user.id, ip=ip),
        subject_type="user",
        subject_id=user.id,
    )
    await send_verification(session, user, now=now, public_url=public_url)
    return user


async def send_verification(
    session: AsyncSession, user: User, *, now: datetime, public_url: str
) -> None:
    await _email_link(session, user, LinkPurpose.VERIFY_EMAIL, "verify_email", now, public_url)


async def _email_link(
    session: AsyncSession,
    user: User,
    purpose: LinkPurpose,
    template: str,
    now: datetime,
    public_url: str,
) -> None:
    """A one-time link of `purpose` for the person, in an email in their language."""
    secret = await links.create(session, purpose, email=user.email, user_id=user.id, now=now)
    await queue_email(
        session,
        to=user.email,
        template=template,
        lang=user.locale,
        context={"name": user.display_name, "link": links.url(public_url, purpose, secret)},
    )


async def verify_email(session: AsyncSession, secret: str, *, now: datetime) -> User:
    link = await links.consume(session, secret, LinkPurpose.VERIFY_EMAIL, now=now)
    user = await session.get(User, link.user_id) if link.user_id else None
    if user is None or user.email != link.email:
        raise InvalidInput("this link is not valid any more", field="token", code="LINK_INVALID")
    if user.email_verified_at is None:
        user.email_verified_at = now
        await audit.record(
            session, "account.email_verified", None, subject_type="user", subject_id=user.id
        )
    # Badges awarded to this address before the account existed are theirs now.
    await awards.attach_pending(session, user.id, user.email)
    return user


@dataclass(frozen=True)
class SignedIn:
    user: User
    session_secret: str


async def sign_in(
    session: AsyncSession,
    redis: Redis,
    *,
    email: str,
    password: str,
    now: datetime,
    ip: str | None,
    user_agent: str | None = None,
) -> SignedIn:
    """Checks the password (throttled per email and per address) and starts a new
    session. The same message for an unknown email and a wrong password."""
    address = (email or "").strip().lower()[:320]
    wait = await throttle.retry_after(redis, address, ip)
    if wait:
        await audit.record(session, "account.sign_in_throttled", Actor(ip=ip))
        # Committed before refusing, so the caller's rollback keeps the record.
        await session.commit()
        raise Throttled(
            f"too many attempts; try again in {max(1, (wait + 59) // 60)} minutes",
            retry_after=wait,
        )
    user = await session.scalar(select(User).where(User.email == address))
    if not passwords.verify(user.password_hash if user else None, password or ""):
        await throttle.record_failure(redis, address, ip)
        await audit.record(
            session,
            "account.sign_in_failed",
            Actor(ip=ip),
            subject_type="user" if user else None,
            subject_id=user.id if user else None,
        )
        await session.commit()  # as above: a failed attempt stays on record
        raise InvalidInput("that email and password do not match", code="BAD_CREDENTIALS")
    assert user is not None and user.password_hash is not None
    await throttle.clear(redis, address)
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash_password(password)
    secret = await web_sessions.start(session, user, now=now, user_agent=user_agent)
    await audit.record(
        session,
        "account.signed_in",
        Actor(user_id=user.id, ip=ip),
        subject_type="user",
        subject_id=user.id,
    )
    return SignedIn(user=user, session_secret=secret)


async def sign_out(session: AsyncSession, secret: str, actor: Actor) -> None:
    await web_sessions.end(session, secret)
    if actor.user_id is not None:
        await audit.record(
            session, "account.signed_out", actor, subject_type="user", subject_id=actor.user_id
        )


async def request_password_reset(
    session: AsyncSession, email: str, *, now: datetime, public_url: str, ip: str | None
) -> None:
    """Sends a reset link when the account exists; says nothing either way (the page
    shows the same message), so it cannot be used to find out who has an account."""
    address = (email or "").strip().lower()[:320]
    user = await session.scalar(select(User).where(User.email == address))
    if user is None:
        return
    await _email_link(session, user, LinkPurpose.RESET_PASSWORD, "reset_password", now, public_url)
    await audit.record(
        session,
        "account.password_reset_requested",
        Actor(ip=ip),
        subject_type="user",
        subject_id=user.id,
    )


async def reset_password(
    session: AsyncSession, secret: str, new_password: str, *, now: datetime, ip: str | None
) -> User:
    """Sets the new password, marks the email verified (the link proved it) and signs
    every device out."""
    password_hash = passwords.hash_password(new_password)
    link = await links.consume(session, secret, LinkPurpose.RESET_PASSWORD, now=now)
    user = await session.get(User, link.user_id) if link.user_id else None
    if user is None:
        raise InvalidInput("this link is not valid any more", field="token", code="LINK_INVALID")
    user.password_hash = password_hash
    user.password_changed_at = now
    user.email_verified_at = user.email_verified_at or now
    await web_sessions.end_all(session, user.id)
    await audit.record(
        session,
        "account.password_reset",
        Actor(user_id=user.id, ip=ip),
        subject_type="user",
        subject_id=user.id,
    )
    return user
