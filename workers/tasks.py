"""Tasks: open a session, call a server service, commit."""

from __future__ import annotations

import dataclasses
import time
from datetime import UTC, datetime
from typing import Any

import server.mail  # noqa: F401  (registers the "email" outbox handler)
from partners import harvest
from server import outbox
from server.catalog import feeds
from server.catalog import service as catalog
from server.db import session_scope
from server.errors import NotFound
from server.privacy import retention
from server.stacks import engine as stacks_engine

HARVEST_JOB = "harvest_feed"
# Events per relay pass; the cron runs the relay every 30 s, a nudge runs it at once, and
# it goes on pass after pass while events keep coming, for up to RELAY_SECONDS.
RELAY_BATCH = 500
RELAY_SECONDS = 240.0  # under the job timeout (workers/settings.py)


async def expand_sessions(ctx: dict[str, Any], opportunity_id: int) -> int:
    """Re-expand a listing's schedule into sessions (after an edit or an import)."""
    async with session_scope(ctx["sessionmaker"]) as session:
        try:
            return await catalog.expand_sessions(session, opportunity_id)
        except NotFound:
            return 0  # deleted since it was queued: nothing to do


async def relay_outbox(ctx: dict[str, Any]) -> int:
    """Carry out due outbox events (emails, badge follow-ups): after a nudge, and from the
    cron; a backlog (a bulk award) is drained in one run rather than a batch per cron."""
    deadline = time.monotonic() + RELAY_SECONDS
    total = 0
    while True:
        done = await outbox.relay(ctx["sessionmaker"], ctx["settings"], limit=RELAY_BATCH)
        total += done
        if done < RELAY_BATCH or time.monotonic() > deadline:
            return total


async def purge_personal_data(ctx: dict[str, Any]) -> dict[str, int]:
    """Daily: unconsented children's accounts, expired sessions and links, sent mail."""
    async with session_scope(ctx["sessionmaker"]) as session:
        purged = await retention.purge(session, now=datetime.now(UTC))
    return dataclasses.asdict(purged)


async def harvest_feed(ctx: dict[str, Any], feed_id: int) -> str:
    """Harvest one partner feed (it is leased: a second run of the same job skips it)."""
    result = await harvest.harvest(
        ctx["sessionmaker"], feed_id, settings=ctx["settings"], http=ctx["http"]
    )
    return result.outcome


async def harvest_due_feeds(ctx: dict[str, Any]) -> int:
    """Every minute: a harvest job for each due feed (one job per feed at a time)."""
    async with ctx["sessionmaker"]() as session:
        due = await feeds.due(session, now=datetime.now(UTC))
    for feed_id in due:
        await ctx["redis"].enqueue_job(HARVEST_JOB, feed_id, _job_id=f"harvest:{feed_id}")
    return len(due)


async def extend_open_schedules(ctx: dict[str, Any]) -> int:
    """Nightly: sessions of never-ending schedules ("every Tuesday") for the window ahead."""
    async with ctx["sessionmaker"]() as session:
        ids = await catalog.open_ended_listings(session)
    for opportunity_id in ids:
        async with session_scope(ctx["sessionmaker"]) as session:
            await catalog.expand_sessions(session, opportunity_id)
    return len(ids)


async def sweep_expired_awards(ctx: dict[str, Any]) -> int:
    """Every 10 minutes: awards that expired since the last sweep get their recipient's
    stacks and gates re-evaluated (through the outbox, like a revocation)."""
    total = 0
    while True:
        async with session_scope(ctx["sessionmaker"]) as session:
            swept = await stacks_engine.sweep_expired(session, now=datetime.now(UTC))
        total += swept
        if swept < stacks_engine.SWEEP_BATCH:
            break
    if total:
        await outbox.nudge(ctx["redis"])
    return total
