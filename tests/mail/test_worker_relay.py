"""The worker's relay_outbox job, nudged through the real Redis, delivers over real SMTP."""

from __future__ import annotations

import logging
import socket
from typing import Any

import pytest
from arq.connections import ArqRedis, RedisSettings, create_pool
from arq.worker import Function, Worker
from redis.asyncio import ConnectionPool
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server import outbox
from server.db import session_scope
from server.mail import queue_email
from server.settings import Settings
from tests.mail_sink import SmtpSink
from workers.settings import WorkerSettings

Sessions = async_sessionmaker[AsyncSession]


async def _forget_relay_job(pool: ArqRedis) -> None:
    """Another test's nudge may still be queued in the shared test Redis."""
    await pool.delete(f"arq:job:{outbox.RELAY_JOB}", f"arq:result:{outbox.RELAY_JOB}")
    await pool.zrem("arq:queue", outbox.RELAY_JOB)


async def _relay_jobs(pool: ArqRedis) -> int:
    return sum(job.function == outbox.RELAY_JOB for job in await pool.queued_jobs())


async def test_nudged_relay_job_delivers_through_a_worker(
    outbox_db: Sessions, mail_settings: Settings, smtp_sink: SmtpSink
) -> None:
    async with session_scope(outbox_db) as session:
        await queue_email(
            session,
            to="worker@example.org",
            template="organization_approved",
            lang="es",
            context={"org_name": "Biblioteca Harold Washington", "link": "https://x.example/"},
        )
    redis_settings = RedisSettings.from_dsn(mail_settings.redis_url)
    pool = await create_pool(redis_settings)
    try:
        await _forget_relay_job(pool)
        # A burst of commits nudges many times and makes one job.
        for _ in range(5):
            await outbox.nudge(pool)
        assert await _relay_jobs(pool) == 1

        async def startup(ctx: dict[str, Any]) -> None:
            ctx["settings"], ctx["sessionmaker"] = mail_settings, outbox_db

        worker = Worker(
            functions=WorkerSettings.functions,
            redis_settings=redis_settings,
            on_startup=startup,
            burst=True,
            poll_delay=0.05,
            handle_signals=False,
        )
        await worker.async_run()
        await worker.close()

        message = await smtp_sink.wait_for("worker@example.org")
        assert (
            message["Subject"]
            == "Aprobamos la solicitud de Biblioteca Harold Washington en CityLearn"
        )
        # No result is kept, so the next commit's nudge queues a new job.
        await outbox.nudge(pool)
        assert await _relay_jobs(pool) == 1
        await _forget_relay_job(pool)
    finally:
        await pool.aclose()


async def test_nudge_with_redis_down_only_logs(caplog: pytest.LogCaptureFixture) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed_port = sock.getsockname()[1]  # nothing listens once the socket is closed
    redis = ArqRedis(ConnectionPool.from_url(f"redis://127.0.0.1:{closed_port}/0"))
    try:
        with caplog.at_level(logging.WARNING, logger="server.outbox"):
            await outbox.nudge(redis)
    finally:
        await redis.aclose()
    assert "could not nudge the outbox relay" in caplog.text


def test_worker_runs_the_relay_as_a_job_and_every_30_seconds() -> None:
    functions = [f for f in WorkerSettings.functions if isinstance(f, Function)]
    [relay] = [f for f in functions if f.name == outbox.RELAY_JOB]
    assert relay.keep_result_s == 0
    [cron] = [c for c in WorkerSettings.cron_jobs if c.name == f"cron:{outbox.RELAY_JOB}"]
    assert cron.second == {15, 45} and cron.run_at_startup
