"""A rendered email as a MIME message: headers, UTF-8 plain text body."""

from __future__ import annotations

from datetime import datetime
from email.errors import HeaderParseError
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr

from server.mail.templates import RenderedEmail


def recipient(to: str) -> Address:
    """The address as a header value; ValueError for anything else (CR/LF included)."""
    try:
        return Address(addr_spec=to)
    except (ValueError, HeaderParseError) as exc:
        raise ValueError(f"not an email address we can send to: {to!r}") from exc


def message_id(event_id: int, mail_from: str) -> str:
    """One Message-ID per outbox event, so a resend (at-least-once) is recognisable."""
    domain = parseaddr(mail_from)[1].rpartition("@")[2] or "citylearn.local"
    return f"<outbox-{event_id}@{domain}>"


def build_message(
    rendered: RenderedEmail, *, to: str, mail_from: str, event_id: int, sent_at: datetime
) -> EmailMessage:
    message = EmailMessage()
    message["From"] = mail_from
    message["To"] = recipient(to)
    message["Subject"] = rendered.subject
    message["Date"] = format_datetime(sent_at)
    message["Message-ID"] = message_id(event_id, mail_from)
    # Transactional mail: out-of-office replies and the like should not answer it.
    message["Auto-Submitted"] = "auto-generated"
    # Quoted-printable keeps accents intact through servers without 8BITMIME.
    message.set_content(rendered.body, charset="utf-8", cte="quoted-printable")
    return message
