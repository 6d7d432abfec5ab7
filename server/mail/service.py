"""Queueing an email (in the caller's transaction) and sending it (in the worker).

A web request never talks to SMTP: it calls `queue_email()` inside its unit of work, and
after the commit `server.outbox.nudge()`. The worker's relay runs `send_queued_email()`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from server import outbox
from server.mail import smtp
from server.mail.message import build_message, recipient
from server.mail.templates import render
from server.models import OutboxEvent
from server.settings import Settings

TOPIC = "email"


async def queue_email(
    session: AsyncSession, *, to: str, template: str, lang: str, context: dict[str, Any]
) -> OutboxEvent:
    """Queue `template` in `lang` for `to`; sent by the worker once the caller commits.

    Checks the address and renders once now, so a bad address, a missing variable or a
    missing template fails in the caller's code (and its tests), not later in the worker.
    Links in `context` must be absolute (`settings.public_url` + path).
    """
    recipient(to)
    render(template, lang, context)
    payload = {"to": to, "template": template, "lang": lang, "context": context}
    return await outbox.emit(session, TOPIC, payload)


async def queue_emails(
    session: AsyncSession, messages: list[tuple[str, str, str, dict[str, Any]]]
) -> None:
    """Queue many (to, template, lang, context) in one statement, each checked as above
    (the stacks engine tells a thousand learners at once that a door opened)."""
    payloads = []
    for to, template, lang, context in messages:
        recipient(to)
        render(template, lang, context)
        payloads.append({"to": to, "template": template, "lang": lang, "context": context})
    await outbox.emit_many(session, TOPIC, payloads)


@outbox.register(TOPIC)
async def send_queued_email(
    session: AsyncSession, event: OutboxEvent, settings: Settings
) -> dict[str, Any]:
    payload = event.payload
    rendered = render(payload["template"], payload["lang"], payload["context"])
    message = build_message(
        rendered,
        to=payload["to"],
        mail_from=settings.mail_from,
        event_id=event.id,
        sent_at=datetime.now(UTC),
    )
    await smtp.send(message, smtp.parse_smtp_url(settings.smtp_url))
    # The context holds one-time links, stored hashed everywhere else: drop it once sent.
    return {key: payload[key] for key in ("to", "template", "lang")}
