"""One-time links sent by email: verify an address, reset a password, a guardian's
consent, a staff invitation. The link carries a random secret; the table its hash."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from server.accounts.secrets import digest, new_secret
from server.errors import InvalidInput
from server.models import EmailLink
from server.models.enums import LinkPurpose

LIFETIME = {
    LinkPurpose.VERIFY_EMAIL: timedelta(days=3),
    LinkPurpose.RESET_PASSWORD: timedelta(hours=1),
    LinkPurpose.GUARDIAN_CONSENT: timedelta(days=7),
    LinkPurpose.STAFF_INVITATION: timedelta(days=14),
}

PATHS = {
    LinkPurpose.VERIFY_EMAIL: "/account/verify/",
    LinkPurpose.RESET_PASSWORD: "/account/reset/",
    LinkPurpose.GUARDIAN_CONSENT: "/consent/",
    LinkPurpose.STAFF_INVITATION: "/invitations/",
}


def url(public_url: str, purpose: LinkPurpose, secret: str) -> str:
    return f"{public_url}{PATHS[purpose]}{secret}"


async def create(
    session: AsyncSession,
    purpose: LinkPurpose,
    *,
    email: str,
    now: datetime,
    user_id: int | None = None,
    data: dict[str, Any] | None = None,
) -> str:
    """Stores a new link and returns its secret (put it in the email, nowhere else).
    Earlier unused links of the same purpose for the same person stop working."""
    await session.execute(
        update(EmailLink)
        .where(
            EmailLink.purpose == purpose.value,
            EmailLink.email == email,
            EmailLink.used_at.is_(None),
            EmailLink.user_id == user_id if user_id is not None else EmailLink.user_id.is_(None),
        )
        .values(used_at=now)
    )
    secret = new_secret()
    session.add(
        EmailLink(
            token_hash=digest(secret),
            purpose=purpose.value,
            email=email,
            user_id=user_id,
            data=data or {},
            created_at=now,
            expires_at=now + LIFETIME[purpose],
        )
    )
    await session.flush()
    return secret


async def peek(
    session: AsyncSession, secret: str, purpose: LinkPurpose, *, now: datetime
) -> EmailLink:
    """The link if it is still good, without using it up (to show a confirmation form)."""
    link = await session.scalar(
        select(EmailLink).where(
            EmailLink.token_hash == digest(secret[:200]), EmailLink.purpose == purpose.value
        )
    )
    if link is None or link.used_at is not None:
        raise InvalidInput("this link is not valid any more", field="token", code="LINK_INVALID")
    if link.expires_at <= now:
        raise InvalidInput("this link has expired", field="token", code="LINK_EXPIRED")
    return link


async def consume(
    session: AsyncSession, secret: str, purpose: LinkPurpose, *, now: datetime
) -> EmailLink:
    """Uses the link up (locked, so two clicks at once cannot both succeed)."""
    link = await peek(session, secret, purpose, now=now)
    locked = await session.scalar(
        select(EmailLink).where(EmailLink.id == link.id).with_for_update()
    )
    if locked is None or locked.used_at is not None:
        raise InvalidInput("this link is not valid any more", field="token", code="LINK_INVALID")
    locked.used_at = now
    return locked
