"""The engine's outbox handlers: they run in the relay's transaction (server/outbox.py), so
what they write commits exactly once with the event's dispatched mark."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from server import outbox
from server.models import Assertion, OutboxEvent
from server.settings import Settings
from server.stacks import engine


@outbox.register("stacks.evaluate")
async def evaluate(session: AsyncSession, event: OutboxEvent, settings: Settings) -> None:
    """After an award, a revocation, an expiry, an award attached on sign-up
    ({"assertion": id}), or an imported badge ({"learner": id, "imported": id})."""
    payload = event.payload
    now = datetime.now(UTC)
    if "assertion" in payload:
        assertion = await session.get(Assertion, uuid.UUID(payload["assertion"]))
        if assertion is None or assertion.recipient_user_id is None:
            return None  # gone with its account, or waiting for its recipient to sign up
        learner, changed = assertion.recipient_user_id, [assertion.badge_class_id]
    else:
        learner = int(payload["learner"])
        changed = await engine.mapped_classes(session, int(payload["imported"]))
    await engine.evaluate_learner(session, learner, changed, now=now, settings=settings)
    return None


@outbox.register("stacks.backfill")
async def backfill(session: AsyncSession, event: OutboxEvent, settings: Settings) -> None:
    """One chunk of a new or changed rule's backfill; the next chunk is its own event."""
    payload = event.payload
    target = await engine.target_of(
        session, stack_id=payload.get("stack"), opportunity_id=payload.get("opportunity")
    )
    if target is None:  # archived, ungated or unpublished since
        return None
    _, cursor = await engine.backfill(
        session,
        target,
        after=int(payload.get("after", 0)),
        now=datetime.now(UTC),
        settings=settings,
        chunk=engine.BACKFILL_CHUNK,
    )
    if cursor is not None:
        await outbox.emit(session, "stacks.backfill", {**payload, "after": cursor})
    return None


@outbox.register("stacks.rescan")
async def rescan(session: AsyncSession, event: OutboxEvent, settings: Settings) -> None:
    """A new equivalence: learners whose imported badges it now counts."""
    badge_class = int(event.payload["badge_class"])
    now = datetime.now(UTC)
    for learner in await engine.learners_with_mapped_imports(session, badge_class):
        await engine.evaluate_learner(session, learner, [badge_class], now=now, settings=settings)
    return None
