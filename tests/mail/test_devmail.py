"""/dev/mail: the mail the sink stored, listed and shown in development only, escaped."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server import outbox
from server.app import create_app
from server.db import session_scope
from server.mail import queue_email
from server.settings import Settings
from tests.mail_sink import running_sink
from web.devmail import split_links

LINK = "http://127.0.0.1:8000/consent/tok-123"


@pytest.fixture
async def dev_client(settings: Settings, tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    """The app in development, reading its mail from tmp_path instead of DATA_DIR/mail."""
    app = create_app(settings)
    app.state.dev_mail_folder = tmp_path
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client
    await app.state.redis.aclose()
    await app.state.engine.dispose()


async def test_lists_and_shows_what_the_worker_sent(
    dev_client: httpx.AsyncClient,
    outbox_db: async_sessionmaker[AsyncSession],
    mail_settings: Settings,
    tmp_path: Path,
) -> None:
    async with running_sink(tmp_path) as sink:
        async with session_scope(outbox_db) as session:
            await queue_email(
                session,
                to="parent@example.org",
                template="guardian_consent",
                lang="es",
                context={"child_name": "Tomás", "link": LINK, "purposes": ["participation"]},
            )
        settings = dataclasses.replace(mail_settings, smtp_url=sink.url)
        assert await outbox.relay(outbox_db, settings) == 1
    [stored] = _stored(tmp_path)

    listing = await dev_client.get("/dev/mail")
    assert listing.status_code == 200
    assert "parent@example.org" in listing.text
    assert "Tomás quiere una cuenta en CityLearn" in listing.text
    assert f'href="/dev/mail/{stored.name}"' in listing.text

    page = await dev_client.get(f"/dev/mail/{stored.name}")
    assert page.status_code == 200
    assert f'<a href="{LINK}">{LINK}</a>' in page.text
    assert "fecha de nacimiento" in page.text
    assert page.headers["content-security-policy"].startswith("default-src 'none'")


def _stored(folder: Path) -> list[Path]:
    return list(folder.glob("*.eml"))


async def test_hostile_mail_is_shown_as_text(dev_client: httpx.AsyncClient, tmp_path: Path) -> None:
    (tmp_path / "20990101T000000000000Z-00001.eml").write_bytes(
        b"From: <script>alert(1)</script>@x\r\nTo: a@example.org\r\n"
        b"Subject: <img src=x onerror=alert(1)>\r\n\r\n"
        b'Click javascript:alert(1) or "><script>alert(2)</script> '
        b"or http://ok.example/a?b=1&c=<b>.\r\n"
    )
    listing = await dev_client.get("/dev/mail")
    page = await dev_client.get("/dev/mail/20990101T000000000000Z-00001.eml")
    for response in (listing, page):
        assert response.status_code == 200
        assert "<script>alert" not in response.text and "<img src=x" not in response.text
    assert "&lt;img src=x onerror=alert(1)&gt;" in page.text
    assert 'href="javascript' not in page.text
    assert (
        '<a href="http://ok.example/a?b=1&amp;c=">http://ok.example/a?b=1&amp;c=</a>' in page.text
    )


@pytest.mark.parametrize(
    "name", ["missing.eml", "..%2Fsecret_key", ".hidden.eml", "x.txt", "%2Fetc%2Fpasswd"]
)
async def test_unknown_or_odd_names_are_not_found(
    dev_client: httpx.AsyncClient, tmp_path: Path, name: str
) -> None:
    (tmp_path / ".hidden.eml").write_bytes(b"Subject: hidden\r\n\r\nx\r\n")
    (tmp_path / "x.txt").write_bytes(b"Subject: not mail\r\n\r\nx\r\n")
    assert (await dev_client.get(f"/dev/mail/{name}")).status_code == 404


async def test_empty_folder(dev_client: httpx.AsyncClient) -> None:
    response = await dev_client.get("/dev/mail")
    assert response.status_code == 200 and "No mail yet." in response.text


@pytest.mark.parametrize("path", ["/dev/mail", "/dev/mail/20990101T000000000000Z-00001.eml"])
async def test_not_served_in_production(production_client: httpx.AsyncClient, path: str) -> None:
    assert (await production_client.get(path)).status_code == 404


def test_split_links_leaves_trailing_punctuation_out() -> None:
    parts = split_links("Open https://a.example/x?y=1. Or (http://b.example/).")
    assert [p.text for p in parts if p.is_link] == ["https://a.example/x?y=1", "http://b.example/"]
    assert "".join(p.text for p in parts) == "Open https://a.example/x?y=1. Or (http://b.example/)."
