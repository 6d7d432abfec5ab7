"""Queued email goes out through the outbox relay over real SMTP, once, and survives an
SMTP server that is down. Real PostgreSQL (the mail tests' own database) and a real
aiosmtpd server on a loopback port."""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import timedelta
from email.utils import parsedate_to_datetime

import jinja2
import pytest
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server import outbox
from server.db import session_scope
from server.mail import queue_email
from server.models import OutboxEvent
from server.settings import Settings
from tests.mail_sink import SmtpSink, running_sink

Sessions = async_sessionmaker[AsyncSession]
LINK = "https://citylearn.example/reset/abc123"


async def _queue(sessions: Sessions, to: str, *, lang: str = "es") -> OutboxEvent:
    async with session_scope(sessions) as session:
        return await queue_email(
            session,
            to=to,
            template="reset_password",
            lang=lang,
            context={"name": "Ana", "link": LINK},
        )


async def _event(sessions: Sessions, event_id: int) -> OutboxEvent:
    async with sessions() as session:
        event = await session.get(OutboxEvent, event_id)
        assert event is not None
        return event


async def test_rolled_back_email_is_never_sent(
    outbox_db: Sessions, mail_settings: Settings, smtp_sink: SmtpSink
) -> None:
    with pytest.raises(RuntimeError):
        async with session_scope(outbox_db) as session:
            await queue_email(
                session,
                to="rolled-back@example.org",
                template="verify_email",
                lang="en",
                context={"name": "Ana", "link": LINK},
            )
            raise RuntimeError("the change failed, so its email must not go")
    assert await outbox.relay(outbox_db, mail_settings) == 0
    assert smtp_sink.to("rolled-back@example.org") == []


async def test_relay_sends_with_headers_and_utf8_body(
    outbox_db: Sessions, mail_settings: Settings, smtp_sink: SmtpSink
) -> None:
    event = await _queue(outbox_db, "ana-headers@example.org")
    assert await outbox.relay(outbox_db, mail_settings) == 1

    message = await smtp_sink.wait_for("ana-headers@example.org")
    assert message["From"] == mail_settings.mail_from
    assert message["To"] == "ana-headers@example.org"
    assert message["Subject"] == "Cambia tu contraseña de CityLearn"
    assert message["Message-ID"] == f"<outbox-{event.id}@citylearn.local>"
    assert parsedate_to_datetime(str(message["Date"])).tzinfo is not None
    assert message["Auto-Submitted"] == "auto-generated"
    assert message.get_content_charset() == "utf-8"
    body = message.get_content()
    assert "Hola, Ana:" in body and "contraseña" in body and "tú" in body and LINK in body

    stored = await _event(outbox_db, event.id)
    assert stored.dispatched_at is not None and stored.attempts == 0
    # The one-time link is not kept once the email is out.
    kept = {"to": "ana-headers@example.org", "template": "reset_password", "lang": "es"}
    assert stored.payload == kept


async def test_second_relay_sends_nothing_more(
    outbox_db: Sessions, mail_settings: Settings, smtp_sink: SmtpSink
) -> None:
    for n in range(3):
        await _queue(outbox_db, f"once-{n}@example.org", lang="en")
    assert await outbox.relay(outbox_db, mail_settings) == 3
    assert await outbox.relay(outbox_db, mail_settings) == 0
    assert [len(smtp_sink.to(f"once-{n}@example.org")) for n in range(3)] == [1, 1, 1]


async def test_smtp_down_keeps_the_event_until_the_server_is_back(
    outbox_db: Sessions, mail_settings: Settings
) -> None:
    async with running_sink() as sink:
        await sink.stop()  # a port nobody listens on, which the sink gets back later
        settings = dataclasses.replace(mail_settings, smtp_url=sink.url)
        event = await _queue(outbox_db, "down@example.org")
        start = event.available_at

        assert await outbox.relay(outbox_db, settings, now=start) == 0
        failed = await _event(outbox_db, event.id)
        assert failed.dispatched_at is None and failed.attempts == 1
        assert failed.last_error and "SMTPConnect" in failed.last_error
        assert failed.available_at == start + timedelta(seconds=30)

        await sink.start()
        # Not due yet: the relay leaves it alone even though the server is back.
        assert await outbox.relay(outbox_db, settings, now=start + timedelta(seconds=29)) == 0
        assert sink.to("down@example.org") == []

        assert await outbox.relay(outbox_db, settings, now=start + timedelta(seconds=30)) == 1
        assert len(sink.to("down@example.org")) == 1
        sent = await _event(outbox_db, event.id)
        assert sent.dispatched_at == start + timedelta(seconds=30) and sent.attempts == 1


