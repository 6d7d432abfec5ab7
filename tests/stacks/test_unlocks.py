"""The unlock engine on the real database and the real outbox relay: an award opens a gate
once (one notification, whatever the number of jobs), a revocation or an expiry closes it
with the reason and flags an application, a stack completed awards its own badge once,
and a saved rule is backfilled for the learners who already meet it."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from server import outbox
from server.badges import awards
from server.db import session_scope
from server.models import Application, Assertion, OutboxEvent, StackCompletion, Unlock
from server.settings import Settings
from server.stacks import applications, definitions, engine
from tests.accounts import people
from tests.badges.helpers import badge_class, issuer, now
from tests.stacks.helpers import Sessions, award, drain, emails_to, employer, gated_listing


async def _unlock(s, learner_id: int, opportunity_id: int) -> Unlock | None:  # type: ignore[no-untyped-def]
    return await s.scalar(
        select(Unlock).where(
            Unlock.learner_id == learner_id, Unlock.opportunity_id == opportunity_id
        )
    )


async def test_the_last_badge_opens_the_door_once_and_a_revocation_closes_it(
    sessionmaker: Sessions, settings: Settings
) -> None:
    async with session_scope(sessionmaker) as s:
        museum, college = await issuer(s), await issuer(s)  # two issuers in one rule
        design = await badge_class(s, museum, name="Design Thinking")
        code = await badge_class(s, college, name="Intro to HTML")
        boss = await employer(s)
        shadow = await gated_listing(
            s,
            boss,
            {"all_of": [{"badge": design.id}, {"badge": code.id}]},
            title="Job shadow: web app designer",
            kind="job_shadow",
        )
        learner = await people.learner(s, "Aurora", age=15)
        await award(s, museum, design, learner)
    await drain(sessionmaker, settings)
    async with sessionmaker() as s:
        assert await _unlock(s, learner.id, shadow.id) is None  # one of two: still locked
    async with session_scope(sessionmaker) as s:
        last = await award(s, college, code, learner)
    await drain(sessionmaker, settings)
    async with sessionmaker() as s:
        unlock = await _unlock(s, learner.id, shadow.id)
        assert unlock is not None and unlock.relocked_at is None
        assert sorted(unlock.holding) == sorted([design.id, code.id])
        assert await emails_to(s, learner, "gate_unlocked") == 1
    # The same job delivered twice more (a worker died before its commit): nothing new.
    async with session_scope(sessionmaker) as s:
        for _ in range(2):
            await outbox.emit(s, "stacks.evaluate", {"assertion": str(last)})
    await drain(sessionmaker, settings)
    async with session_scope(sessionmaker) as s:
        assert await emails_to(s, learner, "gate_unlocked") == 1
        application = await applications.apply(
            s, people_actor(learner), shadow.id, shared=[last], message=None, now=now()
        )
        await awards.revoke(s, college.staff_actor, last, "awarded to the wrong Aurora", now=now())
    await drain(sessionmaker, settings)
    async with sessionmaker() as s:
        unlock = await _unlock(s, learner.id, shadow.id)
        assert unlock is not None and unlock.relocked_at is not None
        assert unlock.relock_reason == "“Intro to HTML” was revoked (awarded to the wrong Aurora)"
        flagged = await s.get(Application, application.id)
        assert flagged is not None and flagged.flagged_at is not None
        assert flagged.flag_reason == unlock.relock_reason
        assert await emails_to(s, learner, "gate_relocked") == 1
        relocked = await s.scalar(
            select(OutboxEvent.payload).where(
                OutboxEvent.topic == "email",
                OutboxEvent.payload["to"].astext == learner.email,
                OutboxEvent.payload["template"].astext == "gate_relocked",
            )
        )
        assert relocked is not None


def people_actor(user):  # type: ignore[no-untyped-def]
    from server.authz import Actor

    return Actor(user_id=user.id)
