"""The daily retention job: unconsented children's accounts, old sessions, links, mail."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from redis.asyncio import Redis
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server.accounts import web_sessions
from server.db import session_scope
from server.models import User
from server.models.enums import ConsentPurpose
from server.privacy import consent, retention
from tests.accounts import people


async def test_children_without_consent_are_deleted_after_the_link_expires(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    now = datetime.now(UTC)
    async with session_scope(sessionmaker) as s:
        waiting = await people.learner(s, "Wren", age=9, consented=False)
        fresh = await people.learner(s, "Fern", age=9, consented=False)
        consented, _ = await people.child_with_guardian(s)
        teen = await people.learner(s, "Tate", age=14)
        for user in (waiting, consented, teen):
            user.created_at = now - timedelta(days=8)
        stale = await web_sessions.start(s, teen, now=now - timedelta(days=40))
        ids = {u.display_name: u.id for u in (waiting, fresh, consented, teen)}
    async with session_scope(sessionmaker) as s:
        purged = await retention.purge(s, now=now)
    assert purged.unconsented_children >= 1 and purged.sessions >= 1
    async with session_scope(sessionmaker) as s:
        assert await s.get(User, ids["Wren"]) is None
        for kept in ("Fern", "Kit", "Tate"):  # too new to purge, consented, 13 and over
            assert await s.get(User, ids[kept]) is not None, kept
        assert await web_sessions.resolve(s, stale, now=now) is None


def test_the_worker_runs_the_purge_every_night() -> None:
    from workers.settings import WorkerSettings

    crons = {job.name: job for job in WorkerSettings.cron_jobs}
    purge = crons["cron:purge_personal_data"]
    assert purge.hour == {4} and purge.minute == {17}


async def test_demo_people_are_made_once_and_can_sign_in(
    sessionmaker: async_sessionmaker[AsyncSession], redis: Redis
) -> None:
    from server.accounts import service as accounts
    from server.demo import people as demo

    for _ in range(2):  # idempotent: `make run` calls it at every start
        async with session_scope(sessionmaker) as s:
            made = await demo.ensure(s)
    assert len(made) == 5
    async with session_scope(sessionmaker) as s:
        kid = await accounts.sign_in(
            s,
            redis,
            email="kid@demo.citylearn.test",
            password=demo.PASSWORD,
            now=datetime.now(UTC),
            ip=None,
        )
        assert await consent.standing(s, kid.user.id) == {ConsentPurpose.PARTICIPATION}
        admin = await accounts.sign_in(
            s,
            redis,
            email="admin@demo.citylearn.test",
            password=demo.PASSWORD,
            now=datetime.now(UTC),
            ip=None,
        )
        assert admin.user.is_network_admin


async def test_demo_badges_are_made_once_and_land_in_the_backpack(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    from server.authz import Actor
    from server.badges import backpack, review
    from server.demo import badges as demo_badges
    from server.demo import people as demo
    from server.models import BadgeClass
    from server.models.enums import StaffRole

    now = datetime.now(UTC)
    async with session_scope(sessionmaker) as s:
        await demo.ensure(s)
    results = []
    for _ in range(2):  # idempotent, like the demo people
        async with session_scope(sessionmaker) as s:
            results.append(await demo_badges.ensure(s, now=now))
    first, second = results
    assert first is not None and second is not None
    assert first.claim_code is not None and first.claim_code == second.claim_code
    async with sessionmaker() as s:
        teen = (await s.scalars(select(User).where(User.email == "teen@demo.citylearn.test"))).one()
        held = await backpack.mine(s, teen.id)
        assert [bc.name for _, bc, _ in held] == ["Curious Explorer"]
        org_id = held[0][2].id
        names = set(
            await s.scalars(select(BadgeClass.name).where(BadgeClass.organization_id == org_id))
        )
        assert names == {"Curious Explorer", "Young Maker", "Summit: Invention"}
        waiting = await review.queue(s, Actor(user_id=0, roles={org_id: StaffRole.OWNER}), org_id)
        assert [bc.name for _, bc, _ in waiting] == ["Young Maker"]