async def test_gives_up_after_max_attempts_and_keeps_the_error(
    outbox_db: Sessions, mail_settings: Settings
) -> None:
    async with running_sink() as sink:
        await sink.stop()
        # Credentials in the URL must not end up in last_error.
        settings = dataclasses.replace(
            mail_settings, smtp_url=f"smtp+starttls://mailer:hunter2@127.0.0.1:{sink.port}"
        )
        event = await _queue(outbox_db, "never@example.org")
        when = event.available_at
        for attempt in range(1, outbox.MAX_ATTEMPTS + 1):
            assert await outbox.relay(outbox_db, settings, now=when) == 0
            failed = await _event(outbox_db, event.id)
            assert failed.attempts == attempt
            when = when + outbox.backoff(attempt)

    async with outbox_db() as session:
        never = await session.scalar(
            text("SELECT available_at = 'infinity' FROM outbox_events WHERE id = :id"),
            {"id": event.id},
        )
    assert never is True
    assert failed.dispatched_at is None and failed.last_error
    assert "hunter2" not in failed.last_error
    assert await outbox.relay(outbox_db, mail_settings, now=when + timedelta(days=365)) == 0


def test_backoff_doubles_from_30_seconds_to_an_hour() -> None:
    minutes = [outbox.backoff(n) / timedelta(minutes=1) for n in range(1, 11)]
    assert minutes == [0.5, 1, 2, 4, 8, 16, 32, 60, 60, 60]


async def test_a_failing_event_does_not_block_the_others(
    outbox_db: Sessions, mail_settings: Settings, smtp_sink: SmtpSink
) -> None:
    async with session_scope(outbox_db) as session:
        # Oldest first, and both fail: a template that no longer exists, a topic no one handles.
        bad = await outbox.emit(
            session,
            "email",
            {"to": "x@example.org", "template": "gone", "lang": "en", "context": {}},
        )
        unknown = await outbox.emit(session, "no-such-topic", {})
    good = await _queue(outbox_db, "after-bad@example.org")

    assert await outbox.relay(outbox_db, mail_settings) == 1
    assert len(smtp_sink.to("after-bad@example.org")) == 1
    assert (await _event(outbox_db, good.id)).dispatched_at is not None
    for event_id, error in ((bad.id, "TemplateNotFound"), (unknown.id, "no handler")):
        failed = await _event(outbox_db, event_id)
        assert failed.attempts == 1 and failed.last_error and error in failed.last_error


async def test_two_relays_at_once_send_each_email_once(
    outbox_db: Sessions, mail_settings: Settings, smtp_sink: SmtpSink
) -> None:
    addresses = [f"concurrent-{n}@example.org" for n in range(20)]
    for address in addresses:
        await _queue(outbox_db, address, lang="en")

    first, second = await asyncio.gather(
        outbox.relay(outbox_db, mail_settings), outbox.relay(outbox_db, mail_settings)
    )
    assert first + second == len(addresses)
    assert first > 0 and second > 0  # they really ran side by side
    assert [len(smtp_sink.to(address)) for address in addresses] == [1] * len(addresses)
    async with outbox_db() as session:
        pending = await session.scalars(
            select(OutboxEvent.id).where(OutboxEvent.dispatched_at.is_(None))
        )
        assert pending.all() == []


async def test_queue_email_fails_at_the_call_site(outbox_db: Sessions) -> None:
    async with outbox_db() as session:
        with pytest.raises(ValueError, match="not an email address"):
            await queue_email(
                session,
                to="ana@example.org\r\nBcc: everyone@example.org",
                template="account_deleted",
                lang="en",
                context={"name": "Ana"},
            )
        with pytest.raises(jinja2.UndefinedError, match="link"):
            await queue_email(
                session,
                to="ana@example.org",
                template="verify_email",
                lang="en",
                context={"name": "Ana"},
            )
        await session.rollback()
