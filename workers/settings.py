"""arq worker: `citylearn worker` runs WorkerSettings.

Jobs may run more than once, so every task is idempotent.
"""

from __future__ import annotations

import time
from typing import Any

from arq import cron, func
from arq.connections import RedisSettings

from partners import fetch, harvest
from server.db import make_engine, make_sessionmaker
from server.outbox import RELAY_JOB
from server.settings import load_settings
from workers import tasks

HEARTBEAT_KEY = "citylearn:worker:heartbeat"


async def startup(ctx: dict[str, Any]) -> None:
    settings = load_settings()
    ctx["settings"] = settings
    ctx["engine"] = make_engine(settings, pool_size=4, max_overflow=4)
    ctx["sessionmaker"] = make_sessionmaker(ctx["engine"])
    # One HTTP client for every harvest: pooled connections to partners' servers.
    ctx["http"] = fetch.client(harvest.limits_for(settings))


async def shutdown(ctx: dict[str, Any]) -> None:
    await ctx["http"].aclose()
    await ctx["engine"].dispose()


async def heartbeat(ctx: dict[str, Any]) -> None:
    """Lets an operator (and `citylearn services status`) see the worker is alive."""
    await ctx["redis"].set(HEARTBEAT_KEY, str(time.time()), ex=300)


def redis_settings() -> RedisSettings:
    settings = RedisSettings.from_dsn(load_settings().redis_url)
    # Ride out a Redis restart instead of dying.
    settings.conn_retries = 30
    settings.conn_retry_delay = 2
    return settings


class WorkerSettings:
    functions = [
        tasks.expand_sessions,
        tasks.purge_personal_data,
        tasks.extend_open_schedules,
        tasks.sweep_expired_awards,
        func(tasks.harvest_feed, name=tasks.HARVEST_JOB, keep_result=0),
        # No result kept: a nudge's _job_id is free again as soon as the relay finishes.
        func(tasks.relay_outbox, name=RELAY_JOB, keep_result=0),
    ]
    cron_jobs = [
        cron(heartbeat, second={0, 30}, run_at_startup=True),
        # The fallback for lost nudges (Redis was down, or the job was finishing).
        cron(tasks.relay_outbox, second={15, 45}, run_at_startup=True, keep_result=0),
        cron(tasks.harvest_due_feeds, second={5}, run_at_startup=True, keep_result=0),
        # Nightly, when few people are on (the city's time zone is the operator's concern).
        cron(tasks.purge_personal_data, hour={4}, minute={17}, run_at_startup=True),
        cron(tasks.extend_open_schedules, hour={3}, minute={41}, run_at_startup=True),
        cron(tasks.sweep_expired_awards, minute=set(range(2, 60, 10)), run_at_startup=True),
    ]
    on_startup = startup
    on_shutdown = shutdown
    redis_settings = redis_settings()
    max_jobs = 10
    job_timeout = 300
