"""A local SMTP server that accepts every message and keeps it, so development and tests
send real SMTP while nothing leaves the machine.

    python -m server.mail.sink --port 10259 --folder var/mail [--daemon --pidfile PATH]

With a folder each message becomes `<UTC time>-<n>.eml` there (the /dev/mail pages read
them); without one the messages stay in memory (`MailSink.messages`, for tests). As a
dev service `citylearn services start` runs it (see server/devservices.py).
"""

from __future__ import annotations

import argparse
import asyncio
import email
import itertools
import logging
import os
import signal
import socket
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from pathlib import Path

from aiosmtpd.smtp import SMTP, Envelope, Session

# Fixed instead of socket.getfqdn(), which may wait on DNS for every connection.
HOSTNAME = "citylearn-mail-sink"
MAX_MESSAGE_BYTES = 10 * 1024 * 1024
SUFFIX = ".eml"


@dataclass(frozen=True)
class ReceivedMail:
    mail_from: str
    rcpt_tos: tuple[str, ...]
    raw: bytes

    @property
    def message(self) -> EmailMessage:
        parsed: EmailMessage = email.message_from_bytes(self.raw, policy=policy.default)
        return parsed


class MailSink:
    """The aiosmtpd handler: keeps each message in `folder`, or in `messages` without one."""

    def __init__(self, folder: Path | None = None) -> None:
        self.folder = folder
        self.messages: list[ReceivedMail] = []
        self._numbers = itertools.count(1)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or b""
        mail = ReceivedMail(str(envelope.mail_from), tuple(envelope.rcpt_tos), raw)
        if self.folder is None:
            self.messages.append(mail)
        else:
            name = f"{datetime.now(UTC):%Y%m%dT%H%M%S%fZ}-{next(self._numbers):05d}{SUFFIX}"
            # Written aside and renamed, so a reader never sees half a message.
            partial = self.folder / f".{name}.partial"
            partial.write_bytes(raw)
            partial.replace(self.folder / name)
        return "250 Message accepted for delivery"


async def serve(
    sink: MailSink, *, host: str = "127.0.0.1", port: int = 0, sock: socket.socket | None = None
) -> asyncio.Server:
    """Start accepting SMTP on this event loop (on `sock` when given, else host:port)."""
    loop = asyncio.get_running_loop()

    def protocol() -> SMTP:
        return SMTP(sink, hostname=HOSTNAME, data_size_limit=MAX_MESSAGE_BYTES, loop=loop)

    if sock is not None:
        return await loop.create_server(protocol, sock=sock)
    return await loop.create_server(protocol, host, port)


async def _serve_until_stopped(sink: MailSink, sock: socket.socket) -> None:
    stopped = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stopped.set)
    async with await serve(sink, sock=sock):
        await stopped.wait()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m server.mail.sink", description="A local SMTP server that keeps mail."
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--folder", type=Path, required=True, help="where .eml files go")
    parser.add_argument("--daemon", action="store_true", help="detach once listening")
    parser.add_argument("--pidfile", type=Path, help="write the serving process id here")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s mail-sink %(message)s")
    args.folder.mkdir(parents=True, exist_ok=True)
    try:
        # Bound before detaching: a port in use is this command's exit status.
        sock = socket.create_server((args.host, args.port))
    except OSError as exc:
        print(f"error: cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 1
    if args.daemon:
        child = os.fork()
        if child:
            if args.pidfile:
                args.pidfile.write_text(f"{child}\n")
            return 0
        os.setsid()
    elif args.pidfile:
        args.pidfile.write_text(f"{os.getpid()}\n")
    print(f"mail sink on {args.host}:{args.port}, storing in {args.folder}", flush=True)
    asyncio.run(_serve_until_stopped(MailSink(args.folder), sock))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
