"""The daily retention job: unconsented children's accounts, old sessions, links, mail."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from redis.asyncio import Redis
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
