"""The transactional outbox: follow-up work written in the transaction of the change that
causes it, carried out afterwards by the worker.

A service calls `emit()` inside its unit of work, so the event exists exactly when the
change commits. After the commit the call site calls `nudge()`, which asks a worker to
run `relay()` now; the worker's cron runs it every 30 s anyway, so a lost nudge (Redis
down, or a nudge arriving while a relay job is finishing) only delays the event.

Delivery is at least once. `relay()` claims a few events at a time (PER_TRANSACTION)
with FOR UPDATE SKIP LOCKED, runs each handler (in a savepoint) while holding the row locks
and marks them dispatched in the same transaction, so concurrent relays (two workers, or
the cron beside a nudged job) never run one event twice. Events run again only when the
process dies, or the commit fails, after a handler's side effect (say the SMTP server
accepted the mail): handlers must tolerate that (an email's Message-ID is derived from the
event id, so a resend is recognisable). One commit per few events rather than per event:
a bulk award writes thousands of events, and a commit each cost more than the handlers.

A failing event is retried with capped exponential backoff (30 s, 1, 2, 4 ... 60 min).
After MAX_ATTEMPTS its available_at becomes 'infinity' (never due): the row stays, with
attempts and last_error, for an operator to read, and to retry with
    UPDATE outbox_events SET attempts = 0, available_at = now() WHERE id = ...;
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

from arq.connections import ArqRedis
from sqlalchemy import (
    ColumnElement,
    DateTime,
    func,
    insert,
    literal,
    literal_column,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server.db import session_scope
from server.models import OutboxEvent
from server.settings import Settings

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 10
# Events claimed and committed together; at most this many re-run after a crash.
PER_TRANSACTION = 10
FIRST_RETRY = timedelta(seconds=30)
LONGEST_RETRY = timedelta(hours=1)
MAX_ERROR_LENGTH = 300
# The arq job that runs relay(); also its _job_id, so a burst of nudges queues one job.
RELAY_JOB = "relay_outbox"
# What available_at becomes when an event has failed MAX_ATTEMPTS times.
NEVER = literal_column("'infinity'::timestamptz", DateTime(timezone=True))

# A handler carries out one event. It gets the relay's session (the transaction that marks
# the event dispatched), so database effects commit exactly once with that mark; only
# effects outside the database (an email) can happen twice. It returns the payload to keep
# once dispatched (for instance without one-time links), or None to keep it as it is.
Handler = Callable[[AsyncSession, OutboxEvent, Settings], Awaitable[dict[str, Any] | None]]

HANDLERS: dict[str, Handler] = {}


def register(topic: str) -> Callable[[Handler], Handler]:
    """`@register("email")` makes the decorated coroutine the handler of that topic."""

    def decorator(handler: Handler) -> Handler:
        existing = HANDLERS.setdefault(topic, handler)
        if existing is not handler:
            raise ValueError(f"outbox topic {topic!r} already has a handler: {existing!r}")
        return handler

    return decorator


async def emit(session: AsyncSession, topic: str, payload: dict[str, Any]) -> OutboxEvent:
    """Add an event in the caller's transaction; it is relayed only if that commits."""
    # INSERT ... RETURNING loads the server defaults (times, attempts) in the same trip.
    statement = insert(OutboxEvent).values(topic=topic, payload=payload).returning(OutboxEvent)
    event: OutboxEvent = (await session.scalars(statement)).one()
    return event


async def emit_many(session: AsyncSession, topic: str, payloads: list[dict[str, Any]]) -> None:
    """Add many events of one topic in one statement (a bulk award writes thousands)."""
    if payloads:
        rows = [{"topic": topic, "payload": payload} for payload in payloads]
        await session.execute(insert(OutboxEvent), rows)


async def nudge(redis: ArqRedis) -> None:
    """Ask a worker to relay now. Call after the commit; never raises."""
    try:
        await redis.enqueue_job(RELAY_JOB, _job_id=RELAY_JOB)
    except Exception as exc:  # the cron relays every 30 s: a nudge only saves the wait
        log.warning("could not nudge the outbox relay (%s); the worker's cron will", exc)


def backoff(attempts: int) -> timedelta:
    """How long to wait after the `attempts`-th failure: 30 s, 1 min, 2, 4 ... 1 h."""
    doublings = min(max(attempts - 1, 0), 16)  # past the cap anyway; keeps timedelta small
    return min(FIRST_RETRY * (1 << doublings), LONGEST_RETRY)


async def relay(
    sessionmaker: async_sessionmaker[AsyncSession],
    settings: Settings,
    *,
    limit: int = 50,
    now: datetime | None = None,
) -> int:
    """Carry out up to `limit` due events, oldest first; returns how many were dispatched.

    `now` (tests) replaces the database clock in "due" and in the times written.
    """
    import server.handlers  # noqa: F401  (late: the handlers import services that emit)

    clock: ColumnElement[datetime] = (
        func.now() if now is None else literal(now, DateTime(timezone=True))
    )
    dispatched = 0
    remaining = limit
    while remaining > 0:
        # A failing handler's writes roll back to its savepoint; its failure is recorded
        # and committed with the others' outcomes.
        async with session_scope(sessionmaker) as session:
            events = await _claim(session, clock, min(PER_TRANSACTION, remaining))
            for event in events:
                dispatched += await _carry_out(session, event, settings, clock)
        remaining -= len(events)
        if len(events) < PER_TRANSACTION:
            break
    return dispatched


async def _claim(
    session: AsyncSession, clock: ColumnElement[datetime], count: int
) -> list[OutboxEvent]:
    statement = (
        select(OutboxEvent)
        .where(OutboxEvent.dispatched_at.is_(None), OutboxEvent.available_at <= clock)
        .order_by(OutboxEvent.available_at, OutboxEvent.id)
        .limit(count)
        .with_for_update(skip_locked=True)
    )
    return list(await session.scalars(statement))


async def _carry_out(
    session: AsyncSession, event: OutboxEvent, settings: Settings, clock: ColumnElement[datetime]
) -> int:
    """Run the event's handler and record the outcome; 1 when dispatched, else 0."""
    row = update(OutboxEvent).where(OutboxEvent.id == event.id)
    try:
        handler = HANDLERS.get(event.topic)
        if handler is None:  # e.g. an older worker during a deploy: retry later
            raise LookupError(f"no handler for outbox topic {event.topic!r}")
        async with session.begin_nested():  # a failing handler's writes are undone
            kept = await handler(session, event, settings)
    except Exception as exc:
        attempts = event.attempts + 1
        error = _describe(exc)
        give_up = attempts >= MAX_ATTEMPTS
        log.warning(
            "outbox event %s (%s) failed, attempt %s%s: %s",
            event.id,
            event.topic,
            attempts,
            ", giving up" if give_up else "",
            error,
        )
        available_at = NEVER if give_up else clock + backoff(attempts)
        await session.execute(
            row.values(attempts=attempts, last_error=error, available_at=available_at)
        )
        return 0
    values: dict[str, Any] = {"dispatched_at": clock}
    if kept is not None:
        values["payload"] = kept
    await session.execute(row.values(**values))
    return 1


def _describe(exc: Exception) -> str:
    """One short line for last_error. Handlers keep secrets out of their exceptions."""
    message = " ".join(str(exc).split())
    described = f"{type(exc).__name__}: {message}" if message else type(exc).__name__
    return described[:MAX_ERROR_LENGTH]
