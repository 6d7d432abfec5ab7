"""A real SMTP server inside the test process, for tests that send email (no mocks).

Fixtures (loaded by tests/conftest.py through `pytest_plugins`):

    smtp_sink      session  an SmtpSink: aiosmtpd on a free 127.0.0.1 port, in the tests'
                            event loop, keeping every message in memory
    mail_settings  session  the suite's `settings` (its database and Redis) with smtp_url
                            pointing at smtp_sink

Typical use, e.g. the guardian consent flow:

    async def test_parent_gets_asked(sessionmaker, mail_settings, smtp_sink):
        ...the code under test calls queue_email() in its unit of work and commits...
        await server.outbox.relay(sessionmaker, mail_settings)   # what the worker does
        message = await smtp_sink.wait_for("parent@example.org")  # an EmailMessage
        assert "7 days" in message.get_content()

The sink lives for the whole session and keeps everything it receives, so give each test
its own recipient addresses; `smtp_sink.to(address)` lists that address's messages.
Tests that need a sink of their own (say, to stop it) use `async with running_sink():`.
"""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from email.message import EmailMessage
from pathlib import Path

import pytest

from server.mail.sink import MailSink, ReceivedMail, serve
from server.settings import Settings

HOST = "127.0.0.1"


class SmtpSink:
    """A MailSink served on this event loop; stop() and start() again keep the port."""

    def __init__(self, folder: Path | None = None) -> None:
        self.sink = MailSink(folder)
        self.port = 0
        self._server: asyncio.Server | None = None

    @property
    def url(self) -> str:
        return f"smtp://{HOST}:{self.port}"

    @property
    def messages(self) -> list[ReceivedMail]:
        return self.sink.messages

    async def start(self) -> None:
        self._server = await serve(self.sink, host=HOST, port=self.port)
        self.port = int(self._server.sockets[0].getsockname()[1])

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None

    def to(self, address: str) -> list[EmailMessage]:
        """Messages whose envelope names `address`, oldest first."""
        wanted = address.lower()
        return [
            mail.message
            for mail in self.sink.messages
            if wanted in (rcpt.lower() for rcpt in mail.rcpt_tos)
        ]

    async def wait_for(self, address: str, *, within: float = 5.0) -> EmailMessage:
        """The newest message to `address`, waiting up to `within` seconds for one."""
        deadline = time.monotonic() + within
        while not (found := self.to(address)):
            if time.monotonic() > deadline:
                raise AssertionError(f"no email to {address} within {within} s")
            await asyncio.sleep(0.02)
        return found[-1]


@asynccontextmanager
async def running_sink(folder: Path | None = None) -> AsyncIterator[SmtpSink]:
    sink = SmtpSink(folder)
    await sink.start()
    try:
        yield sink
    finally:
        await sink.stop()


@pytest.fixture(scope="session")
async def smtp_sink() -> AsyncIterator[SmtpSink]:
    async with running_sink() as sink:
        yield sink


@pytest.fixture(scope="session")
def mail_settings(settings: Settings, smtp_sink: SmtpSink) -> Settings:
    return dataclasses.replace(settings, smtp_url=smtp_sink.url)
