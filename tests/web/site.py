"""Driving the account and partner pages over HTTP like a browser would: read the form's
CSRF token from the page, post the form, follow the emailed link."""

from __future__ import annotations

import asyncio
import re
import time
from email.message import EmailMessage
from html import unescape

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server import outbox
from server.settings import Settings
from tests.accounts import people
from tests.mail_sink import SmtpSink

CSRF_INPUT = re.compile(r'name="csrf_token" value="([^"]+)"')
ALERT = re.compile(r'<div class="alert" role="alert"[^>]*>(.*?)</div>', re.S)
FIELD_ERROR = re.compile(r'<p class="field-error" id="([^"]+)">(.*?)</p>', re.S)
TAG = re.compile(r"<[^>]+>")
# A catalog message shown without the values it needs ("Hello, {name}").
PLACEHOLDER = re.compile(r"\{[a-z_]+\}")


FIELD = re.compile(r"<(?:input|select|textarea)\b([^>]*)>")
ATTR_ID = re.compile(r'\bid="([^"]+)"')


def check_page(response: httpx.Response) -> None:
    """What every HTML page must do: messages filled in, one h1, landmarks, a label for
    every field, and nothing inline that the CSP would block."""
    if not response.headers.get("content-type", "").startswith("text/html"):
        return
    html = response.text
    assert not PLACEHOLDER.search(html), PLACEHOLDER.findall(html)
    assert html.count("<h1") == 1
    for landmark in ("<header", "<nav", '<main id="main"', "<footer"):
        assert landmark in html, landmark
    assert " style=" not in html and "javascript:" not in html
    for attrs in re.findall(r"<script([^>]*)>", html):
        assert "src=" in attrs or 'type="application/' in attrs, attrs
    for attrs in FIELD.findall(html):
        if 'type="hidden"' in attrs or 'type="submit"' in attrs:
            continue
        found = ATTR_ID.search(attrs)
        assert found, f"a field without an id: {attrs}"
        assert f'for="{found.group(1)}"' in html, f"no label for #{found.group(1)}"
    for described in re.findall(r'aria-describedby="([^"]+)"', html):
        for target in described.split():
            assert f'id="{target}"' in html, f"aria-describedby points at nothing: {target}"


def csrf_in(html: str) -> str:
    found = CSRF_INPUT.search(html)
    assert found, "no CSRF field on the page"
    return found.group(1)


def text_of(html: str) -> str:
    return " ".join(unescape(TAG.sub(" ", html)).split())


def alerts(html: str) -> list[str]:
    return [text_of(a) for a in ALERT.findall(html)]


def field_errors(html: str) -> dict[str, str]:
    """id of the field's error paragraph ('f-email-error') -> its text."""
    return {name: text_of(text) for name, text in FIELD_ERROR.findall(html)}


async def token_for(client: httpx.AsyncClient, page: str = "/account/signin") -> str:
    response = await client.get(page)
    assert response.status_code == 200, (page, response.status_code)
    check_page(response)
    return csrf_in(response.text)


async def post(
    client: httpx.AsyncClient,
    action: str,
    data: dict[str, str | list[str]],
    *,
    page: str | None = None,
    expect: int | None = 303,
) -> httpx.Response:
    """Posts `data` with the CSRF token of `page` (default: the sign-in page)."""
    token = await token_for(client, page or "/account/signin")
    response = await client.post(action, data={**data, "csrf_token": token})
    check_page(response)
    if expect is not None:
        assert response.status_code == expect, (
            action,
            response.status_code,
            alerts(response.text),
            field_errors(response.text),
        )
    return response


async def sign_in(client: httpx.AsyncClient, email: str, password: str) -> httpx.Response:
    response = await post(client, "/account/signin", {"email": email, "password": password})
    assert response.headers["location"] == "/account"
    return response


def link_in(message_text: str, settings: Settings, path_prefix: str) -> str:
    """The local path of the first link to `path_prefix` in an email."""
    pattern = re.escape(settings.public_url) + "(" + re.escape(path_prefix) + r"[A-Za-z0-9_-]+)"
    found = re.search(pattern, message_text)
    assert found, f"no {path_prefix} link in: {message_text[:400]}"
    return found.group(1)


def plain_text(message: EmailMessage) -> str:
    body = message.get_body(preferencelist=("plain",))
    assert isinstance(body, EmailMessage)
    return str(body.get_content())


async def deliver(
    sessionmaker: async_sessionmaker[AsyncSession],
    mail_settings: Settings,
    sink: SmtpSink,
    address: str,
    *,
    containing: str = "",
) -> str:
    """What the worker does (relay the outbox to the SMTP sink), then the text of the
    newest email to `address` that contains `containing`."""
    while await outbox.relay(sessionmaker, mail_settings):  # all due events, others too
        pass
    deadline = time.monotonic() + 5
    while True:
        texts = [plain_text(m) for m in sink.to(address)]
        found = [text for text in texts if containing in text]
        if found:
            return found[-1]
        assert time.monotonic() < deadline, f"no email to {address} with {containing!r}"
        await asyncio.sleep(0.02)


# -- sign-up ---------------------------------------------------------------------------------


def birth_fields(years: int) -> dict[str, str | list[str]]:
    born = people.years_ago(years)
    return {
        "step": "age",
        "birth_year": str(born.year),
        "birth_month": str(born.month),
        "birth_day": str(born.day),
    }


async def account_step(client: httpx.AsyncClient, years: int) -> str:
    response = await post(client, "/account/signup", birth_fields(years), expect=200)
    return response.text


def hidden_birth_date(html: str) -> str:
    marker = 'name="birth_date" value="'
    start = html.index(marker) + len(marker)
    return html[start : html.index('"', start)]
