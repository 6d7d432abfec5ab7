"""Web sessions: a random cookie value, stored hashed, with idle and absolute expiry.

A new session (a new secret) is made at every sign-in, so a session id planted before
sign-in never becomes a signed-in one (no session fixation).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.accounts.secrets import digest, new_secret
from server.models import User, WebSession

IDLE = timedelta(days=7)
ABSOLUTE = timedelta(days=30)
# last_seen_at is written at most this often, not on every page view.
TOUCH_EVERY = timedelta(minutes=5)


async def start(
    session: AsyncSession, user: User, *, now: datetime, user_agent: str | None = None
) -> str:
    secret = new_secret()
    session.add(
        WebSession(
            token_hash=digest(secret),
            user_id=user.id,
            created_at=now,
            last_seen_at=now,
            expires_at=now + ABSOLUTE,
            user_agent=(user_agent or "")[:300] or None,
        )
    )
    await session.flush()
    return secret


async def resolve(session: AsyncSession, secret: str, *, now: datetime) -> User | None:
    """The signed-in user for a cookie value, or None when unknown or expired."""
    if not secret or len(secret) > 200:
        return None
    row = await session.execute(
        select(WebSession, User)
        .join(User, User.id == WebSession.user_id)
        .where(WebSession.token_hash == digest(secret))
    )
    found = row.first()
    if found is None:
        return None
    web_session, user = found
    if web_session.expires_at <= now or web_session.last_seen_at + IDLE <= now:
        await session.delete(web_session)
        await session.flush()
        return None
    if now - web_session.last_seen_at >= TOUCH_EVERY:
        web_session.last_seen_at = now
        await session.flush()
    return user


async def end(session: AsyncSession, secret: str) -> None:
    await session.execute(delete(WebSession).where(WebSession.token_hash == digest(secret)))


async def end_all(session: AsyncSession, user_id: int) -> None:
    """After a password reset or an account deletion: every device is signed out."""
    await session.execute(delete(WebSession).where(WebSession.user_id == user_id))
