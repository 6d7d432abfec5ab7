"""Development only: the emails the private mail sink received (DATA_DIR/mail), so whoever
runs `make run` can open the links in them. Outside development both pages are a 404.

Mail is untrusted (anything on the machine may send to the sink): every part of it is
shown as escaped text, and only http(s) URLs become links.
"""

from __future__ import annotations

import email
import re
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from pathlib import Path

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from server import devservices
from web.pages import not_found, page_context, render

MAX_LISTED = 200
SHOWN_HEADERS = ("From", "To", "Subject", "Date", "Message-ID")
_NAME = re.compile(r"[0-9A-Za-z][0-9A-Za-z_-]{0,120}\.eml")
# Stops before whitespace, quotes and angle brackets, and leaves trailing punctuation out.
_URL = re.compile(r"https?://[^\s<>\"']*[^\s<>\"'.,;:!?)]")


@dataclass(frozen=True)
class MailSummary:
    name: str
    to: str
    subject: str
    date: str


@dataclass(frozen=True)
class TextPart:
    text: str
    is_link: bool


@dataclass(frozen=True)
class MailView:
    headers: list[tuple[str, str]]
    body: list[TextPart]


def _folder(request: Request) -> Path:
    override = getattr(request.app.state, "dev_mail_folder", None)  # tests use their own
    return Path(override) if override else devservices.mail_folder()


def _parse(path: Path) -> EmailMessage:
    message: EmailMessage = email.message_from_bytes(path.read_bytes(), policy=policy.default)
    return message


def _summaries(folder: Path) -> list[MailSummary]:
    # The sink names files after the UTC time they arrived: newest first by name.
    paths = sorted(folder.glob("*.eml"), reverse=True)[:MAX_LISTED] if folder.is_dir() else []
    summaries = []
    for path in paths:
        message = _parse(path)
        summaries.append(
            MailSummary(
                name=path.name,
                to=str(message.get("To", "")),
                subject=str(message.get("Subject", "")),
                date=str(message.get("Date", "")),
            )
        )
    return summaries


def split_links(text: str) -> list[TextPart]:
    parts: list[TextPart] = []
    position = 0
    for match in _URL.finditer(text):
        if match.start() > position:
            parts.append(TextPart(text[position : match.start()], is_link=False))
        parts.append(TextPart(match.group(), is_link=True))
        position = match.end()
    if position < len(text):
        parts.append(TextPart(text[position:], is_link=False))
    return parts


def _view(folder: Path, name: str) -> MailView | None:
    path = folder / name
    if not _NAME.fullmatch(name) or not path.is_file():
        return None
    message = _parse(path)
    headers = [(header, str(message[header])) for header in SHOWN_HEADERS if header in message]
    part = message.get_body(preferencelist=("plain", "html"))
    text = part.get_content() if isinstance(part, EmailMessage) else "(no text part)"
    return MailView(headers=headers, body=split_links(text))


async def mail_list(request: Request) -> Response:
    ctx = page_context(request)
    if not ctx.settings.is_development:
        return await not_found(request)
    folder = _folder(request)
    messages = await run_in_threadpool(_summaries, folder)
    return render(ctx, "dev_mail_list.html", messages=messages, folder=str(folder))


async def mail_message(request: Request) -> Response:
    ctx = page_context(request)
    if not ctx.settings.is_development:
        return await not_found(request)
    view = await run_in_threadpool(_view, _folder(request), str(request.path_params["name"]))
    if view is None:
        return await not_found(request)
    return render(ctx, "dev_mail_message.html", mail=view)
