"""The follow-up work of an award, carried out by the worker's outbox relay.

Each handler runs in the relay's transaction, so what it writes commits exactly once with
the event's dispatched mark; run twice (a crash before the commit), it does the same thing
again: baking overwrites, the notification is skipped once `notified_at` is set.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from server import outbox
from server.badges import baking, published
from server.badges.urls import BadgeUrls
from server.mail.service import queue_email
from server.models import Assertion, BadgeClass, Organization, OutboxEvent, User
from server.settings import Settings


async def _assertion(session: AsyncSession, event: OutboxEvent) -> Assertion | None:
    """The event's award, locked; None when it is gone (the learner deleted their account)."""
    assertion: Assertion | None = await session.get(
        Assertion, uuid.UUID(event.payload["assertion"]), with_for_update=True
    )
    return assertion


@outbox.register("badge.bake")
async def bake(session: AsyncSession, event: OutboxEvent, settings: Settings) -> None:
    assertion = await _assertion(session, event)
    if assertion is None or assertion.revoked_at is not None:
        return None
    badge_class = await session.get(BadgeClass, assertion.badge_class_id)
    assert badge_class is not None
    url = BadgeUrls(settings.public_url).assertion(assertion.id)
    assertion.baked_png = baking.bake_png(published.badge_png(badge_class), url)
    return None


@outbox.register("badge.notify")
async def notify(session: AsyncSession, event: OutboxEvent, settings: Settings) -> None:
    assertion = await _assertion(session, event)
    if assertion is None or assertion.notified_at is not None or assertion.revoked_at:
        return None
    badge_class = await session.get(BadgeClass, assertion.badge_class_id)
    organization = await session.get(Organization, assertion.organization_id)
    assert badge_class is not None and organization is not None
    user_id = assertion.recipient_user_id
    user = await session.get(User, user_id) if user_id is not None else None
    urls = BadgeUrls(settings.public_url)
    context: dict[str, Any] = {
        "name": user.display_name if user else assertion.recipient_email.split("@")[0],
        "badge": badge_class.name,
        "issuer": organization.name,
        "has_account": user is not None,
        "link": urls.backpack() if user else f"{urls.base}/account/signup",
    }
    await queue_email(
        session,
        to=assertion.recipient_email,
        template="badge_awarded",
        lang=user.locale if user else "en",
        context=context,
    )
    assertion.notified_at = event.created_at
    return None
