"""The unlock engine on the real database and the real outbox relay: an award opens a gate
once (one notification, whatever the number of jobs), a revocation or an expiry closes it
with the reason and flags an application, a stack completed awards its own badge once,
and a saved rule is backfilled for the learners who already meet it."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from server import outbox
from server.authz import Actor
from server.badges import awards, classes
from server.db import session_scope
from server.models import (
    Application,
    Assertion,
    Competency,
    ImportedBadge,
    OutboxEvent,
    StackCompletion,
    Unlock,
    User,
)
from server.settings import Settings
from server.stacks import applications, definitions, engine
from tests.accounts import people
from tests.badges.helpers import badge_class, design, issuer, now
from tests.stacks.helpers import Sessions, award, drain, emails_to, employer, gated_listing


async def _unlock(s: AsyncSession, learner: User, opportunity_id: int) -> Unlock | None:
    return await s.scalar(
        select(Unlock).where(
            Unlock.learner_id == learner.id, Unlock.opportunity_id == opportunity_id
        )
    )


def _as(user: User) -> Actor:
    return Actor(user_id=user.id)


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
        first = await award(s, museum, design, learner)
    await drain(sessionmaker, settings)
    async with sessionmaker() as s:
        assert await _unlock(s, learner, shadow.id) is None  # one of two: still locked
    async with session_scope(sessionmaker) as s:
        last = await award(s, college, code, learner)
    await drain(sessionmaker, settings)
    async with sessionmaker() as s:
        unlock = await _unlock(s, learner, shadow.id)
        assert unlock is not None and unlock.relocked_at is None and unlock.openings == 1
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
            s, _as(learner), shadow.id, shared=[first, last], message=None, now=now()
        )
        await awards.revoke(s, college.staff_actor, last, "awarded to the wrong Aurora", now=now())
    await drain(sessionmaker, settings)
    async with sessionmaker() as s:
        unlock = await _unlock(s, learner, shadow.id)
        assert unlock is not None and unlock.relocked_at is not None
        assert unlock.relock_reason == "“Intro to HTML” was revoked (awarded to the wrong Aurora)"
        flagged = await s.get(Application, application.id)
        assert flagged is not None and flagged.flagged_at is not None
        assert flagged.flag_reason == unlock.relock_reason
        assert await emails_to(s, learner, "gate_relocked") == 1
        told = await s.scalar(
            select(OutboxEvent.payload).where(
                OutboxEvent.topic == "email",
                OutboxEvent.payload["to"].astext == learner.email,
                OutboxEvent.payload["template"].astext == "gate_relocked",
            )
        )
        assert told is not None and told["template"] == "gate_relocked"
    # Earned again: open again (a second opening, a second notice), the flag cleared.
    async with session_scope(sessionmaker) as s:
        await award(s, college, code, learner)
    await drain(sessionmaker, settings)
    async with sessionmaker() as s:
        unlock = await _unlock(s, learner, shadow.id)
        assert unlock is not None and unlock.relocked_at is None and unlock.openings == 2
        assert unlock.relock_reason is None
        assert await emails_to(s, learner, "gate_unlocked") == 2
        cleared = await s.get(Application, application.id)
        assert cleared is not None and cleared.flagged_at is None


async def test_concurrent_jobs_open_the_door_once(
    sessionmaker: Sessions, settings: Settings
) -> None:
    async with session_scope(sessionmaker) as s:
        made = await issuer(s)
        one = await badge_class(s, made, name="Soldering")
        two = await badge_class(s, made, name="Circuits")
        boss = await employer(s)
        gate = await gated_listing(s, boss, {"all_of": [{"badge": one.id}, {"badge": two.id}]})
        learner = await people.learner(s)
        a = await award(s, made, one, learner)
        b = await award(s, made, two, learner)
        # The two awards' jobs, each delivered three times.
        for assertion in (a, b, a, b):
            await outbox.emit(s, "stacks.evaluate", {"assertion": str(assertion)})

    async def evaluate_directly() -> engine.Applied:
        async with session_scope(sessionmaker) as s:
            return await engine.evaluate_learner(
                s, learner.id, [one.id, two.id], now=now(), settings=settings
            )

    async def relay() -> None:
        await drain(sessionmaker, settings)

    results = await asyncio.gather(*(evaluate_directly() for _ in range(6)), relay(), relay())
    opened = [r for r in results if isinstance(r, engine.Applied) and r.opened]
    async with sessionmaker() as s:
        rows = list(await s.scalars(select(Unlock).where(Unlock.opportunity_id == gate.id)))
        assert [(u.learner_id, u.openings) for u in rows] == [(learner.id, 1)]
        assert await emails_to(s, learner, "gate_unlocked") == 1
    assert len(opened) <= 1  # the relays may have opened it first


async def test_an_expired_badge_closes_the_door_and_says_so(
    sessionmaker: Sessions, settings: Settings
) -> None:
    async with session_scope(sessionmaker) as s:
        made = await issuer(s)
        lifeguard = await badge_class(s, made, name="Lifeguard", expires_after_days=365)
        boss = await employer(s)
        pool = await gated_listing(s, boss, {"badge": lifeguard.id}, title="Pool internship")
        learner = await people.learner(s)
        held = await award(s, made, lifeguard, learner)
    await drain(sessionmaker, settings)
    async with session_scope(sessionmaker) as s:
        opened = await _unlock(s, learner, pool.id)
        assert opened is not None and opened.relocked_at is None
        # A year goes by.
        await s.execute(
            update(Assertion)
            .where(Assertion.id == held)
            .values(expires_at=datetime.now(UTC) - timedelta(minutes=1))
        )
    async with session_scope(sessionmaker) as s:
        assert await engine.sweep_expired(s, now=now()) >= 1
    async with session_scope(sessionmaker) as s:
        assert await engine.sweep_expired(s, now=now()) == 0  # swept once
    await drain(sessionmaker, settings)
    async with sessionmaker() as s:
        closed = await _unlock(s, learner, pool.id)
        assert closed is not None and closed.relocked_at is not None
        assert closed.relock_reason == "“Lifeguard” expired"
        assert await emails_to(s, learner, "gate_relocked") == 1


async def test_a_completed_stack_awards_its_badge_once_and_that_badge_opens_doors(
    sessionmaker: Sessions, settings: Settings
) -> None:
    async with session_scope(sessionmaker) as s:
        city, library = await issuer(s), await issuer(s)
        summit = await badge_class(s, city, name="Invention Summit", level="summit")
        makers = [await badge_class(s, library, name=f"Maker {i}") for i in range(3)]
        stack = await definitions.create_stack(
            s,
            city.manager_actor,
            city.organization.id,
            definitions.StackInput(
                name="Invention pathway",
                rule={"at_least": 2, "of": [{"badge": m.id} for m in makers]},
                award_badge_class_id=summit.id,
            ),
        )
        boss = await employer(s)
        # A gate on the stack's own badge: completing the stack opens it in a chain.
        shadow = await gated_listing(s, boss, {"badge": summit.id}, kind="job_shadow")
        learner = await people.learner(s)
        await award(s, library, makers[0], learner)
    await drain(sessionmaker, settings)
    async with sessionmaker() as s:
        assert await s.get(StackCompletion, (stack.id, learner.id)) is None
    async with session_scope(sessionmaker) as s:
        await award(s, library, makers[2], learner)
    await drain(sessionmaker, settings)
    async with session_scope(sessionmaker) as s:
        done = await s.get(StackCompletion, (stack.id, learner.id))
        assert done is not None and done.assertion_id is not None
        badge = await s.get(Assertion, done.assertion_id)
        assert badge is not None and badge.badge_class_id == summit.id
        assert badge.method == "stack" and badge.recipient_user_id == learner.id
        assert (await _unlock(s, learner, shadow.id)) is not None
        # The job again, and a third badge: still one completion, one stack badge.
        await outbox.emit(s, "stacks.evaluate", {"assertion": str(badge.id)})
        await award(s, library, makers[1], learner)
    await drain(sessionmaker, settings)
    async with sessionmaker() as s:
        summits = await s.scalar(
            select(func.count()).where(
                Assertion.badge_class_id == summit.id, Assertion.recipient_user_id == learner.id
            )
        )
        assert summits == 1
        assert await emails_to(s, learner, "gate_unlocked") == 1


async def test_a_saved_rule_is_backfilled_in_chunks_and_a_changed_rule_relocks(
    sessionmaker: Sessions, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engine, "BACKFILL_CHUNK", 2)
    async with session_scope(sessionmaker) as s:
        made = await issuer(s)
        a = await badge_class(s, made, name="Ceramics")
        b = await badge_class(s, made, name="Glazing")
        c = await badge_class(s, made, name="Kiln safety")
        learners = [await people.learner(s, f"L{i}") for i in range(5)]
        for i, learner in enumerate(learners):
            await award(s, made, a, learner)
            if i % 2 == 0:
                await award(s, made, b, learner)
    await drain(sessionmaker, settings)
    async with session_scope(sessionmaker) as s:
        boss = await employer(s)
        studio = await gated_listing(s, boss, {"all_of": [{"badge": a.id}, {"badge": b.id}]})
    await drain(sessionmaker, settings)
    qualified = {learners[i].id for i in (0, 2, 4)}
    async with sessionmaker() as s:
        rows = list(await s.scalars(select(Unlock).where(Unlock.opportunity_id == studio.id)))
        assert {u.learner_id for u in rows if u.relocked_at is None} == qualified
        chunks = await s.scalar(
            select(func.count()).where(
                OutboxEvent.topic == "stacks.backfill",
                OutboxEvent.payload["opportunity"].astext == str(studio.id),
            )
        )
        assert chunks is not None and chunks >= 3  # 5 candidates, 2 per chunk
    async with session_scope(sessionmaker) as s:
        await definitions.set_gate(
            s,
            boss.actor,
            studio.id,
            definitions.GateInput(
                rule={"all_of": [{"badge": a.id}, {"badge": b.id}, {"badge": c.id}]}
            ),
        )
    await drain(sessionmaker, settings)
    async with sessionmaker() as s:
        rows = list(await s.scalars(select(Unlock).where(Unlock.opportunity_id == studio.id)))
        assert {u.learner_id for u in rows if u.relocked_at is not None} == qualified
        assert {u.relock_reason for u in rows} == {
            "the rule changed and the badges held no longer meet it"
        }


async def test_level_rules_count_any_issuers_aligned_badge(
    sessionmaker: Sessions, settings: Settings
) -> None:
    async with session_scope(sessionmaker) as s:
        competency = (await s.scalars(select(Competency.id).order_by(Competency.id))).first()
        assert competency is not None
        museum, college = await issuer(s), await issuer(s)
        starter = await badge_class(
            s, museum, name="Coding starter", level="participation", competency_ids=[competency]
        )
        advanced = await badge_class(
            s, college, name="App builder", level="achievement", competency_ids=[competency]
        )
        boss = await employer(s)
        gate = await gated_listing(s, boss, {"level": "skill", "competency": competency})
        learner = await people.learner(s)
        await award(s, museum, starter, learner)
    await drain(sessionmaker, settings)
    async with sessionmaker() as s:
        assert await _unlock(s, learner, gate.id) is None  # participation < skill
    async with session_scope(sessionmaker) as s:
        await award(s, college, advanced, learner)  # found through the competency index
    await drain(sessionmaker, settings)
    async with sessionmaker() as s:
        unlock = await _unlock(s, learner, gate.id)
        assert unlock is not None and unlock.holding == [advanced.id]
    # The issuer re-levels the badge below "skill": the level rule is evaluated again.
    async with session_scope(sessionmaker) as s:
        await classes.update(
            s,
            college.manager_actor,
            advanced.id,
            design(name="App builder", level="participation", competency_ids=[competency]),
        )
    await drain(sessionmaker, settings)
    async with sessionmaker() as s:
        unlock = await _unlock(s, learner, gate.id)
        assert unlock is not None and unlock.relocked_at is not None


async def test_badges_from_elsewhere_count_once_mapped(
    sessionmaker: Sessions, settings: Settings
) -> None:
    foreign = "https://badges.elsewhere.example/achievements/first-aid"
    async with session_scope(sessionmaker) as s:
        made = await issuer(s)
        first_aid = await badge_class(s, made, name="First aid")
        boss = await employer(s)
        camp = await gated_listing(s, boss, {"badge": first_aid.id}, title="Camp counselor")
        verified, tampered, later = [await people.learner(s, n) for n in ("Vi", "Ty", "La")]
        for learner, valid in ((verified, True), (tampered, False)):
            s.add(_imported(learner, foreign, valid=valid))
        admin = await people.person(s, "Ada", admin=True)
    await drain(sessionmaker, settings)
    async with sessionmaker() as s:
        assert await _unlock(s, verified, camp.id) is None  # not mapped yet
    async with session_scope(sessionmaker) as s:
        await definitions.add_equivalence(
            s, Actor(user_id=admin.id, is_admin=True), first_aid.id, achievement_id=foreign
        )
    await drain(sessionmaker, settings)
    async with session_scope(sessionmaker) as s:
        assert await _unlock(s, verified, camp.id) is not None
        assert await _unlock(s, tampered, camp.id) is None  # failed verification: not held
        # Imported after the mapping: the import's own job evaluates it.
        row = _imported(later, foreign, valid=True)
        s.add(row)
        await s.flush()
        await outbox.emit(s, "stacks.evaluate", {"learner": later.id, "imported": row.id})
    await drain(sessionmaker, settings)
    async with sessionmaker() as s:
        assert await _unlock(s, later, camp.id) is not None


def _imported(learner: User, achievement_id: str, *, valid: bool) -> ImportedBadge:
    return ImportedBadge(
        learner_id=learner.id,
        source="https://badges.elsewhere.example/assertions/1",
        spec="ob2",
        valid=valid,
        checks=[],
        badge_name="First aid",
        issuer_name="Elsewhere",
        achievement_id=achievement_id,
        document={},
    )
