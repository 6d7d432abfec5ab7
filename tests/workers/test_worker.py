"""The arq worker runs jobs from the real Redis against the real database."""

from __future__ import annotations

from datetime import date, time

from arq import create_pool
from arq.connections import RedisSettings
from arq.worker import Function, Worker
from redis.asyncio import Redis
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server.db import session_scope
from server.models import Session
from server.settings import Settings
from tests import builders
from workers import settings as worker_settings
from workers import tasks


async def test_expand_sessions_job_is_idempotent(
    settings: Settings, sessionmaker: async_sessionmaker[AsyncSession], redis: Redis
) -> None:
    async with session_scope(sessionmaker) as session:
        org = await builders.create_organization(session, "fixture-worker-org")
        place = await builders.create_place(session, org, builders.OTHER_POINT)
        opp = await builders.create_opportunity(
            session, org, place, builders.OTHER_POINT, title="Worker Fixture"
        )
        # Change the schedule by hand; the job must bring the sessions in line.
        opp.schedule_rrule = "FREQ=WEEKLY;BYDAY=SA;COUNT=4"
        opp.start_date, opp.start_time = date(2099, 6, 6), time(9, 0)
        opp_id = opp.id

    redis_settings = RedisSettings.from_dsn(settings.redis_url)
    # A queue of its own: other tests' requests leave jobs (outbox nudges) in the default one.
    queue = f"test:expand:{opp_id}"
    pool = await create_pool(redis_settings, default_queue_name=queue)
    try:
        # Enqueued twice (a retry), with distinct ids so both really run.
        await pool.enqueue_job("expand_sessions", opp_id, _job_id=f"expand-{opp_id}-1")
        await pool.enqueue_job("expand_sessions", opp_id, _job_id=f"expand-{opp_id}-2")
        worker = Worker(
            functions=[tasks.expand_sessions],
            queue_name=queue,
            redis_settings=redis_settings,
            on_startup=lambda ctx: _startup(ctx, sessionmaker),
            burst=True,
            poll_delay=0.05,
            handle_signals=False,
        )
        await worker.async_run()
        assert worker.jobs_complete == 2 and worker.jobs_failed == 0
        await worker.close()
    finally:
        await pool.aclose()

    async with sessionmaker() as session:
        rows = (
            await session.scalars(
                select(Session).where(Session.opportunity_id == opp_id).order_by(Session.starts_at)
            )
        ).all()
        assert [r.local_date for r in rows] == [date(2099, 6, d) for d in (6, 13, 20, 27)]
        assert {r.local_dow for r in rows} == {6}
        assert {r.local_start_minute for r in rows} == {540}
        total = await session.scalar(select(func.count()).select_from(Session))
        assert total is not None and total > 0


async def _startup(ctx: dict[str, object], sessionmaker: object) -> None:
    ctx["sessionmaker"] = sessionmaker


def test_worker_settings_list_the_tasks_and_heartbeat() -> None:
    functions = worker_settings.WorkerSettings.functions
    names = {f.name if isinstance(f, Function) else f.__name__ for f in functions}
    assert {"expand_sessions", "relay_outbox"} <= names
    assert worker_settings.WorkerSettings.cron_jobs
