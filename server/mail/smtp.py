"""Sending through SMTP to `settings.smtp_url`.

    smtp://host:port                    plain SMTP (the development sink, a local relay)
    smtp+starttls://user:pass@host:587  upgrade with STARTTLS, then authenticate
    smtps://user:pass@host:465          TLS from the first byte

User and password are URL-encoded (a '@' in a password is %40). Errors raised here never
carry the URL, which may hold the password: they end up in outbox_events.last_error.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from email.message import EmailMessage
from urllib.parse import unquote, urlsplit

import aiosmtplib

DEFAULT_PORTS = {"smtp": 25, "smtp+starttls": 587, "smtps": 465}
TIMEOUT_SECONDS = 30


@dataclass(frozen=True)
class SmtpServer:
    host: str
    port: int
    use_tls: bool = False
    start_tls: bool = False
    username: str | None = None
    password: str | None = field(default=None, repr=False)


def parse_smtp_url(url: str) -> SmtpServer:
    parts = urlsplit(url)
    if parts.scheme not in DEFAULT_PORTS:
        raise ValueError(
            f"SMTP_URL must start with one of {', '.join(s + '://' for s in DEFAULT_PORTS)}"
        )
    if not parts.hostname:
        raise ValueError("SMTP_URL has no host name")
    try:
        port = parts.port or DEFAULT_PORTS[parts.scheme]
    except ValueError as exc:  # urllib's message would quote the whole URL
        raise ValueError("SMTP_URL has an invalid port") from exc
    return SmtpServer(
        host=parts.hostname,
        port=port,
        use_tls=parts.scheme == "smtps",
        start_tls=parts.scheme == "smtp+starttls",
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password is not None else None,
    )


async def send(message: EmailMessage, server: SmtpServer) -> None:
    """Hand the message to the server; returns once it accepted it for every recipient."""
    await aiosmtplib.send(
        message,
        hostname=server.host,
        port=server.port,
        username=server.username,
        password=server.password,
        use_tls=server.use_tls,
        start_tls=server.start_tls,
        timeout=TIMEOUT_SECONDS,
    )
